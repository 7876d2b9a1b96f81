// The shipping service owns shipments, their tracking history and the city rates, and drives the courier simulator.
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { shippingRoutes } from './api/routes.ts';
import { loadConfig, type ShippingConfig } from './config.ts';
import { consumedEvents, orderEvents } from './consumers/order-events.ts';
import { startCourierSimulator } from './simulator/courier-simulator.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export async function start(platform: Platform, overrides: Partial<ShippingConfig> = {}) {
  const config = loadConfig(overrides);
  const kit = await serviceDefaults('shipping', platform, { migrations });
  await kit.consume(consumedEvents, orderEvents(kit.log));
  shippingRoutes(kit.app, { db: kit.db });
  const url = await kit.listen(config.port, config.host);
  const courier = startCourierSimulator({ db: kit.db, log: kit.log, tracer: kit.tracer, stepMs: config.courierStepMs });
  kit.onStop(() => courier.stop());
  return { ...kit, url, config };
}
