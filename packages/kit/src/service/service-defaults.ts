// One call gives a service its defaults: database (migrated), logs, traces, metrics, server, outbox relay, shutdown.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import { Gauge, Registry } from 'prom-client';
import { type Db, openDatabase } from '../database/db.ts';
import { migrate } from '../database/migrate.ts';
import type { SharedPglite } from '../database/pglite.ts';
import { ensureDatabase } from '../database/postgres.ts';
import { traced } from '../database/traced.ts';
import { type GrpcServer, type Handler, startGrpcServer } from '../grpc/server.ts';
import type { Broker } from '../messaging/broker.ts';
import { armCrashPoint, passCrashPoint } from '../messaging/crash-point.ts';
import type { Envelope } from '../messaging/envelope.ts';
import { type EffectHandler, inbox } from '../messaging/inbox.ts';
import { OutboxRelay } from '../messaging/outbox-relay.ts';
import { ensureMessagingTables } from '../messaging/schema.ts';
import { type App, createServer } from '../server/create-server.ts';
import { LogStore } from '../telemetry/log-store.ts';
import { createLogger, type Logger, type LogSink } from '../telemetry/logger.ts';
import { SpanStore } from '../telemetry/span-store.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { consumerMetrics, messagingMetrics } from './messaging-metrics.ts';
import { opsRoutes } from './ops-routes.ts';

/** What the process gives every service: where data lives, the broker, and the shared observability sinks. */
export type Platform = {
  broker: Broker;
  internalKey: string;
  /** Embedded mode: the one PGlite its services share, each in a schema named after it. */
  pglite?: SharedPglite;
  /** Without a shared PGlite: each service's own PGlite directory lives under it ('memory://' for tests). */
  dataRoot?: string;
  /** Embedded mode: where PGlite keeps what it can remake (the empty database new ones are copied from). */
  cacheDir?: string;
  /** Cluster mode: the PostgreSQL server; each service gets database bazaar_<name>. */
  databaseUrl?: string;
  /** Overrides the database name on that server (tests use a fresh one per file). */
  databaseName?: string;
  /** Connections this process keeps to PostgreSQL (each replica its own pool). */
  databasePoolSize?: number;
  /** Recent spans and log lines for the console; shared by all services in embedded mode, one per process otherwise. */
  spanStore?: SpanStore;
  logStore?: LogStore;
  logSink?: LogSink;
  /** OTLP/HTTP collector (OTEL_EXPORTER_OTLP_ENDPOINT); spans are exported there too when set. */
  otlpEndpoint?: string;
  logLevel?: string;
  outboxSweepMs?: number;
  /** How long published outbox rows are kept before the relay deletes them (OUTBOX_RETENTION_SECONDS). */
  outboxRetentionMs?: number;
  /** Fault tests: `<service>/<point>@<n>` kills this process at that point (see crash-point.ts); once per onceFile. */
  crashAt?: string;
  crashOnceFile?: string;
};

/** How a service consumes: which deliveries are worth an inbox transaction, and what runs once one has committed. */
export type ConsumeOptions<T> = {
  /**
   * Decides from the envelope alone whether a delivery is news to this service; one it declines is acknowledged
   * without a transaction or an inbox row, and counted with the outcome `declined`. Default: all.
   */
  accept?: (event: Envelope) => boolean;
  /** Runs after the effect's transaction has committed, with its result; not for a redelivery the inbox absorbed. */
  afterCommit?: (result: T) => void;
};

export type ServiceKit = {
  name: string;
  db: Db;
  log: Logger;
  tracer: Tracer;
  registry: Registry;
  app: App;
  relay: OutboxRelay;
  /**
   * Subscribes this service's queue to these event types: each event's effect runs at most once (the inbox),
   * inside the event's trace, with lag and outcome measured.
   */
  consume<T>(types: string[], effect: EffectHandler<T>, options?: ConsumeOptions<T>): Promise<void>;
  /**
   * Serves these gRPC handlers beside the HTTP server, with this service's traces, logs, metrics and internal key;
   * the server drains when the service stops.
   */
  serveGrpc(
    service: ServiceDefinition,
    handlers: Record<string, Handler>,
    port: number,
    host?: string,
  ): Promise<GrpcServer>;
  /** Registers work to do at stop, after the server has drained (newest first). */
  onStop(fn: () => Promise<void> | void): void;
  listen(port: number, host?: string): Promise<string>;
  stop(): Promise<void>;
};

