// CORS: browsers on the configured origins (CORS_ORIGINS) may call the API from another origin; every other origin
// gets no CORS headers at all (so its pages cannot read the answers) and its preflights are refused.
import { AppError } from '@bazaar/kit/server';
import type { Edge } from './edge-server.ts';
import { sendProblem } from './edge-server.ts';

const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOW_HEADERS = 'authorization, content-type, idempotency-key, x-request-id, traceparent, tracestate';
const EXPOSE_HEADERS = 'x-request-id, x-trace-id, retry-after';
const MAX_AGE_SECONDS = '600';

/** parseOrigins reads CORS_ORIGINS: comma-separated `scheme://host[:port]`, compared exactly (case-folded). */
export function parseOrigins(list: string): Set<string> {
  return new Set(
    list
      .split(',')
      .map((o) => o.trim().toLowerCase().replace(/\/+$/, ''))
      .filter((o) => o.length > 0 && o !== '*' && o !== 'null'),
  );
}

/** cors answers preflights at the edge (before any token check) and marks allowed origins' answers readable. */
export function cors(app: Edge, origins: Set<string>): void {
  const headers = corsHeaders(origins);
  app.addHook('onRequest', (req, reply, done) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin === undefined) return done();
    const allowed = origins.has(origin.toLowerCase());
    if (preflight) {
      reply.header('vary', 'origin, access-control-request-method, access-control-request-headers');
      if (!allowed)
        return sendProblem(
          req,
          reply,
          new AppError('ORIGIN_NOT_ALLOWED', 403, 'This origin may not call the API from a browser.'),
        );
      return reply
        .code(204)
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', ALLOW_METHODS)
        .header('access-control-allow-headers', ALLOW_HEADERS)
        .header('access-control-max-age', MAX_AGE_SECONDS)
        .send();
    }
    // Set on the raw response, where a hijacked answer would find them too.
    for (const [name, value] of headers(origin)) reply.raw.setHeader(name, value);
    done();
  });
}

/** CorsHeaders: the headers an (actual, not preflight) request from this origin gets on its answer. */
export type CorsHeaders = (origin: string) => readonly (readonly [string, string])[];

/** corsHeaders: `vary` for every origin; a configured origin may also read the answer and the id headers. */
export function corsHeaders(origins: Set<string>): CorsHeaders {
  const other = [['vary', 'origin']] as const;
  return (origin) =>
    origins.has(origin.toLowerCase())
      ? [...other, ['access-control-allow-origin', origin], ['access-control-expose-headers', EXPOSE_HEADERS]]
      : other;
}
