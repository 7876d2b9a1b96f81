// Cancelling a confirmed order before the courier picks it up: the saga asks shipping, which decides the race with
// pick-up; called back, the order turns CANCELLED and the saga returns the goods and refunds the payment.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Caller, unavailable } from '@bazaar/kit/server';
import { storedTraceOf } from '@bazaar/kit/telemetry';
import { ordersRepo } from '../data/orders-repo.ts';
import { sagasRepo } from '../data/sagas-repo.ts';
import { notCancellable, type Order } from '../domain/order.ts';
import { getOrder } from './queries.ts';
import { LEASE_MS, runSaga } from './run-saga.ts';
import type { Deps } from './saga-deps.ts';

export async function cancelOrder(deps: Deps, caller: Caller, orderId: string): Promise<Order> {
  const order = await getOrder(deps.db, caller, orderId);
  if (order.status === 'CANCELLED') return whenUndone(deps, orderId);
  if (order.status !== 'CONFIRMED') throw notCancellable(order.status);

  // Written before shipping is asked: an answer lost to a timeout or a crash is asked again by the saga, so a parcel
  // called back is never left with its order CONFIRMED and the money kept. Under the order's lock, and only while it
  // is CONFIRMED: a cancellation that got there first (another request, the shipment's event) keeps its CANCEL step.
  const stored = await deps.db.transaction(async (tx) => {
    const current = await ordersRepo.stored(tx, orderId, true);
    if (current?.order.status !== 'CONFIRMED') return undefined;
    await sagasRepo.reopen(tx, orderId, 'CANCEL_ASKED', LEASE_MS, storedTraceOf());
    return current;
  });
  if (!stored) return cancelOrder(deps, caller, orderId); // no longer CONFIRMED: answer as for its new status
  // Run here, lease held: the answer waits for the goods to be back and the payment refunded (or a retry scheduled),
  // for the sync window at most, as placing an order does; a slow refund then goes on after the answer.
  const deadline = Date.now() + deps.config.syncWindowMs;
  const detail = `cancelled by ${caller.role}`;
  const saga = runSaga(deps, orderId, { held: { step: 'CANCEL_ASKED', order: stored, detail } });
  const ran = await Promise.race([saga, sleep(deps.config.syncWindowMs).then(() => undefined)]);
  const now = ran ?? (await ordersRepo.byId(deps.db, orderId))!;
  if (now.status === 'CANCELLED') return whenUndone(deps, orderId, deadline);
  if ((await sagasRepo.stepOf(deps.db, orderId)) === 'CANCEL_ASKED')
    throw unavailable(
      'Shipping could not be reached to call the parcel back. The cancellation is kept and retried by itself: read the order again shortly.',
    );
  throw notCancellable('picked up');
}

/**
 * A cancelled order as its saga leaves it: every answer to a cancel shows the goods back and the payment refunded,
 * unless that takes longer than the sync window (a retry scheduled), when it shows the order as it stands.
 */
async function whenUndone(
  deps: Deps,
  orderId: string,
  deadline = Date.now() + deps.config.syncWindowMs,
): Promise<Order> {
  // The notifier hears a saga run by this replica; the short wait covers one run by another.
  while ((await sagasRepo.stepOf(deps.db, orderId)) !== 'DONE' && Date.now() < deadline)
    await deps.notifier.next(orderId, 100);
  return (await ordersRepo.byId(deps.db, orderId))!;
}
