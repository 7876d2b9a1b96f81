// The orders service's settings, read once from the environment.
import { int, readConfig, str } from '@bazaar/kit/config';

export const spec = {
  port: int('ORDERS_PORT', 'Port of the orders service', 8083),
  host: str('ORDERS_HOST', 'Interface the orders service listens on', '127.0.0.1'),
  inventoryUrl: str('INVENTORY_URL', 'Base URL of the inventory service', 'http://127.0.0.1:8082'),
  paymentsUrl: str('PAYMENTS_URL', 'Base URL of the payments service', 'http://127.0.0.1:8084'),
  shippingUrl: str('SHIPPING_URL', 'Base URL of the shipping service', 'http://127.0.0.1:8085'),
  syncWindowMs: int('ORDER_SYNC_WINDOW_MS', 'How long POST /api/orders waits for the saga before answering 202', 3000),
  sagaRetryMs: int('SAGA_RETRY_MS', 'First delay before a saga step that failed on a transient error runs again', 500),
  sagaGiveUpMs: int('SAGA_GIVE_UP_MS', 'How long a saga keeps retrying payment authorisation before it compensates', 60000),
  sagaSweepMs: int('SAGA_SWEEP_MS', 'How often unfinished sagas (for example after a crash) are looked for', 1000),
  upstreamTimeoutMs: int('ORDERS_UPSTREAM_TIMEOUT_MS', 'Deadline of one call to inventory, payments or shipping', 10000),
};

export type OrdersConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<OrdersConfig> = {}) => readConfig(spec, process.env, overrides);
