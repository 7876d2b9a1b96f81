// The hot path: routed API requests are served before Fastify sees them, so a proxied request pays for its guard,
// one span and the hop, not for routing, hooks and reply objects. They come from the fast lane (fast-lane.ts) or,
// when node:http parsed them, from its server. Everything else (preflights, /api/ops, pages, docs, probes) goes on
// to Fastify.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AppError, frameworkError, type HttpMetrics, internal, payloadTooLarge, requestIdOf } from '@bazaar/kit/server';
import type { Logger } from '@bazaar/kit/telemetry';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import type { Upstream } from '../clients/upstreams.ts';
import { lastForwarded } from '../domain/forwarded.ts';
import { type RouteMatch as Match, matchRoute, mountsOf } from '../domain/route-match.ts';
import type { ServiceName } from '../domain/routes.ts';
import type { Forward } from '../use-cases/forward-request.ts';
import { type Call, type EdgeRequest, type EdgeResponse, endSpan, writeProblem } from './call.ts';
import { clientTraceContext } from './client-trace.ts';
import type { CorsHeaders } from './cors.ts';
import { admit, type GuardDeps } from './guard.ts';

export type ProxyEdgeDeps = GuardDeps & {
  upstreams: Record<ServiceName, Upstream>;
  forward: Forward;
  tracer: Tracer;
  log: Logger;
  duration: HttpMetrics;
  cors: CorsHeaders;
  bodyLimit: number;
  trustProxy: boolean;
};

/** A proxied route a request matched, as `route` finds it: `route` is its name in spans and metrics. */
export type RouteMatch = Match<Upstream>;

/**
 * ProxyEdge: `route` says whether a request is the hot path's (a proxied route, not a preflight); `serveRoute`
 * serves one it matched; `serve` does both for node:http and answers whether it took the request (when it did not,
 * Fastify serves it).
 */
export type ProxyEdge = {
  route(method: string, url: string, headers: IncomingHttpHeaders): RouteMatch | undefined;
  serveRoute(req: EdgeRequest, res: EdgeResponse, match: RouteMatch): void;
  serve(req: IncomingMessage, res: ServerResponse): boolean;
  close(): void;
};

