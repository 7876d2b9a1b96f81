// When a failed hop may go to another replica, and what the client is told when it may not: a request that never
// reached a replica may go anywhere; one that did, only if it means the same sent twice.
import type { IncomingHttpHeaders } from 'node:http';
import { AppError, unavailable } from '@bazaar/kit/server';
import type { Call } from '../api/call.ts';
import type { RelayError } from '../clients/relay-connections.ts';
import { keyedPostPaths } from '../domain/routes.ts';

// Failures where nothing reached the replica, so another replica may take the request, even a POST.
export const notConnected = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
]);
// Failures of a connection the request went out on: the replica may have acted on it, so only an idempotent request
// goes to another replica. Either way the replica is ejected until a health check vouches for it again.
export const brokenConnection = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'SOCKET_CLOSED']);
// Methods that mean the same when sent twice (RFC 9110 9.2.2); a POST joins them when it carries an Idempotency-Key
// to a path whose service honours the key (the route table's keyedPost; a stock adjustment sent twice is two).
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** isIdempotent: the request means the same sent twice, so a replica that may have seen it can be passed over. */
export function isIdempotent(req: Call['req']): boolean {
  if (idempotentMethods.has(req.method ?? '')) return true;
  const path = (req.url ?? '').split('?', 1)[0];
  return req.method === 'POST' && req.headers['idempotency-key'] !== undefined && keyedPostPaths.has(path);
}

/** closes: the answer says its connection ends here, as a server that is shutting down says on every answer. */
export function closes(answer: IncomingHttpHeaders): boolean {
  const connection = answer.connection;
  return typeof connection === 'string' && connection.toLowerCase().includes('close');
}

/** serviceDown: no replica of the service took the request; the health checks (every second) may bring one back. */
export const serviceDown = (service: string) =>
  unavailable(`The ${service} service is unavailable. Try again shortly.`, { retryAfter: 1 });

/** problemFor: the problem a client gets for a hop that failed and may not be repeated. */
export function problemFor(service: string, err: RelayError): AppError {
  const code = err.code;
  if (notConnected.has(code)) return serviceDown(service);
  if (code === 'HEADERS_TIMEOUT')
    return new AppError('GATEWAY_TIMEOUT', 504, `The ${service} service did not answer in time.`);
  return new AppError('BAD_GATEWAY', 502, `The ${service} service gave no valid answer.`);
}
