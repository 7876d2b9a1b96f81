// What the saga's use cases share: the database, the other services, the clock of retries, and the stream notifier.
import type { Db, Tx } from '@bazaar/kit/database';
import { enqueueAll } from '@bazaar/kit/messaging';
import type { Logger } from '@bazaar/kit/telemetry';
import type { Inventory, Payments, Shipping } from '../clients/ports.ts';
import type { OrdersConfig } from '../config.ts';
import { OrderEvents } from '../contracts.ts';
import type { StoredOrder } from '../data/orders-repo.ts';
import type { OrderNotifier } from '../domain/notifier.ts';
import { summaryOf } from '../domain/order.ts';
import type { SagaMetrics } from './saga-metrics.ts';

export type Deps = {
  db: Db;
  inventory: Inventory;
  payments: Payments;
  shipping: Shipping;
  notifier: OrderNotifier;
  log: Logger;
  config: OrdersConfig;
  /** Saga outcomes and step durations (absent in tests that do not look at them). */
  metrics?: SagaMetrics;
};

/** Publishes the order's new status (and the specific event, when there is one) in the caller's transaction. */
export async function announce(
  tx: Tx,
  { order, version }: StoredOrder,
  specific?: { type: string; extra?: Record<string, unknown> },
): Promise<void> {
  const summary = { ...summaryOf(order), version };
  await enqueueAll(tx, 'orders', [
    { type: OrderEvents.statusChanged, subject: order.id, data: summary },
    ...(specific ? [{ type: specific.type, subject: order.id, data: { ...summary, ...specific.extra } }] : []),
  ]);
}
