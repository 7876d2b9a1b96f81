// The settings of `bazaar up`; each service reads its own (ports, URLs) from the environment too.
import { describeConfig, int, optional, readConfig, type Setting, str } from '@bazaar/kit/config';

export const spec = {
  port: int('PORT', 'Port of the gateway, the one public entry', 8080),
  host: str('HOST', 'Interface the gateway listens on', '127.0.0.1'),
  dataDir: str('DATA_DIR', 'Where embedded mode keeps its PGlite database and logs', './data'),
  cacheDir: str(
    'BAZAAR_CACHE_DIR',
    'Where embedded mode keeps the empty database every new one is copied from',
    './node_modules/.cache/bazaar',
  ),
  adminEmail: optional(
    'BAZAAR_ADMIN_EMAIL',
    'Admin account ensured at start-up (embedded default: admin@bazaar.local)',
  ),
  adminPassword: optional('BAZAAR_ADMIN_PASSWORD', 'Its password (embedded default: bazaar-admin)'),
  logLevel: str('LOG_LEVEL', 'trace, debug, info, warn or error', 'info'),
  otlpEndpoint: optional(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTLP/HTTP collector to export traces to (e.g. http://localhost:4318)',
  ),
  courierStepMs: int('COURIER_STEP_MS', 'How often the courier simulator moves each shipment one step', 2000),
  rateLimitRps: int(
    'RATE_LIMIT_RPS',
    'Requests per second per client at the gateway (bursts to twice that; 0 turns it off)',
    50,
  ),
  outboxRetentionSeconds: int(
    'OUTBOX_RETENTION_SECONDS',
    'How long each service keeps events its outbox has published, for inspection, before deleting them',
    3600,
  ),
  heapGrowingPercent: int(
    'BAZAAR_HEAP_GROWING_PERCENT',
    'Embedded mode: how far V8 lets the JavaScript heap grow past what a full GC kept, in per cent; 0 leaves it to V8 (up to 4×), and node --heap-growing-percent=N wins (NODE_OPTIONS cannot carry it)',
    50,
  ),
  wasmTieringBudget: int(
    'BAZAAR_WASM_TIERING_BUDGET',
    "Embedded mode: how much work a WebAssembly function of PGlite does before V8 optimises it; the default, 15× V8's own, keeps start-up from recompiling code it runs once, at some embedded throughput under a sustained load (about 15 % after a minute); 0 leaves V8's own, and node --wasm-tiering-budget=N wins",
    200_000_000,
  ),
  jazzcashSandboxPort: int('JAZZCASH_SANDBOX_PORT', 'Port of the JazzCash sandbox simulator', 8091),
  easypaisaSandboxPort: int('EASYPAISA_SANDBOX_PORT', 'Port of the EasyPaisa sandbox simulator', 8092),
};

/** An optional port: unset, the service derives it (each service's config.ts says how). */
const optionalPort = (env: string, doc: string): Setting<number | undefined> => ({
  ...int(env, doc, 0),
  default: undefined,
});

/**
 * Embedded mode: the services' ports. Each service reads its own, with these defaults, in its config.ts; `bazaar up`
 * reads them too, to name the setting behind a port that another process holds.
 */
export const servicePortsSpec = {
  users: int('USERS_PORT', 'Port of the users service', 8081),
  inventory: int('INVENTORY_PORT', 'Port of the inventory service', 8082),
  inventoryGrpc: optionalPort('INVENTORY_GRPC_PORT', "Port of inventory's gRPC API (default INVENTORY_PORT + 1000)"),
  orders: int('ORDERS_PORT', 'Port of the orders service', 8083),
  payments: int('PAYMENTS_PORT', 'Port of the payments service', 8084),
  paymentsGrpc: optionalPort('PAYMENTS_GRPC_PORT', "Port of payments' gRPC API (default PAYMENTS_PORT + 1000)"),
  shipping: int('SHIPPING_PORT', 'Port of the shipping service', 8085),
};
export const loadServicePorts = () => readConfig(servicePortsSpec);

/** What a `bazaar service` process reads: where the shared infrastructure is, and the key the gateway vouches with. */
export const serviceSpec = {
  databaseUrl: str(
    'DATABASE_URL',
    'PostgreSQL server; each service uses its own database <BAZAAR_NAMESPACE>_<name> on it',
    'postgres://postgres@127.0.0.1:5432/postgres',
  ),
  brokerUrl: str(
    'BROKER_URL',
    'Event broker: amqp://… for RabbitMQ, nats://… for NATS JetStream',
    'amqp://guest:guest@127.0.0.1:5672',
  ),
  redisUrl: str('REDIS_URL', "Redis for the gateway's shared rate limits", 'redis://127.0.0.1:6379'),
  internalKey: optional(
    'INTERNAL_KEY',
    'Shared secret the gateway sends to the services (x-internal-key); `bazaar service` refuses to start without it (`up --cluster` makes one)',
  ),
  logLevel: str('LOG_LEVEL', 'trace, debug, info, warn or error', 'info'),
  otlpEndpoint: optional(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTLP/HTTP collector to export traces to (e.g. http://otel-collector:4318)',
  ),
  outboxRetentionSeconds: int(
    'OUTBOX_RETENTION_SECONDS',
    'How long each service keeps events its outbox has published, for inspection, before deleting them',
    3600,
  ),
  databasePoolSize: int(
    'DATABASE_POOL_SIZE',
    'PostgreSQL connections each service process keeps (mind max_connections across replicas)',
    5,
  ),
  sandboxesHost: str(
    'SANDBOXES_HOST',
    'Interface the payment sandbox simulators listen on (`service sandboxes`)',
    '127.0.0.1',
  ),
  namespace: str(
    'BAZAAR_NAMESPACE',
    'Prefix of the databases (<ns>_users, …) and broker names, so several Bazaars can share servers',
    'bazaar',
  ),
  crashAt: optional(
    'CRASH_AT',
    'Fault tests only: <service>/<point>@<n> SIGKILLs that service the nth time it passes outbox-published or consumer-handled',
  ),
  crashOnceFile: optional(
    'CRASH_ONCE_FILE',
    'Fault tests only: claimed by the first process CRASH_AT kills; its replicas live on',
  ),
};
export const loadServiceConfig = () => readConfig(serviceSpec);
export const describeService = () => describeConfig(serviceSpec);

/** `bazaar up --cluster`: the settings it hands its services, and how it lays them out. */
export const clusterSpec = {
  ...serviceSpec,
  jazzcashUrl: optional(
    'JAZZCASH_URL',
    'Base URL of JazzCash for payments (default: the sandbox simulator `up --cluster` starts)',
  ),
  easypaisaUrl: optional(
    'EASYPAISA_URL',
    'Base URL of EasyPaisa for payments (default: the sandbox simulator `up --cluster` starts)',
  ),
  replicas: int('REPLICAS', 'Instances of orders and of inventory that `up --cluster` starts', 2),
  readySeconds: int(
    'READY_TIMEOUT_SECONDS',
    'How long `up --cluster` waits for each process it starts to answer; one that does not fails the start',
    30,
  ),
  ports: int(
    'USERS_PORT',
    'First port of the services in cluster mode: users, inventory, orders, payments, shipping follow it (replicas +100)',
    8081,
  ),
};
export const loadClusterConfig = () => readConfig(clusterSpec);
/** describeCluster: what cluster mode reads beyond the settings of `bazaar up` itself and those `listed` already. */
export const describeCluster = (listed: string[] = []) => {
  const own = new Set([...Object.values(spec).map((s) => s.env), ...listed]);
  return describeConfig(Object.fromEntries(Object.entries(clusterSpec).filter(([, s]) => !own.has(s.env))));
};

export type UpConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = () => readConfig(spec);
export const describe = () => describeConfig(spec);

/** The environment a child process inherits (cluster mode passes everything on, then sets its own keys). */
export const inheritedEnv = (): Record<string, string | undefined> => ({ ...process.env });

/** Whether a failed command shows its stack trace too: LOG_LEVEL debug or trace (read alone, as config may be bad). */
export const showsStacks = (): boolean => /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '');
