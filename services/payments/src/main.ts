// The payments service owns payments, their double-entry ledger and the provider attempts; it talks to JazzCash and EasyPaisa.
import { grpcPortOf } from '@bazaar/kit/config';
import type { EffectHandler } from '@bazaar/kit/messaging';
import { type Platform, serviceDefaults } from '@bazaar/kit/service';
import { OrderEvents } from '@bazaar/orders/contracts';
import { ShipmentEvents } from '@bazaar/shipping/contracts';
import { paymentHandlers, paymentsService } from './api/internal-grpc.ts';
import { internalRoutes } from './api/internal-routes.ts';
import { paymentsRoutes } from './api/routes.ts';
import { callbackReaders, paymentMetrics, walletProviders } from './clients/providers.ts';
import { loadConfig, type PaymentsConfig } from './config.ts';
import { onOrderRejected } from './consumers/order-events.ts';
import { isDelivery, onShipmentStatusChanged } from './consumers/shipment-events.ts';
import { paymentsRepo } from './data/payments-repo.ts';
import type { Deps } from './use-cases/deps.ts';
import { createSerial } from './use-cases/payment-turns.ts';
import { startReconciler } from './use-cases/reconcile-payments.ts';

/** This service's numbered SQL migrations, applied at start (and by `bazaar migrate`). */
export const migrations = new URL('../migrations', import.meta.url);

export { type Sandboxes, type SandboxOptions, startSandboxes } from './sandboxes.ts';

export async function start(platform: Platform, overrides: Partial<PaymentsConfig> = {}) {
  const config = loadConfig(overrides);
  const kit = await serviceDefaults('payments', platform, { migrations });
  const providers = walletProviders(config, { tracer: kit.tracer, log: kit.log });
  const deps: Deps = {
    db: kit.db,
    log: kit.log,
    tracer: kit.tracer,
    providers,
    callbacks: callbackReaders(config, providers),
    metrics: paymentMetrics(kit.registry, providers),
    serial: createSerial(),
    settings: {
      // Covers a call, its retries, the inquiry and the reversal that may follow it (renewed before a reversal).
      leaseMs: config.timeoutMs * (config.retries + 4) + 5000,
      reconcileMs: config.reconcileMs,
      reconcileHorizonMs: config.reconcileHorizonMs,
      callbackMaxAgeMs: config.callbackMaxAgeMs,
    },
  };
  // One process in embedded mode: leases left by a crashed run belong to nobody now.
  if (kit.db.kind === 'pglite') await paymentsRepo.releaseAllLeases(kit.db);

  const consume: EffectHandler = (tx, event) =>
    event.type === OrderEvents.rejected ? onOrderRejected(tx, event) : onShipmentStatusChanged(tx, event);
  await kit.consume([ShipmentEvents.statusChanged, OrderEvents.rejected], consume, {
    accept: (event) => event.type === OrderEvents.rejected || isDelivery(event),
  });
  paymentsRoutes(kit.app, deps);
  internalRoutes(kit.app, deps);
  const reconciler = startReconciler(deps, config.reconcileMs);
  kit.onStop(() => reconciler.stop());
  const grpc = await kit.serveGrpc(paymentsService(), paymentHandlers(deps), grpcPortOf(config), config.host);
  const url = await kit.listen(config.port, config.host);
  return { ...kit, url, grpcUrl: grpc.url, config, providers };
}
