// The inventory service owns the catalogue, the stock on hand and the reservations that orders hold against it.
import { grpcPortOf } from '@bazaar/kit/config';
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { inventoryService, reservationHandlers } from './api/internal-grpc.ts';
import { reservationRoutes } from './api/internal-routes.ts';
import { inventoryRoutes } from './api/routes.ts';
import { type InventoryConfig, loadConfig } from './config.ts';
import { seedCatalogue } from './use-cases/seed-catalogue.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export async function start(platform: Platform, overrides: Partial<InventoryConfig> = {}) {
  const config = loadConfig(overrides);
  const kit = await serviceDefaults('inventory', platform, { migrations });
  if (config.seed) {
    const seeded = await seedCatalogue(kit.db);
    if (seeded > 0) kit.log.info({ products: seeded }, 'starter catalogue seeded');
  }
  inventoryRoutes(kit.app, { db: kit.db });
  reservationRoutes(kit.app, { db: kit.db });
  const grpc = await kit.serveGrpc(
    inventoryService(),
    reservationHandlers({ db: kit.db }),
    grpcPortOf(config),
    config.host,
  );
  const url = await kit.listen(config.port, config.host);
  return { ...kit, url, grpcUrl: grpc.url, config };
}
