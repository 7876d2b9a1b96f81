// A gRPC server beside a service's HTTP one: the internal key checked, the trace continued, errors mapped, calls logged.
import { type handleUnaryCall, type Metadata, Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { Histogram, type Registry } from 'prom-client';
import { sameSecret } from '../server/auth.ts';
import { AppError } from '../server/errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { withRequestId } from '../telemetry/tracing.ts';
import { noChannelz } from './channelz.ts';
import { withDeadline } from './deadline.ts';
import { Code, statusOf } from './errors.ts';

/**
 * A handler gets the decoded request and answers the response message; throwing an AppError refuses the call.
 * `cancelled` aborts when the caller cancels or its deadline passes: work nobody waits for any more can stop.
 */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares its own request message type.
export type Handler = (request: any, metadata: Metadata, cancelled: AbortSignal) => Promise<unknown>;

export type GrpcServerOptions = {
  service: ServiceDefinition;
  handlers: Record<string, Handler>;
  tracer: Tracer;
  log: Logger;
  registry?: Registry;
  /** When set, calls must carry it in x-internal-key metadata, else UNAUTHENTICATED. */
  internalKey?: string;
};

export type GrpcServer = { url: string; port: number; stop(): Promise<void> };

/** metaGetter reads W3C trace context out of gRPC metadata. */
export const metaGetter = {
  keys: (md: Metadata) => Object.keys(md.getMap()),
  get: (md: Metadata, key: string) => md.get(key).map(String),
};

export async function startGrpcServer(
  options: GrpcServerOptions,
  port: number,
  host = '127.0.0.1',
): Promise<GrpcServer> {
  const server = new Server(noChannelz);
  const seconds = options.registry && handlingSeconds(options.registry);
  const implementation: Record<string, handleUnaryCall<unknown, unknown>> = {};
  for (const method of Object.keys(options.service)) {
    const handler = options.handlers[method];
    if (!handler) throw new Error(`no handler for gRPC method ${method}`);
    implementation[method] = (call, callback) => {
      const started = performance.now();
      const cancelled = new AbortController();
      call.once('cancelled', () => cancelled.abort());
      const parent = propagation.extract(ROOT_CONTEXT, call.metadata, metaGetter);
      const span = options.tracer.startSpan(
        `grpc ${method}`,
        { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.method': method } },
        parent,
      );
      let ctx = trace.setSpan(parent, span);
      const [requestId] = call.metadata.get('x-request-id');
      if (typeof requestId === 'string') ctx = withRequestId(ctx, requestId);
      const deadline = Number(call.getDeadline());
      if (Number.isFinite(deadline)) ctx = withDeadline(ctx, deadline);
      const finish = (code: Code) => {
        span.setAttribute('rpc.grpc.status_code', code);
        if (code === Code.INTERNAL || code === Code.UNKNOWN) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        seconds?.observe({ method, code: Code[code] }, (performance.now() - started) / 1000);
      };
      context.with(ctx, async () => {
        try {
          const [key] = call.metadata.get('x-internal-key');
          if (options.internalKey !== undefined && (typeof key !== 'string' || !sameSecret(key, options.internalKey)))
            throw new AppError('UNAUTHENTICATED', 401, 'Calls must carry the internal key.');
          callback(null, await handler(call.request, call.metadata, cancelled.signal));
          options.log.debug({ method, ms: Math.round(performance.now() - started) }, 'grpc call completed');
          finish(Code.OK);
        } catch (err) {
          const status = statusOf(err, span.spanContext().traceId);
          if (status.code === Code.INTERNAL) options.log.error({ err, method }, 'grpc call failed');
          else options.log.debug({ method, code: Code[status.code], details: status.details }, 'grpc call refused');
          callback(status);
          finish(status.code);
        }
      });
    };
  }
  server.addService(options.service, implementation);
  const address = host.includes(':') ? `[${host}]` : host; // IPv6
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${address}:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const url = `${address}:${bound}`;
  options.log.info({ address: url }, 'grpc listening');
  return {
    url,
    port: bound,
    // Lets calls in flight finish for a moment, then cuts the rest.
    stop: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function handlingSeconds(registry: Registry): Histogram<'method' | 'code'> {
  return (
    (registry.getSingleMetric('grpc_server_handling_seconds') as Histogram<'method' | 'code'> | undefined) ??
    new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'gRPC calls served, by method and status code',
      labelNames: ['method', 'code'],
      registers: [registry],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    })
  );
}