export function proxyEdge(deps: ProxyEdgeDeps): ProxyEdge {
  const mounts = mountsOf(deps.upstreams);
  const state = { closing: false };

  function route(method: string, url: string, headers: IncomingHttpHeaders): RouteMatch | undefined {
    // A malformed URL (bad percent-encoding) is Fastify's to refuse: 400, as on every other path.
    const path = decodedPath(url);
    const match = path === undefined ? undefined : matchRoute(mounts, path);
    // Preflights are answered by cors.ts, in Fastify, before any token check.
    if (match === undefined || (method === 'OPTIONS' && headers['access-control-request-method'] !== undefined))
      return undefined;
    return match;
  }

  function serveRoute(req: EdgeRequest, res: EdgeResponse, match: RouteMatch): void {
    const call = open(req, res, match.route);
    try {
      if (state.closing) res.setHeader('connection', 'close');
      const origin = req.headers.origin;
      if (origin !== undefined) for (const [name, value] of deps.cors(origin)) res.setHeader(name, value);
      if (match.tooLong) writeProblem(call, frameworkError({ code: 'FST_ERR_MAX_PARAM_LENGTH' }));
      else admitThenProceed(call, match.target);
    } catch (err) {
      fail(call, err);
    }
  }

  function serve(req: IncomingMessage, res: ServerResponse): boolean {
    const match = route(req.method ?? 'GET', req.url ?? '', req.headers);
    if (match === undefined) return false;
    serveRoute(req, res, match);
    return true;
  }

  function admitThenProceed(call: Call, upstream: Upstream): void {
    const { req } = call;
    const admission = admit(deps, req.method ?? 'GET', req.url ?? '', req.headers.authorization, call.ip);
    if (admission instanceof Promise)
      admission.then(
        (a) => proceed(call, a, upstream),
        (err) => fail(call, err),
      );
    else proceed(call, admission, upstream);
  }

  function open(req: EdgeRequest, res: EdgeResponse, route: string): Call {
    const id = requestIdOf(req.headers['x-request-id']);
    const parent = clientTraceContext(req.headers);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const method = req.method ?? 'GET';
    const span = deps.tracer.startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'http.route': route,
          'url.path': q === -1 ? url : url.slice(0, q),
        },
      },
      parent,
    );
    const ids = span.spanContext();
    const call: Call = {
      req,
      res,
      id,
      span,
      traceId: ids.traceId,
      traceparent: `00-${ids.traceId}-${ids.spanId}-${ids.traceFlags & 1 ? '01' : '00'}`,
      route,
      caller: null,
      body: null,
      ip: clientAddress(req, deps.trustProxy),
      protocol: clientProtocol(req, deps.trustProxy),
      startedAt: performance.now(),
      problem: null,
      failure: null,
    };
    // `on`, not `once`: a response closes once, and once's wrapper costs a closure and a removal per request.
    res.on('close', () => finished(call));
    return call;
  }

  /** finished records the request once its answer is out, or once the client left (the span then has no status). */
  function finished(call: Call): void {
    const { res } = call;
    if (!res.writableFinished) {
      endSpan(call);
      return;
    }
    const ms = performance.now() - call.startedAt;
    deps.duration.observe(call.req.method ?? 'GET', call.route, res.statusCode, ms / 1000);
    // A service down, slow or cut off is answered by the gateway itself: once, for the operator (a 500 is logged
    // where it happened, with its error).
    if (call.problem !== null && call.problem.status > 500) warnFailed(call, res.statusCode);
    // At debug level only: the line names its trace itself, as the hot path switches no async context.
    if (deps.log.isLevelEnabled('debug'))
      deps.log.debug(
        {
          traceId: call.traceId,
          spanId: call.span?.spanContext().spanId,
          requestId: call.id,
          method: call.req.method,
          route: call.route,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request completed',
      );
    endSpan(call, res.statusCode);
  }

  function warnFailed(call: Call, status: number): void {
    const { problem, failure } = call;
    deps.log.warn(
      {
        traceId: call.traceId,
        spanId: call.span?.spanContext().spanId,
        requestId: call.id,
        method: call.req.method,
        route: call.route,
        status,
        code: problem?.code,
        detail: problem?.message,
        ...failure,
      },
      'upstream failed',
    );
  }

  function proceed(call: Call, admission: Awaited<ReturnType<typeof admit>>, upstream: Upstream): void {
    if (admission instanceof AppError) {
      writeProblem(call, admission);
      return;
    }
    call.caller = admission.caller;
    const { req } = call;
    const declared = req.headers['content-length'];
    if (declared === undefined ? req.headers['transfer-encoding'] === undefined : declared === '0') {
      deps.forward(call, upstream);
      return;
    }
    // Bodies pass through as bytes, whatever their type: counted against the limit, never parsed.
    if (Number(declared) > deps.bodyLimit) writeProblem(call, payloadTooLarge(deps.bodyLimit));
    else readBody(call, deps.bodyLimit, () => deps.forward(call, upstream));
  }

  function fail(call: Call, err: unknown): void {
    deps.log.error({ err, traceId: call.traceId, requestId: call.id }, 'unhandled error');
    writeProblem(call, internal());
  }

  return {
    route,
    serveRoute,
    serve,
    close() {
      state.closing = true;
    },
  };
}

/** readBody gathers the body, answering 413 as soon as it grows past the limit (a chunked body has no length). */
function readBody(call: Call, limit: number, then: () => void): void {
  const { req } = call;
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      writeProblem(call, payloadTooLarge(limit));
    } else chunks.push(chunk);
  });
  req.on('end', () => {
    if (over) return;
    call.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    then();
  });
}

/** decodedPath: the URL's path with percent escapes decoded, as routes match; undefined when malformed. */
function decodedPath(url: string): string | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

function clientAddress(req: EdgeRequest, trustProxy: boolean): string {
  return (trustProxy && lastForwarded(req.headers['x-forwarded-for'])) || (req.socket.remoteAddress ?? '');
}

function clientProtocol(req: EdgeRequest, trustProxy: boolean): string {
  const forwarded = trustProxy ? lastForwarded(req.headers['x-forwarded-proto']) : undefined;
  return forwarded ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
}
