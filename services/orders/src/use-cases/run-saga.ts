// The order saga, one persisted step at a time: reserve stock, authorise payment, confirm; or compensate.
// Every remote call is idempotent per order, so a step cut short by a crash is simply run again.
import { UpstreamError } from '@bazaar/kit/http';
import { OrderEvents } from '../contracts.ts';
import { ordersRepo, type StoredOrder } from '../data/orders-repo.ts';
import { type Saga, type SagaStep, sagasRepo } from '../data/sagas-repo.ts';
import type { Order } from '../domain/order.ts';
import { announce, type Deps } from './saga-deps.ts';
import type { SagaOutcome } from './saga-metrics.ts';

const LEASE_MS = 30_000;
/** The step to run next and the order as it stands; `outcome` is set by the step that moved it to its final state. */
type Next = { step: SagaStep; order: StoredOrder; reason?: string; outcome?: SagaOutcome };

/**
 * Runs the order's saga to its end, or until a transient failure schedules a retry; answers the order as the
 * saga left it, or undefined when another runner holds it or a step is to be retried. `placed` is an order just
 * written with its saga's lease: its placing request runs it without claiming it again.
 */
export async function runSaga(deps: Deps, orderId: string, placed?: StoredOrder): Promise<Order | undefined> {
  const saga: Pick<Saga, 'step' | 'reason' | 'startedAt'> | null = placed
    ? { step: 'RESERVE', startedAt: placed.order.createdAt }
    : await sagasRepo.claim(deps.db, orderId, LEASE_MS);
  if (!saga) return undefined;
  let next: Next = {
    step: saga.step,
    reason: saga.reason,
    order: placed ?? (await ordersRepo.stored(deps.db, orderId))!,
  };
  try {
    while (next.step !== 'DONE') {
      const started = performance.now();
      const step = next.step;
      try {
        next = await runStep(deps, next, saga.startedAt);
      } finally {
        deps.metrics?.stepTook(step, (performance.now() - started) / 1000);
      }
      if (next.outcome) deps.metrics?.outcome(next.outcome, next.outcome === 'rejected' ? next.reason : undefined);
    }
    return next.order.order;
  } catch (err) {
    deps.log.warn({ orderId, step: next.step, err: String(err) }, 'saga step failed; it will be retried');
    await sagasRepo.retryLater(deps.db, orderId, String(err), deps.config.sagaRetryMs);
    return undefined;
  } finally {
    deps.notifier.notify(orderId);
  }
}

function runStep(deps: Deps, current: Next, startedAt: string): Promise<Next> {
  const { order, reason } = current;
  switch (current.step) {
    case 'RESERVE':
      return reserve(deps, order);
    case 'AUTHORIZE':
      return authorize(deps, order, startedAt);
    case 'CONFIRM':
      return confirm(deps, order);
    case 'COMPENSATE':
      return compensate(deps, order, reason ?? 'REJECTED');
    case 'CANCEL':
      return undoConfirmed(deps, order);
    default:
      return Promise.resolve({ step: 'DONE', order });
  }
}

async function reserve(deps: Deps, { order }: StoredOrder): Promise<Next> {
  const result = await deps.inventory.reserve(
    order.id,
    order.items.map(({ sku, quantity }) => ({ sku, quantity })),
  );
  if (!result.ok) return reject(deps, order.id, 'OUT_OF_STOCK');
  const lines = result.lines.map((l) => ({
    sku: l.sku,
    quantity: l.quantity,
    name: l.name,
    unitPrice: l.unitPrice.amount,
  }));
  return deps.db.transaction(async (tx) => {
    const priced = await ordersRepo.price(tx, order.id, lines);
    await sagasRepo.advance(tx, order.id, 'AUTHORIZE');
    return { step: 'AUTHORIZE', order: priced };
  });
}

