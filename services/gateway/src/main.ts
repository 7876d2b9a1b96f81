// The gateway owns nothing durable: it is the one public entry, verifying callers and routing them to the services.

import { httpMetrics } from '@bazaar/kit/server';
import type { Platform } from '@bazaar/kit/service';
import { createLogger, createTracing, type Logger, LogStore, SpanStore } from '@bazaar/kit/telemetry';
import type { JSONWebKeySet } from 'jose';
import { Registry } from 'prom-client';
import { cors, corsHeaders, parseOrigins } from './api/cors.ts';
import { createEdgeServer } from './api/edge-server.ts';
import { appRoutes, consoleRoutes, opsRoutes, pageUrl } from './api/mounts.ts';
import { operationsRoutes } from './api/operations-routes.ts';
import { withOpsPaths } from './api/ops/openapi.ts';
import { TraceIndex } from './api/ops/trace-index.ts';
import { proxyEdge } from './api/proxy-edge.ts';
import { remoteKeys } from './clients/jwks.ts';
import { getJsonFromAny, type Upstream, upstream } from './clients/upstreams.ts';
import { type GatewayConfig, loadConfig } from './config.ts';
import { type KnownRoutes, knownRoutes } from './domain/known-routes.ts';
import { type RateLimiter, tokenBucketLimiter } from './domain/rate-limit.ts';
import { type ServiceName, serviceNames } from './domain/routes.ts';
import { apiCatalogue } from './use-cases/api-catalogue.ts';
import { authenticator } from './use-cases/authenticate.ts';
import { checkReadiness } from './use-cases/check-readiness.ts';
import { forwarder } from './use-cases/forward-request.ts';

/**
 * What the gateway takes from the process: no broker and no database, only the shared key and observability sinks
 * (the span and log stores are shared with the services in embedded mode; else the gateway keeps its own).
 */
export type GatewayPlatform = Pick<
  Platform,
  'internalKey' | 'spanStore' | 'logStore' | 'logSink' | 'logLevel' | 'otlpEndpoint'
>;

// Deadline of the gateway's own calls to the services: keys, readiness probes, OpenAPI documents.
const CHECK_TIMEOUT_MS = 2_000;
// How long start-up waits for Redis before serving anyway (requests pass uncounted until it answers).
const REDIS_WAIT_MS = 2_000;

