// The gateway's own Fastify server: ids and a SERVER span on every request, problem documents, metrics.
// Services start from the kit's createServer; the gateway cannot: it is the edge, so it must not demand the
// internal key and it serves a merged /openapi.json instead of its own. Proxied API requests never reach Fastify:
// the fast lane (fast-lane.ts) serves connections that carry only those, and the node:http server hands the ones it
// parses to the proxy edge first (proxy-edge.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  AppError,
  fastifyLoggers,
  frameworkError,
  type HttpMetrics,
  httpMetrics,
  internal,
  notFound,
  payloadTooLarge,
  probeRoutes,
  probeTraceId,
  problemOf,
  requestIdOf,
  retryAfterOf,
} from '@bazaar/kit/server';
import type { Logger } from '@bazaar/kit/telemetry';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import { clientTraceContext } from './client-trace.ts';
import { type FastLane, fastLane } from './fast-lane.ts';
import type { ProxyEdge } from './proxy-edge.ts';

export type Edge = FastifyInstance;

export type EdgeOptions = {
  log: Logger;
  tracer: Tracer;
  registry: Registry;
  /** The request-duration histogram, when the proxy edge shares it; else made here. */
  duration?: HttpMetrics;
  bodyLimit: number;
  trustProxy: boolean;
  /** Takes the requests it serves (the proxied API) before Fastify routes them; absent, Fastify serves all. */
  proxy?: ProxyEdge;
  /** The URL Fastify routes a request by (mounts.ts: a browser's malformed link to a page); absent, its own. */
  rewriteUrl?: (req: IncomingMessage) => string;
};

// Fastify's own keep-alive timeout, which a server of our making does not get from it.
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export function createEdgeServer(options: EdgeOptions): Edge {
  const { tracer, bodyLimit } = options;
  let lane: FastLane | undefined;
  const app = Fastify({
    // Fastify's startup line puts the address in its message: main.ts logs 'gateway listening' instead.
    ...fastifyLoggers(options.log),
    logController: new LogController({ disableRequestLogging: true }),
    clientErrorHandler: answerUnreadable,
    bodyLimit,
    // One proxy trusted: req.ip is the address it appended to X-Forwarded-For, not what the client wrote before it.
    trustProxy: options.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    ...(options.proxy
      ? {
          serverFactory: edgeServerFactory(options.proxy, (made) => {
            lane = made;
          }),
        }
      : {}),
    ...(options.rewriteUrl ? { rewriteUrl: options.rewriteUrl } : {}),
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    // The routed paths are wildcards: the whole rest of a path is one parameter, and the services judge its length.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // A malformed URL (bad percent-encoding) or an over-long path is answered as a problem like every other error.
    // It comes before the onRequest hook, so its span is started and ended here.
    frameworkErrors: (error, req, reply) => {
      const problem = frameworkError(error);
      startSpan(req, reply);
      sendProblem(req, reply, problem);
      endSpan(req, problem.status);
      return reply;
    },
  }) as unknown as Edge;

  app.decorateRequest('caller', null);
  app.decorateRequest('span', undefined);
  const duration = options.duration ?? httpMetrics(options.registry);

  function startSpan(req: FastifyRequest, reply: FastifyReply): void {
    const parent = clientTraceContext(req.headers);
    const route = req.routeOptions?.url ?? 'unmatched';
    if (probeRoutes.has(route)) {
      const traceId = probeTraceId(parent);
      probeTraces.set(req, traceId);
      reply.header('x-request-id', req.id).header('x-trace-id', traceId);
      return;
    }
    const query = req.url.indexOf('?');
    req.span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'http.route': route,
          'url.path': query === -1 ? req.url : req.url.slice(0, query),
        },
      },
      parent,
    );
    reply.header('x-request-id', req.id).header('x-trace-id', req.span.spanContext().traceId);
  }

  app.addHook('onRequest', (req, reply, done) => {
    startSpan(req, reply);
    if (lacksHost(req.raw))
      return done(new AppError('BAD_REQUEST', 400, 'An HTTP/1.1 request must carry a Host header.'));
    done();
  });

  app.addHook('onResponse', (req, reply, done) => {
    // Named at the end, for the span and the metric alike: a path a catch-all took and then passed on to the 404
    // handler (pages, /api/ops) is unmatched, not the catch-all's `/*`.
    const route = req.routeOptions.url ?? 'unmatched';
    duration.observe(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // At debug level only: the line names its trace itself, as the hot path switches no async context.
    if (options.log.isLevelEnabled('debug')) logCompleted(options.log, req, reply, route);
    endSpan(req, reply.statusCode, route);
    done();
  });

  // While closing, answers tell keep-alive clients to go, so draining finishes with the last request.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    lane?.close();
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    // As on proxied answers: the admin's logs and traces, and problem documents, stay out of caches and type guessing.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });

  app.setErrorHandler((error: unknown, req, reply) => {
    const appError = toAppError(error, bodyLimit);
    if (appError.status >= 500)
      req.log.error({ err: error, traceId: traceIdOf(req), requestId: req.id }, 'unhandled error');
    return sendProblem(req, reply, appError);
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(req, reply, notFound(`No route for ${req.method} ${req.url.split('?')[0]}.`)),
  );

  return app;
}

export const traceIdOf = (req: FastifyRequest) => req.span?.spanContext().traceId ?? probeTraces.get(req);

/** The trace id each of the gateway's own probes and scrapes names, answered without a span. */
const probeTraces = new WeakMap<FastifyRequest, string>();

/** sendProblem answers with an RFC 9457 problem document; `retry-after` goes along when the error carries one. */
export function sendProblem(req: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const retryAfter = retryAfterOf(error);
  if (retryAfter) reply.header('retry-after', retryAfter);
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(problemOf(error, traceIdOf(req)));
}

function logCompleted(log: Logger, req: FastifyRequest, reply: FastifyReply, route: string): void {
  const ids = req.span?.spanContext();
  log.debug(
    {
      traceId: ids?.traceId,
      spanId: ids?.spanId,
      requestId: req.id,
      method: req.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    },
    'request completed',
  );
}

/** endSpan closes the request's SERVER span, named by the route that answered when it is known by then. */
function endSpan(req: FastifyRequest, status?: number, route?: string): void {
  const span = req.span;
  if (!span) return;
  req.span = undefined;
  if (route !== undefined) span.setAttribute('http.route', route).updateName(`${req.method} ${route}`);
  if (status !== undefined) {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function toAppError(error: unknown, bodyLimit: number): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; statusCode?: number };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'The Content-Type header is not a valid media type.');
  }
  // A static file's path that climbs out of its folder or holds a NUL (send's 403): no such file, as for any other.
  if (e.statusCode === 403) return notFound('No such file.');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new AppError('BAD_REQUEST', e.statusCode, 'The request could not be understood.');
  return internal();
}

