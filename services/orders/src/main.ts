// The orders service owns orders, their saga and idempotency keys; it orchestrates inventory, payments and shipping.
import { createClient } from '@bazaar/kit/http';
import type { EffectHandler } from '@bazaar/kit/messaging';
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { ShipmentEvents } from '@bazaar/shipping/contracts';
import { opsRoutes } from './api/ops-routes.ts';
import { ordersRoutes } from './api/routes.ts';
import { grpcUpstreams } from './clients/grpc.ts';
import { restShipping, restUpstreams } from './clients/rest.ts';
import { loadConfig, type OrdersConfig } from './config.ts';
import { isPaymentNews, onPaymentChanged, paymentEvents } from './consumers/payment-events.ts';
import { onShipmentStatusChanged } from './consumers/shipment-events.ts';
import { HISTORY_CHANNEL, historySignal } from './data/history-signal.ts';
import { sagasRepo } from './data/sagas-repo.ts';
import { OrderNotifier } from './domain/notifier.ts';
import { startSagaRecovery } from './use-cases/recover-sagas.ts';
import type { Deps } from './use-cases/saga-deps.ts';
import { sagaMetrics } from './use-cases/saga-metrics.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export async function start(platform: Platform, overrides: Partial<OrdersConfig> = {}) {
  const config = loadConfig(overrides);
  const kit = await serviceDefaults('orders', platform, { migrations });
  const { tracer, registry } = kit;
  const internalKey = platform.internalKey;
  const client = (name: string, url: string) => createClient(name, url, tracer, internalKey);
  const shipping = client('shipping', config.shippingUrl);
  const upstreams =
    config.transport === 'grpc'
      ? grpcUpstreams({
          inventory: config.inventoryGrpcUrl,
          payments: config.paymentsGrpcUrl,
          timeoutMs: config.upstreamTimeoutMs,
          batchCaptures: config.batchCaptures,
          tracer,
          registry,
          internalKey,
        })
      : restUpstreams(client('inventory', config.inventoryUrl), client('payments', config.paymentsUrl));
  // Replicas on one PostgreSQL database tell each other which orders changed, for their event streams. Embedded mode
  // is one process that makes every change itself and tells its notifier, so PGlite has no listenServer and needs none.
  const signal = kit.db.listenServer ? historySignal(kit.db, kit.log) : undefined;
  const deps: Deps = {
    db: kit.db,
    inventory: upstreams.inventory,
    payments: upstreams.payments,
    shipping: restShipping(shipping),
    notifier: new OrderNotifier(signal?.changed),
    log: kit.log,
    config,
    metrics: sagaMetrics(registry),
    tracer,
  };
  // One process in embedded mode: leases left by a crashed run belong to nobody now.
  if (kit.db.kind === 'pglite') await sagasRepo.releaseAllLeases(kit.db);

  const effect: EffectHandler<string | undefined> = (tx, event) =>
    event.type === ShipmentEvents.statusChanged ? onShipmentStatusChanged(tx, event) : onPaymentChanged(tx, event);
  await kit.consume([ShipmentEvents.statusChanged, ...paymentEvents], effect, {
    accept: isPaymentNews,
    afterCommit: (orderId) => orderId && deps.notifier.notify(orderId),
  });

  const unlisten = await kit.db.listenServer?.(HISTORY_CHANNEL, {
    onPayload: (payload) => {
      for (const orderId of signal?.heard(payload) ?? []) deps.notifier.wake(orderId);
    },
    onReconnect: () => {
      kit.log.warn('order change notifications listening again; every open stream reads its history');
      deps.notifier.notifyAll();
    },
  });
  ordersRoutes(kit.app, deps);
  opsRoutes(kit.app, deps);
  const recovery = startSagaRecovery(deps);
  kit.onStop(async () => {
    await unlisten?.();
    await signal?.stop();
    await recovery.stop();
    await Promise.all([upstreams.close(), shipping.close()]);
  });
  const url = await kit.listen(config.port, config.host);
  return { ...kit, url, config };
}
