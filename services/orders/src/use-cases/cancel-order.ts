// Cancelling a confirmed order before the courier picks it up: shipping decides the race with pick-up,
// then the order turns CANCELLED and its saga returns the goods and refunds the payment.
import type { Tx } from '@bazaar/kit/database';
import type { Caller } from '@bazaar/kit/server';
import { OrderEvents } from '../contracts.ts';
import { ordersRepo, type StoredOrder } from '../data/orders-repo.ts';
import { sagasRepo } from '../data/sagas-repo.ts';
import { notCancellable, type Order } from '../domain/order.ts';
import { getOrder } from './queries.ts';
import { LEASE_MS, runSaga } from './run-saga.ts';
import { announce, type Deps } from './saga-deps.ts';

export async function cancelOrder(deps: Deps, caller: Caller, orderId: string): Promise<Order> {
  const order = await getOrder(deps.db, caller, orderId);
  if (order.status === 'CANCELLED') return whenUndone(deps, orderId);
  if (order.status !== 'CONFIRMED') throw notCancellable(order.status);
  if (!(await deps.shipping.cancel(orderId))) throw notCancellable('picked up');

  const cancelled = await deps.db.transaction(async (tx) => {
    const current = (await ordersRepo.byId(tx, orderId, true))!;
    if (current.status !== 'CONFIRMED') return current.status;
    return markCancelled(tx, current, `cancelled by ${caller.role}`, LEASE_MS);
  });
  // Another request cancelled it meanwhile: its saga is that request's to run.
  if (cancelled === 'CANCELLED') return whenUndone(deps, orderId);
  if (typeof cancelled === 'string') throw notCancellable(cancelled);
  deps.log.info({ orderId, by: caller.role, userId: caller.id }, 'order cancelled');
  // Run here, lease held: the answer waits for the goods to be back and the payment refunded (or a retry scheduled).
  const undone = await runSaga(deps, orderId, { step: 'CANCEL', order: cancelled });
  return undone ?? (await ordersRepo.byId(deps.db, orderId))!;
}

/**
 * Turns a CONFIRMED order (its row locked by tx) CANCELLED with OrderCancelled, and gives its saga the CANCEL step:
 * goods back, payment refunded. leaseMs holds the saga for the caller that runs it now; 0 leaves it to the sweep.
 */
export async function markCancelled(tx: Tx, current: Order, detail: string, leaseMs: number): Promise<StoredOrder> {
  const stored = await ordersRepo.setStatus(tx, current.id, 'CANCELLED', { detail });
  await sagasRepo.reopen(tx, current.id, 'CANCEL', leaseMs);
  await announce(tx, stored, { type: OrderEvents.cancelled, extra: { payment: { method: current.payment.method } } });
  return stored;
}

/**
 * A cancelled order as its saga leaves it: every answer to a cancel shows the goods back and the payment refunded,
 * unless that takes longer than the sync window (a retry scheduled), when it shows the order as it stands.
 */
async function whenUndone(deps: Deps, orderId: string): Promise<Order> {
  const deadline = Date.now() + deps.config.syncWindowMs;
  // The notifier hears a saga run by this replica; the short wait covers one run by another.
  while ((await sagasRepo.stepOf(deps.db, orderId)) !== 'DONE' && Date.now() < deadline)
    await deps.notifier.next(orderId, 100);
  return (await ordersRepo.byId(deps.db, orderId))!;
}
