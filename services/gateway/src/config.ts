// The gateway's settings, read once from the environment.
import { bool, ConfigError, int, optional, readConfig, type Setting, str } from '@bazaar/kit/config';
import { tokenClaims } from '@bazaar/users/contracts';
import type { BalancePolicy } from './clients/upstreams.ts';

const balancePolicies: readonly BalancePolicy[] = ['least-pending', 'round-robin'];
const balance: Setting<BalancePolicy> = {
  env: 'GATEWAY_BALANCE',
  doc: 'How a replica is chosen among the healthy ones: least-pending (fewest requests in flight) or round-robin',
  default: 'least-pending',
  parse: (raw) => {
    if (!(balancePolicies as string[]).includes(raw))
      throw new ConfigError(`GATEWAY_BALANCE must be one of ${balancePolicies.join(', ')}, got "${raw}"`);
    return raw as BalancePolicy;
  },
};

export const spec = {
  port: int('PORT', 'Port of the public gateway', 8080),
  host: str('GATEWAY_HOST', 'Interface the gateway listens on (0.0.0.0 in a container)', '127.0.0.1'),
  usersUrl: str(
    'USERS_URL',
    'Base URL of the users service; a comma-separated list for replicas',
    'http://127.0.0.1:8081',
  ),
  inventoryUrl: str(
    'INVENTORY_URL',
    'Base URL of the inventory service; a comma-separated list for replicas',
    'http://127.0.0.1:8082',
  ),
  ordersUrl: str(
    'ORDERS_URL',
    'Base URL of the orders service; a comma-separated list for replicas',
    'http://127.0.0.1:8083',
  ),
  paymentsUrl: str(
    'PAYMENTS_URL',
    'Base URL of the payments service; a comma-separated list for replicas',
    'http://127.0.0.1:8084',
  ),
  shippingUrl: str(
    'SHIPPING_URL',
    'Base URL of the shipping service; a comma-separated list for replicas',
    'http://127.0.0.1:8085',
  ),
  rateLimitRps: int(
    'RATE_LIMIT_RPS',
    'Requests per second per client (user, else IP), bursting to twice that; 0 turns it off',
    50,
  ),
  bodyLimit: int('GATEWAY_BODY_LIMIT_BYTES', 'Largest request body accepted; larger ones get 413', 64 * 1024),
  corsOrigins: str(
    'CORS_ORIGINS',
    'Browser origins allowed to call the API cross-origin, comma-separated (https://shop.example.pk); empty: same-origin only',
    '',
  ),
  upstreamTimeoutMs: int(
    'GATEWAY_UPSTREAM_TIMEOUT_MS',
    'How long an upstream may take to start answering before 504',
    10_000,
  ),
  upstreamIdleMs: int(
    'GATEWAY_UPSTREAM_IDLE_MS',
    'Longest silence inside an answer body, event streams included, before it is cut',
    300_000,
  ),
  upstreamConnections: int('GATEWAY_UPSTREAM_CONNECTIONS', 'Keep-alive connections per upstream replica', 128),
  streamsPerClient: int(
    'GATEWAY_STREAMS_PER_CLIENT',
    'Event streams (GET /api/orders/{id}/events) one user, or one address when anonymous, may hold open at once',
    8,
  ),
  connectTimeoutMs: int(
    'GATEWAY_CONNECT_TIMEOUT_MS',
    'How long opening a connection to a replica may take before the request moves to another replica',
    2_000,
  ),
  balance,
  healthIntervalMs: int(
    'GATEWAY_HEALTH_INTERVAL_MS',
    'How often every replica is asked GET /healthz (ejected replicas come back on a 200); 0 turns checks off',
    1_000,
  ),
  healthTimeoutMs: int(
    'GATEWAY_HEALTH_TIMEOUT_MS',
    'How long a health check may take before the replica is ejected',
    500,
  ),
  redisUrl: optional(
    'REDIS_URL',
    'Redis that keeps the rate-limit buckets, shared by every gateway instance; unset: each instance counts in memory',
  ),
  namespace: str(
    'BAZAAR_NAMESPACE',
    'Prefix of the rate-limit keys in Redis, so several Bazaars can share one',
    'bazaar',
  ),
  trustProxy: bool(
    'GATEWAY_TRUST_PROXY',
    "Behind one load balancer: the client's address is the entry it appends to X-Forwarded-For (the last one)",
    false,
  ),
  issuer: str('JWT_ISSUER', 'The iss claim access tokens must carry', tokenClaims.issuer),
  audience: str('JWT_AUDIENCE', 'The aud claim access tokens must carry', tokenClaims.audience),
};

export type GatewayConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<GatewayConfig> = {}) => readConfig(spec, process.env, overrides);