export async function serviceDefaults(
  name: string,
  platform: Platform,
  options: { migrations: URL; readiness?: Record<string, () => Promise<unknown>> },
): Promise<ServiceKit> {
  const spans = platform.spanStore ?? new SpanStore();
  const logs = platform.logStore ?? new LogStore();
  const log = createLogger(name, { level: platform.logLevel, sink: platform.logSink, store: logs });
  const registry = new Registry();
  registry.setDefaultLabels({ service: name });
  const tracing = await createTracing(name, spans, platform.otlpEndpoint, { log, registry });
  const rawDb = platform.databaseUrl
    ? await openDatabase({
        url: await ensureDatabase(platform.databaseUrl, platform.databaseName ?? `bazaar_${name}`),
        poolSize: platform.databasePoolSize,
      })
    : platform.pglite
      ? await platform.pglite.open(name)
      : await openDatabase({
          dataDir: platform.dataRoot?.startsWith('memory://') ? 'memory://' : join(platform.dataRoot ?? 'data', name),
          cacheDir: platform.cacheDir,
        });
  await migrate(rawDb, fileURLToPath(options.migrations));
  await ensureMessagingTables(rawDb);
  const db = traced(rawDb, tracing.tracer);
  // First in the registry: a scrape collects in registration order, so the pool is read before the outbox gauges'
  // async collectors take connections for their own queries, and the figures show the service's work, not the scrape's.
  poolMetrics(registry, db);
  const app = createServer({
    service: name,
    log,
    tracer: tracing.tracer,
    registry,
    internalKey: platform.internalKey,
    readiness: { database: () => db.query('SELECT 1'), ...options.readiness },
  });
  // Loads @fastify/swagger now: its onRoute hook only sees routes declared after it, and the service's come next.
  await app.after();
  armCrashPoint(name, platform.crashAt, platform.crashOnceFile);
  // Under a crash point, the relay's publish may die right after the broker's confirm, before the row is marked sent.
  const relayBroker: Broker = platform.crashAt
    ? Object.create(platform.broker, {
        publish: {
          value: (event: Envelope) => platform.broker.publish(event).then(() => passCrashPoint('outbox-published')),
        },
      })
    : platform.broker;
  const relay = new OutboxRelay(db, relayBroker, log, {
    sweepMs: platform.outboxSweepMs,
    retainMs: platform.outboxRetentionMs,
    tracer: tracing.tracer,
  });
  opsRoutes(app, { service: name, spans, logs, relay, broker: platform.broker });
  messagingMetrics(registry, name, relay, platform.broker);
  const stoppers: (() => Promise<void> | void)[] = [];
  const consumed = consumerMetrics(registry);

  return {
    name,
    db,
    log,
    tracer: tracing.tracer,
    registry,
    app,
    relay,
    async consume(types, effect, { accept, afterCommit } = {}) {
      // The line is written inside the event's span, so the console finds it under the trace that caused the event.
      const logged: typeof effect = (tx, event) => {
        log.debug({ type: event.type, eventId: event.id }, 'handling event');
        return effect(tx, event);
      };
      const handle = inbox(db, name, tracing.tracer, logged, afterCommit);
      await platform.broker.subscribe(name, types, async (event) => {
        const done = consumed.start(event);
        try {
          const accepted = !accept || accept(event);
          if (accepted) await handle(event);
          done(accepted ? 'handled' : 'declined');
        } catch (err) {
          done('failed');
          throw err;
        }
      });
    },
    async serveGrpc(service, handlers, port, host = '127.0.0.1') {
      const options = { service, handlers, tracer: tracing.tracer, log, registry, internalKey: platform.internalKey };
      const server = await startGrpcServer(options, port, host);
      stoppers.push(() => server.stop());
      return server;
    },
    onStop: (fn) => stoppers.push(fn),
    async listen(port, host = '127.0.0.1') {
      await relay.start();
      const address = await app.listen({ port, host });
      log.info({ address }, 'service listening');
      return address;
    },
    async stop() {
      await app.close();
      for (const fn of stoppers.reverse()) await fn();
      await relay.stop();
      await db.close();
      await tracing.shutdown();
      log.info('service stopped');
      log.flush();
    },
  };
}

/** Database pool use, read when Prometheus scrapes: connections open, idle, and callers waiting for one. */
function poolMetrics(registry: Registry, db: Db): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database connections of this process by state: total (open), idle, waiting (callers queued for one)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { total, idle, waiting } = db.stats();
      this.set({ state: 'total' }, total);
      this.set({ state: 'idle' }, idle);
      this.set({ state: 'waiting' }, waiting);
    },
  });
}
