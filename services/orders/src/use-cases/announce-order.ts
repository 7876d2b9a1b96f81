// An order's news goes out through the outbox, in the transaction that made it: OrderStatusChanged always, and the
// specific event (OrderConfirmed, OrderRejected, OrderCancelled) when there is one.
import type { Tx } from '@bazaar/kit/database';
import { enqueueAll } from '@bazaar/kit/messaging';
import { OrderEvents } from '../contracts.ts';
import type { StoredOrder } from '../data/orders-repo.ts';
import { summaryOf } from '../domain/order.ts';

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
