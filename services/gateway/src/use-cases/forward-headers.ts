// The heads a forwarded request and its answer carry: hop-by-hop headers dropped (RFC 9110 7.6.1), the identity and
// trace context only the gateway may set added, and the gateway's ids and defaults on every answer.
import type { IncomingHttpHeaders } from 'node:http';
import { identityHeaders } from '@bazaar/kit/server';
import { clientAddressHeader } from '@bazaar/users/contracts';
import type { Call } from '../api/call.ts';

// Hop-by-hop headers (RFC 9110 7.6.1), what the relay sets itself, and what only the gateway may say.
const notForwarded = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'authorization',
  'traceparent',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
  clientAddressHeader,
  identityHeaders.userId,
  identityHeaders.role,
  identityHeaders.internalKey,
]);
const notReturned = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'x-request-id',
  'x-trace-id',
]);

/** upstreamHeaders: the request's head as the replica gets it. */
export function upstreamHeaders(
  call: Call,
  internalKey: string,
  trustProxy: boolean,
): Record<string, string | string[]> {
  const { req } = call;
  const incoming = req.headers;
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(incoming.connection);
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !notForwarded.has(name) && !listed?.includes(name)) out[name] = value;
  }
  out[identityHeaders.internalKey] = internalKey;
  if (call.caller) {
    out[identityHeaders.userId] = call.caller.id;
    out[identityHeaders.role] = call.caller.role;
  }
  out['x-request-id'] = call.id;
  const peer = req.socket.remoteAddress ?? '';
  const forwardedFor = incoming['x-forwarded-for'];
  out['x-forwarded-for'] = trustProxy && typeof forwardedFor === 'string' ? `${forwardedFor}, ${peer}` : peer;
  out['x-forwarded-proto'] = call.protocol;
  // The address the rate limit counted, so a service need not know whether a load balancer stands in front.
  out[clientAddressHeader] = call.ip;
  out.traceparent = call.traceparent;
  return out;
}

/** answerHeaders: the replica's answer head as the client gets it. */
export function answerHeaders(
  upstream: IncomingHttpHeaders,
  requestId: string,
  traceId: string,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(upstream.connection);
  for (const name in upstream) {
    const value = upstream[name];
    if (value !== undefined && !notReturned.has(name) && !listed?.includes(name)) out[name] = value;
  }
  // API answers are personal (tokens, orders) unless a service says otherwise: no cache keeps them, no browser
  // guesses their type.
  out['cache-control'] ??= 'no-store';
  out['x-content-type-options'] = 'nosniff';
  out['x-request-id'] = requestId;
  out['x-trace-id'] = traceId;
  return out;
}

/**
 * connectionListed: the names a Connection header lists, which are hop-by-hop as well; null when it lists none but
 * `keep-alive` and `close`, as nearly every one does. They are left out of the copy, not deleted from it: a deleted
 * property turns the object into a slow dictionary for the rest of its life.
 */
function connectionListed(connection: string | string[] | undefined): string[] | null {
  if (typeof connection !== 'string' || connection === 'keep-alive' || connection === 'close') return null;
  const listed = connection
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((name) => name !== 'keep-alive' && name !== 'close');
  return listed.length > 0 ? listed : null;
}