/**
 * edgeServerFactory makes the node:http server, with the fast lane in front of its connections, that offers each
 * request it parses to the proxy edge before Fastify.
 */
/**
 * A request Node cannot parse as HTTP (a bare CR in a header, a space before a colon, headers too large, too slow)
 * never reaches a route: it is still answered as a problem with its ids, then the connection is closed.
 */
function answerUnreadable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'REQUEST_TIMEOUT']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE']
        : [400, 'Bad Request', 'BAD_REQUEST'];
  const traceId = randomBytes(16).toString('hex');
  const body = JSON.stringify(problemOf(new AppError(code, status, 'The request could not be read as HTTP.'), traceId));
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${randomUUID()}\r\nx-trace-id: ${traceId}\r\n\r\n${body}`,
  );
}

/** lacksHost: HTTP/1.1 requires a Host header (RFC 9112, section 3.2); HTTP/1.0 may go without one. */
const lacksHost = (req: IncomingMessage) => req.headers.host === undefined && req.httpVersion !== '1.0';

function edgeServerFactory(proxy: ProxyEdge, made: (lane: FastLane) => void) {
  return (fastify: (req: IncomingMessage, res: ServerResponse) => void) => {
    // Node's own answer to a missing Host is a bare 400 without ids: Fastify's onRequest refuses it as a problem.
    const server = createServer({ requireHostHeader: false }, (req, res) => {
      if (lacksHost(req) || !proxy.serve(req, res)) fastify(req, res);
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    made(
      fastLane(server, proxy, { keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS, headersTimeoutMs: server.headersTimeout }),
    );
    return server;
  };
}
