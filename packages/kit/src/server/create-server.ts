// The Fastify server every service starts from: health, readiness, metrics, problems, tracing and OpenAPI.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Registry } from 'prom-client';
import secureJson from 'secure-json-parse';
import type { Logger } from '../telemetry/logger.ts';
import { withRequestId } from '../telemetry/tracing.ts';
import { type Access, type Caller, callerOf, enforce } from './auth.ts';
import { FORBIDDEN_KEY, frameworkError, installErrorAnswers } from './error-answers.ts';
import { problemOf, validationFailed } from './errors.ts';
import { fastifyLoggers } from './fastify-loggers.ts';
import { httpMetrics } from './metrics.ts';
import { installProbeRoutes } from './probe-routes.ts';
import { probeRoutes, probeTraceId } from './probes.ts';
import { requestIdOf } from './request-id.ts';
import { installValidators } from './validation.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
    span?: Span;
    traceContext?: Context;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** Reachable without the internal key: health probes and metrics scrapers do not carry it. */
    exposed?: boolean;
  }
}

export type ServerOptions = {
  service: string;
  log: Logger;
  tracer: Tracer;
  registry: Registry;
  /** When set, requests must carry it in x-internal-key: only the gateway knows it. */
  internalKey?: string;
  bodyLimit?: number;
  /** Named checks run by /readyz; a check that throws makes the service not ready. */
  readiness?: Record<string, () => Promise<unknown>>;
  title?: string;
};

const isEmptyBody = (body: unknown) =>
  body == null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);

/** nulAt names where a U+0000 hides in parsed input (keys included), walking without recursion; undefined if none. */
export function nulAt(value: unknown, root: string): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (k.includes('\u0000')) return path || '(body)';
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

export function createServer(options: ServerOptions): App {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const app = Fastify({
    // Fastify's startup line puts the address in its message: the service logs 'service listening' instead.
    ...fastifyLoggers(options.log),
    // Our onResponse hook logs requests with trace ids; Fastify's own per-request lines would repeat it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    // Long enough for any id a schema allows, so the schema judges it (400) rather than the router.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // A malformed URL or an over-long path segment is answered as a problem like every other error.
    // It comes before the onRequest hook, so its span is started and ended here.
    frameworkErrors: (error, req, reply) => {
      const appError = frameworkError(error);
      const span = startRequestSpan(options.tracer, req as unknown as FastifyRequest).span;
      span.setAttribute('http.response.status_code', appError.status);
      span.end();
      const traceId = span.spanContext().traceId;
      return (reply as unknown as FastifyReply)
        .header('x-request-id', req.id)
        .header('x-trace-id', traceId)
        .code(appError.status)
        .type('application/problem+json')
        .send(problemOf(appError, traceId));
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  installValidators(app);
  // An empty body under a JSON content type is no body, as without one: clients that always send the header still
  // reach routes that take none (a route that needs one refuses the missing body as invalid).
  // JSON is UTF-8 (RFC 8259): bytes that are not are refused as invalid JSON, not stored as U+FFFD in their place.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    try {
      // __proto__ and constructor.prototype keys (prototype pollution) are refused, and said to be.
      done(
        null,
        secureJson.parse(utf8.decode(body as Buffer), undefined, { protoAction: 'error', constructorAction: 'error' }),
      );
    } catch (err) {
      const code = /forbidden prototype/.test(String(err)) ? FORBIDDEN_KEY : 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(Object.assign(new Error('body is not valid JSON'), { code, statusCode: 400 }));
    }
  });
  // JSON only: a text/plain body is refused as an unsupported type (415), as a form is, not read as a string (400).
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('caller', null);
  const metrics = httpMetrics(options.registry);

  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    if (probeRoutes.has(req.routeOptions.url ?? '')) {
      req.traceContext = withRequestId(context.active(), req.id);
      reply.header('x-trace-id', probeTraceId(propagation.extract(context.active(), req.headers)));
    } else {
      const { span, parent } = startRequestSpan(options.tracer, req);
      req.span = span;
      req.traceContext = withRequestId(trace.setSpan(parent, span), req.id);
      reply.header('x-trace-id', span.spanContext().traceId);
    }
    // Without the internal key a request is refused here, before its body is read or parsed (preValidation checks
    // the identity again once the body is in).
    if (!req.routeOptions.config.exposed) {
      try {
        callerOf(req, options.internalKey);
      } catch (err) {
        return context.with(req.traceContext, () => done(err as Error));
      }
    }
    context.with(req.traceContext, done);
  });

  // Identity is checked before the body is validated, so an unauthorised caller learns nothing of the schema.
  app.addHook('preValidation', (req, _reply, done) => {
    req.caller = req.routeOptions.config.exposed ? null : callerOf(req, options.internalKey);
    enforce(req.routeOptions.config.access ?? 'public', req.caller);
    context.with(req.traceContext ?? context.active(), done);
  });

  // PostgreSQL text cannot hold U+0000: a string carrying it is refused as invalid, not left to fail in SQL as a 500.
  // A route without a body schema takes no body: one with fields is refused, as unknown fields are everywhere.
  app.addHook('preHandler', (req, _reply, done) => {
    if (!req.routeOptions.schema?.body && !isEmptyBody(req.body))
      return done(validationFailed([{ path: '(body)', message: 'this request takes no body' }]));
    const at = nulAt(req.params, 'params') ?? nulAt(req.query, 'querystring') ?? nulAt(req.body, '');
    if (at === undefined) return done();
    done(validationFailed([{ path: at || '(body)', message: 'must not contain the NUL character (U+0000)' }]));
  });

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.observe(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    req.span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) req.span?.setStatus({ code: SpanStatusCode.ERROR });
    req.span?.end();
    // A probe (no span) answering 503 says 'not ready': its answer, not a failure to shout about every second.
    const probe = req.span === undefined;
    const failed = reply.statusCode >= 500 && !probe;
    // The response has gone: the request's context is entered again so that its lines carry its ids.
    context.with(req.traceContext ?? context.active(), () => {
      // 503 is a dependency that could not be reached, which the answer says; any other 5xx is a fault of ours.
      if (failed)
        req.log[reply.statusCode === 503 ? 'warn' : 'error'](
          { method: req.method, url: req.url, status: reply.statusCode },
          'request failed',
        );
      else
        req.log.debug(
          { method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime },
          'request completed',
        );
    });
    done();
  });

  installErrorAnswers(app, bodyLimit);
  app.register(swagger, {
    openapi: { openapi: '3.1.0', info: { title: options.title ?? `Bazaar ${options.service}`, version: '1.0.0' } },
    // Each operation says who may call it (`x-access`), so the gateway's document and rules can be held to it.
    transform: ({ schema, url, route }) => ({
      schema: { ...schema, 'x-access': route.config?.access ?? 'public' } as typeof schema,
      url,
    }),
  });
  installProbeRoutes(app, options);

  return app;
}

/** The request's SERVER span, a child of the caller's traceparent when it sent one. */
function startRequestSpan(tracer: Tracer, req: FastifyRequest): { span: Span; parent: Context } {
  const parent = propagation.extract(context.active(), req.headers);
  const route = req.routeOptions?.url ?? 'unmatched';
  const span = tracer.startSpan(
    `${req.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': req.url.split('?')[0] },
    },
    parent,
  );
  return { span, parent };
}
