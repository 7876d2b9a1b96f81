// The users service owns accounts, credentials, the token signing keys and each customer's order history
// (a read model fed by order events).
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { usersRoutes } from './api/routes.ts';
import { loadConfig, type UsersConfig } from './config.ts';
import { consumedEvents, onOrderEvent } from './consumers/order-events.ts';
import { loadSigner } from './domain/signing-keys.ts';
import { ensureAdmin } from './use-cases/ensure-admin.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export async function start(platform: Platform, overrides: Partial<UsersConfig> = {}) {
  const config = loadConfig(overrides);
  const kit = await serviceDefaults('users', platform, { migrations });
  const signer = await loadSigner(kit.db, config.issuer, config.audience);
  if (config.adminEmail && config.adminPassword) await ensureAdmin(kit.db, config.adminEmail, config.adminPassword);
  await kit.consume(consumedEvents, onOrderEvent);
  usersRoutes(kit.app, { db: kit.db, signer, config });
  const url = await kit.listen(config.port, config.host);
  return { ...kit, url, config };
}