async function authorize(deps: Deps, stored: StoredOrder, startedAt: string): Promise<Next> {
  const { order, wallet } = stored;
  let result: Awaited<ReturnType<Deps['payments']['authorize']>>;
  try {
    result = await deps.payments.authorize({
      orderId: order.id,
      userId: order.userId,
      amount: order.total.amount,
      method: order.payment.method,
      wallet,
    });
  } catch (err) {
    // Payments itself unreachable: keep trying for a while, then give the stock back.
    if (Date.now() - Date.parse(startedAt) < deps.config.sagaGiveUpMs) throw err;
    return advance(deps, { step: 'COMPENSATE', reason: 'PAYMENT_UNAVAILABLE', order: stored });
  }
  const reason = {
    approved: undefined,
    declined: 'PAYMENT_DECLINED',
    timeout: 'PAYMENT_TIMEOUT',
    unavailable: 'PAYMENT_UNAVAILABLE',
  }[result.outcome];
  // The payment's answer and the step it leads to are one write.
  return deps.db.transaction(async (tx): Promise<Next> => {
    const paid = await ordersRepo.setPayment(tx, order.id, result.status, result.reference);
    const step = reason ? 'COMPENSATE' : 'CONFIRM';
    await sagasRepo.advance(tx, order.id, step, reason);
    return { step, reason, order: paid };
  });
}

async function confirm(deps: Deps, stored: StoredOrder): Promise<Next> {
  const { order } = stored;
  await deps.inventory.commit(order.id);
  let payment: { status: string };
  try {
    payment = await deps.payments.capture(order.id);
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 409)
      return advance(deps, { step: 'COMPENSATE', reason: 'PAYMENT_FAILED', order: stored });
    throw err;
  }
  return deps.db.transaction(async (tx): Promise<Next> => {
    const confirmed = await ordersRepo.decide(tx, order.id, 'CONFIRMED', { paymentStatus: payment.status });
    if (confirmed)
      await announce(tx, confirmed, { type: OrderEvents.confirmed, extra: confirmedExtra(confirmed.order) });
    // No longer PENDING (cancelled meanwhile): only the payment's status is news.
    const latest = confirmed ?? (await ordersRepo.setPayment(tx, order.id, payment.status));
    await sagasRepo.advance(tx, order.id, 'DONE');
    return { step: 'DONE', order: latest, outcome: confirmed ? 'confirmed' : undefined };
  });
}

const confirmedExtra = (o: Order) => ({
  subtotal: o.subtotal,
  shippingFee: o.shippingFee,
  items: o.items,
  payment: { method: o.payment.method },
  shipping: o.shipping,
});

async function compensate(deps: Deps, { order }: StoredOrder, reason: string): Promise<Next> {
  await deps.inventory.release(order.id);
  const payment = await deps.payments.void(order.id);
  return reject(deps, order.id, reason, payment.status);
}

/** A confirmed order was cancelled: its goods go back on the shelf and its money back to the wallet. */
async function undoConfirmed(deps: Deps, { order }: StoredOrder): Promise<Next> {
  await deps.inventory.release(order.id);
  const payment = await deps.payments.refund(order.id);
  return deps.db.transaction(async (tx): Promise<Next> => {
    const refunded = await ordersRepo.setPayment(tx, order.id, payment.status);
    await sagasRepo.advance(tx, order.id, 'DONE');
    return { step: 'DONE', order: refunded, outcome: 'cancelled' };
  });
}

function reject(deps: Deps, orderId: string, reason: string, paymentStatus?: string): Promise<Next> {
  return deps.db.transaction(async (tx): Promise<Next> => {
    const rejected = await ordersRepo.decide(tx, orderId, 'REJECTED', { reason, paymentStatus });
    if (rejected) await announce(tx, rejected, { type: OrderEvents.rejected, extra: { reason } });
    const latest =
      rejected ??
      (paymentStatus
        ? await ordersRepo.setPayment(tx, orderId, paymentStatus)
        : (await ordersRepo.stored(tx, orderId))!);
    await sagasRepo.advance(tx, orderId, 'DONE', reason);
    return { step: 'DONE', reason, order: latest, outcome: rejected ? 'rejected' : undefined };
  });
}

async function advance(deps: Deps, next: Next): Promise<Next> {
  await sagasRepo.advance(deps.db, next.order.order.id, next.step, next.reason);
  return next;
}
