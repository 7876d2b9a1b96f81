// Cancelling a confirmed order before the courier picks it up: shipping decides the race with pick-up,
// then the order turns CANCELLED and its saga returns the goods and refunds the payment.
import type { Caller } from '@bazaar/kit/server';
import { OrderEvents } from '../contracts.ts';
import { ordersRepo } from '../data/orders-repo.ts';
import { sagasRepo } from '../data/sagas-repo.ts';
import { notCancellable, type Order } from '../domain/order.ts';
import { getOrder } from './queries.ts';
import { runSaga } from './run-saga.ts';
import { announce, type Deps } from './saga-deps.ts';

export async function cancelOrder(deps: Deps, caller: Caller, orderId: string): Promise<Order> {
  const order = await getOrder(deps.db, caller, orderId);
  if (order.status === 'CANCELLED') return order;
  if (order.status !== 'CONFIRMED') throw notCancellable(order.status);
  if (!(await deps.shipping.cancel(orderId))) throw notCancellable('picked up');

  const cancelled = await deps.db.transaction(async (tx) => {
    const current = (await ordersRepo.byId(tx, orderId, true))!;
    if (current.status !== 'CONFIRMED') return current.status === 'CANCELLED';
    const stored = await ordersRepo.setStatus(tx, orderId, 'CANCELLED', { detail: `cancelled by ${caller.role}` });
    await sagasRepo.reopen(tx, orderId, 'CANCEL');
    await announce(tx, stored, {
      type: OrderEvents.cancelled,
      extra: { payment: { method: current.payment.method } },
    });
    return true;
  });
  if (!cancelled) throw notCancellable((await ordersRepo.byId(deps.db, orderId))!.status);
  await runSaga(deps, orderId);
  return (await ordersRepo.byId(deps.db, orderId))!;
}
