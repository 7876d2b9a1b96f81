// The payments service's settings, read once from the environment. Merchant credentials default to the sandboxes'.
import { grpcPort, int, optional, readConfig, str } from '@bazaar/kit/config';

export const spec = {
  port: int('PAYMENTS_PORT', 'Port of the payments service', 8084),
  host: str('PAYMENTS_HOST', 'Interface the payments service listens on', '127.0.0.1'),
  grpcPort: grpcPort(
    'PAYMENTS_GRPC_PORT',
    'Port of its gRPC API (Authorize, Capture, Void, Refund) for the orders saga; default: PAYMENTS_PORT + 1000 (9084), any free port when that is 0',
  ),
  jazzcashUrl: str(
    'JAZZCASH_URL',
    'Base URL of JazzCash (the sandbox simulator in embedded mode)',
    'http://127.0.0.1:8091',
  ),
  jazzcashMerchantId: str('JAZZCASH_MERCHANT_ID', 'JazzCash merchant id (pp_MerchantID)', 'MC_BAZAAR'),
  jazzcashPassword: str('JAZZCASH_PASSWORD', 'JazzCash merchant password (pp_Password)', 'bazaar-sandbox'),
  jazzcashIntegritySalt: str(
    'JAZZCASH_INTEGRITY_SALT',
    'JazzCash integrity salt that keys pp_SecureHash',
    'bazaar-sandbox-salt',
  ),
  jazzcashMpin: optional('JAZZCASH_MPIN', 'JazzCash merchant MPIN, asked for by wallet refunds'),
  easypaisaUrl: str(
    'EASYPAISA_URL',
    'Base URL of EasyPaisa (the sandbox simulator in embedded mode)',
    'http://127.0.0.1:8092',
  ),
  easypaisaStoreId: str('EASYPAISA_STORE_ID', 'EasyPaisa store id', '10000'),
  easypaisaUsername: str('EASYPAISA_USERNAME', 'EasyPaisa API user name (Credentials header)', 'bazaar'),
  easypaisaPassword: str('EASYPAISA_PASSWORD', 'EasyPaisa API password (Credentials header)', 'bazaar-sandbox'),
  easypaisaHashKey: str(
    'EASYPAISA_HASH_KEY',
    'EasyPaisa hash key (16, 24 or 32 bytes) that signs notifications',
    'BAZAARSANDBOXKEY',
  ),
  timeoutMs: int(
    'PAYMENT_TIMEOUT_MS',
    'Deadline of one call to a provider; longer than the orders 3 s window on purpose',
    4000,
  ),
  retries: int(
    'PAYMENT_RETRIES',
    'Retries of a provider call that failed with a 5xx or a connection error (never a timeout)',
    2,
  ),
  callbackMaxAgeMs: int(
    'PAYMENT_CALLBACK_MAX_AGE_MS',
    'Oldest provider callback accepted, by its signed timestamp',
    900_000,
  ),
  reconcileMs: int(
    'PAYMENT_RECONCILE_MS',
    'How often payments whose money may still sit at a provider are checked again',
    5000,
  ),
  reconcileHorizonMs: int(
    'PAYMENT_RECONCILE_HORIZON_MS',
    'How long a payment the provider had no record of is still checked again: a debit sent before a timeout may be completed until the provider lets the transaction expire (1 h)',
    7_200_000,
  ),
  jazzcashSandboxPort: int('JAZZCASH_SANDBOX_PORT', 'Port of the JazzCash sandbox simulator (embedded mode)', 8091),
  easypaisaSandboxPort: int('EASYPAISA_SANDBOX_PORT', 'Port of the EasyPaisa sandbox simulator (embedded mode)', 8092),
};

export type PaymentsConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<PaymentsConfig> = {}) => readConfig(spec, process.env, overrides);
