// The orders service owns orders, their saga and idempotency keys; it orchestrates inventory, payments and shipping.
import { createClient } from '@bazaar/kit/http';
import { type EffectHandler, inbox } from '@bazaar/kit/messaging';
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { ShipmentEvents } from '@bazaar/shipping/contracts';
import { ordersRoutes } from './api/routes.ts';
import { restInventory, restPayments, restShipping } from './clients/rest.ts';
import { loadConfig, type OrdersConfig } from './config.ts';
import { onPaymentChanged, onShipmentStatusChanged } from './consumers/shipment-events.ts';
import { OrderNotifier } from './domain/notifier.ts';
import { startSagaRecovery } from './use-cases/recover-sagas.ts';
import type { Deps } from './use-cases/saga-deps.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export async function start(platform: Platform, overrides: Partial<OrdersConfig> = {}) {
  const config = loadConfig(overrides);
  const kit = await serviceDefaults('orders', platform, { migrations });
  const client = (name: string, url: string) => createClient(name, url, kit.tracer, platform.internalKey);
  const clients = { inventory: client('inventory', config.inventoryUrl), payments: client('payments', config.paymentsUrl), shipping: client('shipping', config.shippingUrl) };
  const deps: Deps = {
    db: kit.db,
    inventory: restInventory(clients.inventory),
    payments: restPayments(clients.payments),
    shipping: restShipping(clients.shipping),
    notifier: new OrderNotifier(),
    log: kit.log,
    config,
  };
  // One process in embedded mode: leases left by a crashed run belong to nobody now.
  if (kit.db.kind === 'pglite') await kit.db.query("UPDATE sagas SET lease_until = NULL WHERE step <> 'DONE'");

  const notify = (orderId: string | undefined) => orderId && deps.notifier.notify(orderId);
  const consume: EffectHandler<string | undefined> = (tx, event) =>
    event.type === ShipmentEvents.statusChanged ? onShipmentStatusChanged(tx, event) : onPaymentChanged(tx, event);
  await platform.broker.subscribe('orders', [ShipmentEvents.statusChanged, 'PaymentCaptured', 'PaymentRefunded'], inbox(kit.db, 'orders', kit.tracer, consume, notify));

  ordersRoutes(kit.app, deps);
  const recovery = startSagaRecovery(deps);
  kit.onStop(async () => {
    await recovery.stop();
    await Promise.all(Object.values(clients).map((c) => c.close()));
  });
  const url = await kit.listen(config.port, config.host);
  return { ...kit, url, config };
}
