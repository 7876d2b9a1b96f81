// Calls to another service's gRPC API: trace context, request id and the internal key go along; a deadline bounds
// every call; only idempotent methods are retried; a circuit breaker per upstream fails fast while it is down.
import { isIP } from 'node:net';
import { Client, credentials, Metadata, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  retry,
} from 'cockatiel';
import { Gauge, type Registry } from 'prom-client';
import { ConfigError } from '../config/index.ts';
import { requestIdKey } from '../telemetry/tracing.ts';
import { noChannelz } from './channelz.ts';
import { currentDeadline } from './deadline.ts';
import { Code, errorOf, GrpcError } from './errors.ts';

export type GrpcClientOptions = {
  /** The upstream's name, in spans, errors and the breaker gauge's label. */
  upstream: string;
  service: ServiceDefinition;
  /**
   * host:port or a gRPC target (`dns:///name:port`, balanced over the name's addresses), or several IP:port
   * separated by commas (replicas): one channel balances round robin over the replicas whose connection is up.
   */
  target: string;
  tracer: Tracer;
  internalKey?: string;
  /** Longest a call may take, retries included; the deadline of the work it runs for (currentDeadline) may cut it shorter. */
  timeoutMs: number;
  /** The methods safe to send twice (idempotent): only these are retried. */
  idempotent: readonly string[];
  retries?: number; // retries after an UNAVAILABLE answer; default 2
  backoffMs?: number; // first retry delay, exponential with jitter; default 50
  breakerThreshold?: number; // consecutive failures that open the breaker; default 5
  halfOpenAfterMs?: number; // how long it stays open before one trial call; default 5000
  /** Where grpc_client_circuit_breaker_state{upstream} is registered (0 closed, 1 half-open, 2 open). */
  registry?: Registry;
};

export type GrpcClient = {
  call<T>(method: string, request: unknown): Promise<T>;
  breakerState(): CircuitState;
  close(): void;
};

const channelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // A restarted replica is found again within seconds, not grpc-js's default two minutes.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 5000,
  ...noChannelz,
};
const metaSetter = { set: (md: Metadata, key: string, value: string) => md.set(key, value) };

export function createGrpcClient(options: GrpcClientOptions): GrpcClient {
  const { upstream, service, tracer, timeoutMs } = options;
  const client = new Client(channelTarget(upstream, options.target), credentials.createInsecure(), channelOptions);
  const idempotent = new Set(options.idempotent);
  // Deadlines the caller brought are not the upstream's fault when they run out.
  const callersDeadline = new WeakSet<object>();
  const transport = (e: unknown) => e instanceof GrpcError && !e.problem;
  const retries = retry(
    handleWhen((e) => transport(e) && (e as GrpcError).grpcCode === Code.UNAVAILABLE),
    {
      maxAttempts: options.retries ?? 2,
      backoff: new ExponentialBackoff({ initialDelay: options.backoffMs ?? 50, maxDelay: 1000 }),
    },
  );
  const breaker = circuitBreaker(
    handleWhen(
      (e) =>
        transport(e) &&
        [Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.INTERNAL, Code.UNKNOWN].includes((e as GrpcError).grpcCode) &&
        !callersDeadline.has(e as object),
    ),
    { halfOpenAfter: options.halfOpenAfterMs ?? 5000, breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5) },
  );
  if (options.registry) {
    const gauge = breakerGauge(options.registry);
    gauge.set({ upstream }, breakerSeverity(CircuitState.Closed));
    breaker.onStateChange((state) => gauge.set({ upstream }, breakerSeverity(state)));
  }

  function once<T>(method: string, request: unknown, deadline: number, ours: boolean): Promise<T> {
    const def = service[method];
    const span = tracer.startSpan(`grpc ${upstream}/${method}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': def.path.split('/')[1],
        'rpc.method': method,
        'peer.service': upstream,
      },
    });
    const metadata = new Metadata();
    propagation.inject(trace.setSpan(context.active(), span), metadata, metaSetter);
    const requestId = context.active().getValue(requestIdKey);
    if (typeof requestId === 'string') metadata.set('x-request-id', requestId);
    if (options.internalKey) metadata.set('x-internal-key', options.internalKey);
    return new Promise<T>((resolve, reject) => {
      client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        metadata,
        { deadline },
        (err: ServiceError | null, value?: unknown) => {
          span.setAttribute('rpc.grpc.status_code', err ? err.code : Code.OK);
          if (!err) {
            span.end();
            return resolve(value as T);
          }
          const error = errorOf(upstream, err);
          if (error.grpcCode === Code.DEADLINE_EXCEEDED && !ours) callersDeadline.add(error);
          if (transport(error)) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          span.end();
          reject(error);
        },
      );
    });
  }

  return {
    async call<T>(method: string, request: unknown): Promise<T> {
      if (!service[method]) throw new Error(`${upstream} has no gRPC method ${method}`);
      const own = Date.now() + timeoutMs;
      const deadline = Math.min(own, currentDeadline() ?? own);
      const attempt = () => {
        if (Date.now() >= deadline)
          throw new GrpcError(
            Code.DEADLINE_EXCEEDED,
            504,
            `${upstream}/${method}: the deadline passed before the call`,
          );
        return breaker.execute(() => once<T>(method, request, deadline, deadline === own));
      };
      try {
        return await (idempotent.has(method) ? retries.execute(attempt) : attempt());
      } catch (err) {
        if (isBrokenCircuitError(err))
          throw new GrpcError(Code.UNAVAILABLE, 503, `${upstream} is failing; its circuit breaker is open`);
        throw err;
      }
    },
    breakerState: () => breaker.state,
    close: () => client.close(),
  };
}

/** The gauge orders states by how much they refuse, as payments' breakers do, so `max` means the worst. */
const breakerSeverity = (state: CircuitState) =>
  state === CircuitState.Closed ? 0 : state === CircuitState.HalfOpen ? 1 : 2;

/**
 * channelTarget makes one gRPC target of the replica list: grpc-js's ipv4:/ipv6: resolvers take several addresses,
 * and round_robin then picks only replicas whose connection is ready, so a dead one is skipped at once.
 */
export function channelTarget(upstream: string, target: string): string {
  const replicas = target
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (replicas.length === 1) return replicas[0];
  const families = new Set(replicas.map((r) => isIP(r.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'))));
  if (families.size !== 1 || families.has(0))
    throw new ConfigError(
      `the ${upstream} gRPC target lists several replicas that are not all IPv4 or all IPv6 addresses (${target}): list addresses, or give one DNS name (dns:///name:port) whose addresses are the replicas`,
    );
  return `${families.has(4) ? 'ipv4' : 'ipv6'}:${replicas.join(',')}`;
}

function breakerGauge(registry: Registry): Gauge<'upstream'> {
  return (
    (registry.getSingleMetric('grpc_client_circuit_breaker_state') as Gauge<'upstream'> | undefined) ??
    new Gauge({
      name: 'grpc_client_circuit_breaker_state',
      help: 'Circuit breaker per gRPC upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'],
      registers: [registry],
    })
  );
}