export async function start(platform: GatewayPlatform, overrides: Partial<GatewayConfig> = {}) {
  const config = loadConfig(overrides);
  const { internalKey } = platform;
  const logs = platform.logStore ?? new LogStore();
  const log = createLogger('gateway', { level: platform.logLevel, sink: platform.logSink, store: logs });
  const traces = new TraceIndex(platform.spanStore ?? new SpanStore());
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gateway' });
  const tracing = await createTracing('gateway', traces, platform.otlpEndpoint, { log, registry });

  const urls: Record<ServiceName, string> = {
    users: config.usersUrl,
    inventory: config.inventoryUrl,
    orders: config.ordersUrl,
    payments: config.paymentsUrl,
    shipping: config.shippingUrl,
  };
  const upstreams = Object.fromEntries(
    serviceNames.map((name) => [
      name,
      upstream(name, urls[name], {
        connections: config.upstreamConnections,
        connectTimeoutMs: config.connectTimeoutMs,
        balance: config.balance,
        healthIntervalMs: config.healthIntervalMs,
        healthTimeoutMs: config.healthTimeoutMs,
        registry,
        log,
      }),
    ]),
  ) as Record<ServiceName, Upstream>;

  const keys = remoteKeys(
    () =>
      getJsonFromAny(
        upstreams.users,
        '/.well-known/jwks.json',
        internalKey,
        CHECK_TIMEOUT_MS,
      ) as Promise<JSONWebKeySet>,
  );
  const authenticate = authenticator(keys, { issuer: config.issuer, audience: config.audience });
  const limiter = await rateLimiter(config, log, registry);
  // The services' operations, learnt from their documents once all have answered; asking keeps them fresh.
  let operations: KnownRoutes | undefined;
  const catalogue = apiCatalogue(upstreams, {
    internalKey,
    timeoutMs: CHECK_TIMEOUT_MS,
    onBuilt: (doc, missing) => {
      if (missing.length === 0) operations = knownRoutes(doc.paths);
    },
  });
  const known = () => {
    catalogue().catch(() => {}); // rebuilt only once the kept document is stale
    return operations;
  };
  const { forward, drain } = forwarder({
    log,
    registry,
    internalKey,
    trustProxy: config.trustProxy,
    headersTimeoutMs: config.upstreamTimeoutMs,
    idleTimeoutMs: config.upstreamIdleMs,
    streamsPerClient: config.streamsPerClient,
  });

  const origins = parseOrigins(config.corsOrigins);
  const duration = httpMetrics(registry);
  const proxy = proxyEdge({
    upstreams,
    authenticate,
    limiter,
    known,
    forward,
    tracer: tracing.tracer,
    log,
    duration,
    cors: corsHeaders(origins),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
  });
  const app = createEdgeServer({
    log,
    tracer: tracing.tracer,
    registry,
    duration,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    proxy,
    rewriteUrl: pageUrl,
  });
  cors(app, origins);
  operationsRoutes(app, {
    registry,
    notReady: () => checkReadiness(upstreams, internalKey, CHECK_TIMEOUT_MS),
    apiDocument: withOpsPaths(catalogue),
  });
  opsRoutes(app, { authenticate, limiter, known, upstreams, internalKey, traces, logs, timeoutMs: CHECK_TIMEOUT_MS });
  appRoutes(app);
  consoleRoutes(app);
  // Open event streams would hold the server open forever, keep-alive clients for a while: end both when closing.
  app.addHook('preClose', (done) => {
    proxy.close();
    drain();
    done();
  });

  const closeClients = async () => {
    await Promise.all(Object.values(upstreams).map((u) => u.close()));
    await limiter?.close();
  };
  if (limiter?.ready && !(await limiter.ready(REDIS_WAIT_MS)))
    log.warn('Redis is not answering yet; requests are not rate limited until it does');
  const url = await app.listen({ port: config.port, host: config.host }).catch(async (err) => {
    await closeClients();
    throw err;
  });
  log.info(
    { address: url, upstreams: urls, rateLimit: limiter ? (config.redisUrl ? 'redis' : 'memory') : 'off' },
    'gateway listening',
  );
  known(); // learn the services' operations now, not at the first anonymous request

  return {
    name: 'gateway' as const,
    url,
    config,
    app,
    log,
    tracer: tracing.tracer,
    registry,
    upstreams,
    /** Never throws: a failure to close is logged, and the spans, the last line and the flush still go. */
    async stop() {
      try {
        await app.close();
        await closeClients();
      } catch (err) {
        log.error({ err }, 'gateway stop failed');
      }
      await tracing.shutdown(); // bounded and never throws: a collector that is down costs one warn line
      log.info('gateway stopped');
      log.flush();
    },
  };
}

export type Gateway = Awaited<ReturnType<typeof start>>;

/**
 * rateLimiter: none when RATE_LIMIT_RPS is 0; shared through Redis when REDIS_URL is set (the Redis client loaded
 * only then); else in this process.
 */
async function rateLimiter(
  config: GatewayConfig,
  log: Logger,
  registry: Registry,
): Promise<(RateLimiter & { ready?: (timeoutMs: number) => Promise<boolean> }) | null> {
  if (config.rateLimitRps <= 0) return null;
  if (!config.redisUrl) return tokenBucketLimiter(config.rateLimitRps);
  const { redisTokenBucketLimiter } = await import('./clients/redis-rate-limit.ts');
  return redisTokenBucketLimiter({
    url: config.redisUrl,
    rps: config.rateLimitRps,
    keyPrefix: `${config.namespace}:gateway:rate:`,
    log,
    registry,
  });
}
