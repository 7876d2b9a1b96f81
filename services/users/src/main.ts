// The users service owns accounts, credentials, the token signing keys and each customer's order history
// (a read model fed by order events).
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { usersRoutes } from './api/routes.ts';
import { loadConfig, type UsersConfig } from './config.ts';
import { consumedEvents, onOrderEvent } from './consumers/order-events.ts';
import { hashGate } from './domain/hash-gate.ts';
import { hashPassword } from './domain/password.ts';
import { ensureAdmin } from './use-cases/ensure-admin.ts';
import { startForgettingLoginFailures } from './use-cases/forget-login-failures.ts';
import { hashGateMetrics } from './use-cases/hash-gate-metrics.ts';
import { loadSigner } from './use-cases/signing-keys.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export async function start(platform: Platform, overrides: Partial<UsersConfig> = {}) {
  const config = loadConfig(overrides);
  const { adminEmail, adminPassword } = config;
  const gate = hashGate({
    concurrency: config.hashConcurrency,
    perClient: config.hashQueuePerClient,
    maxWaitMs: config.hashQueueMaxWaitMs,
  });
  // scrypt runs on libuv's threads: the admin's hash is made while the database opens, not after.
  const adminHash = adminEmail && adminPassword ? hashPassword(adminPassword) : undefined;
  const kit = await serviceDefaults('users', platform, { migrations });
  const signer = await loadSigner(kit.db, config.issuer, config.audience);
  if (adminEmail && adminHash) await ensureAdmin(kit.db, adminEmail, await adminHash);
  await kit.consume(consumedEvents, onOrderEvent);
  hashGateMetrics(gate, kit.registry);
  usersRoutes(kit.app, { db: kit.db, signer, config, gate });
  const forgetting = startForgettingLoginFailures(kit.db, config, kit.log);
  kit.onStop(() => forgetting.stop());
  const url = await kit.listen(config.port, config.host);
  return { ...kit, url, config };
}
