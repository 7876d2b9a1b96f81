// The orders service's settings, read once from the environment.
import { bool, ConfigError, int, readConfig, type Setting, str } from '@bazaar/kit/config';

export type Transport = 'grpc' | 'rest';

const transport: Setting<Transport> = {
  env: 'INTERNAL_TRANSPORT',
  doc: 'How the saga calls inventory and payments: grpc or rest (shipping is always REST)',
  default: 'grpc',
  parse: (raw) => {
    if (raw !== 'grpc' && raw !== 'rest')
      throw new ConfigError(`INTERNAL_TRANSPORT must be grpc or rest, got "${raw}"`);
    return raw;
  },
};

export const spec = {
  port: int('ORDERS_PORT', 'Port of the orders service', 8083),
  host: str('ORDERS_HOST', 'Interface the orders service listens on', '127.0.0.1'),
  transport,
  inventoryUrl: str(
    'INVENTORY_URL',
    'Base URL of the inventory service (INTERNAL_TRANSPORT=rest)',
    'http://127.0.0.1:8082',
  ),
  paymentsUrl: str(
    'PAYMENTS_URL',
    'Base URL of the payments service (INTERNAL_TRANSPORT=rest)',
    'http://127.0.0.1:8084',
  ),
  inventoryGrpcUrl: str(
    'INVENTORY_GRPC_URL',
    'host:port of the inventory gRPC API; comma-separated replicas',
    '127.0.0.1:9082',
  ),
  paymentsGrpcUrl: str(
    'PAYMENTS_GRPC_URL',
    'host:port of the payments gRPC API; comma-separated replicas',
    '127.0.0.1:9084',
  ),
  batchCaptures: bool(
    'ORDERS_BATCH_CAPTURES',
    "Gather the saga's captures into CaptureMany, as Reserve and Commit are: fewer payments transactions, more latency near capacity",
    false,
  ),
  shippingUrl: str('SHIPPING_URL', 'Base URL of the shipping service', 'http://127.0.0.1:8085'),
  syncWindowMs: int('ORDER_SYNC_WINDOW_MS', 'How long POST /api/orders waits for the saga before answering 202', 3000),
  deadlineMarginMs: int(
    'ORDER_DEADLINE_MARGIN_MS',
    'gRPC calls made for a POST /api/orders end this long after its sync window; the saga resumes what they cut',
    2000,
  ),
  sagaRetryMs: int('SAGA_RETRY_MS', 'First delay before a saga step that failed on a transient error runs again', 500),
  sagaGiveUpMs: int(
    'SAGA_GIVE_UP_MS',
    'How long a saga keeps retrying payment authorisation before it compensates',
    60000,
  ),
  sagaSweepMs: int('SAGA_SWEEP_MS', 'How often unfinished sagas (for example after a crash) are looked for', 1000),
  streamResyncMs: int(
    'ORDERS_STREAM_RESYNC_MS',
    "How long an order's event stream waits without news before it writes a keep-alive and reads the history again, should a notification have been lost",
    15000,
  ),
  maxStreams: int(
    'ORDERS_MAX_STREAMS',
    'Event streams (GET /api/orders/{id}/events) this replica holds open at once, over all users; more are 503',
    2000,
  ),
  upstreamTimeoutMs: int(
    'ORDERS_UPSTREAM_TIMEOUT_MS',
    'Deadline of one call to inventory, payments or shipping',
    10000,
  ),
};

export type OrdersConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<OrdersConfig> = {}) => readConfig(spec, process.env, overrides);
