// The order saga, one persisted step at a time: reserve stock, authorise payment, confirm; or compensate.
// Every remote call is idempotent per order, so a step cut short by a crash is simply run again.
import type { Tx } from '@bazaar/kit/database';
import { UpstreamError } from '@bazaar/kit/http';
import { storedTraceOf } from '@bazaar/kit/telemetry';
import { PaymentErrors, PaymentReasons } from '@bazaar/payments/contracts';
import type { ReservedLine } from '../clients/ports.ts';
import { OrderEvents } from '../contracts.ts';
import { type Learnt, ordersRepo, type StoredOrder } from '../data/orders-repo.ts';
import { type Saga, type SagaStep, sagasRepo } from '../data/sagas-repo.ts';
import { type Line, type Order, type RejectionReason, withPrices } from '../domain/order.ts';
import { announce } from './announce-order.ts';
import type { Deps } from './saga-deps.ts';
import type { SagaOutcome } from './saga-metrics.ts';

export const LEASE_MS = 30_000;
/**
 * The step to run next and the order as it stands; `outcome` is set by the step that moved it to its final state.
 * `learnt` is what the saga knows but has not written: the next persisted step writes it with its own move, so the
 * happy path costs one transaction after the order's; a crash meanwhile reruns the steps from the saga's last write.
 */
type Next = { step: SagaStep; order: StoredOrder; reason?: RejectionReason; outcome?: SagaOutcome; learnt?: Learnt };
/** Writes the caller's own record of the outcome in the saga's final transaction (the placing request's answer). */
export type Finish = (tx: Tx, order: Order) => Promise<void>;
type Run = { startedAt: string; finish?: Finish; detail?: string };
/** What a caller waiting on the saga may read as it runs: what it learnt and has not written yet. */
export type Watch = { learnt?: Learnt };

/**
 * A saga its runner wrote with the lease held (an order just placed, a cancellation): run without a claim. `detail`
 * is what the order's history says of a cancellation (who asked).
 */
export type Held = { step: SagaStep; order: StoredOrder; detail?: string };

/**
 * Runs the order's saga to its end, or until a transient failure schedules a retry; answers the order as the
 * saga left it, or undefined when another runner holds it or a step is to be retried.
 */
export async function runSaga(
  deps: Deps,
  orderId: string,
  { held, finish, watch }: { held?: Held; finish?: Finish; watch?: Watch } = {},
): Promise<Order | undefined> {
  const saga: Pick<Saga, 'step' | 'reason' | 'startedAt'> | null = held
    ? { step: held.step, startedAt: held.order.order.createdAt }
    : await sagasRepo.claim(deps.db, orderId, LEASE_MS);
  if (!saga) return undefined;
  let next: Next = {
    step: saga.step,
    reason: saga.reason,
    order: held?.order ?? (await ordersRepo.stored(deps.db, orderId))!,
  };
  try {
    while (next.step !== 'DONE') {
      const started = performance.now();
      const step = next.step;
      try {
        next = await runStep(deps, next, { startedAt: saga.startedAt, finish, detail: held?.detail });
      } finally {
        deps.metrics?.stepTook(step, (performance.now() - started) / 1000);
      }
      if (watch) watch.learnt = next.learnt;
      if (next.outcome) deps.metrics?.outcome(next.outcome, next.outcome === 'rejected' ? next.reason : undefined);
    }
    return next.order.order;
  } catch (err) {
    deps.log.warn({ orderId, step: next.step, err: String(err) }, 'saga step failed; it will be retried');
    // The step that failed: the row may still name an earlier one, whose result is written with the next step.
    await sagasRepo.retryLater(deps.db, orderId, `${next.step}: ${String(err)}`, deps.config.sagaRetryMs);
    return undefined;
  } finally {
    deps.notifier.notify(orderId);
  }
}

function runStep(deps: Deps, current: Next, run: Run): Promise<Next> {
  const { order, reason } = current;
  switch (current.step) {
    case 'RESERVE':
      return reserve(deps, order, run.finish);
    case 'AUTHORIZE':
      return authorize(deps, current, run.startedAt);
    case 'CONFIRM':
      return confirm(deps, current, run.finish);
    case 'COMPENSATE':
      // Every COMPENSATE is written with its reason; PAYMENT_FAILED stands in should a row ever lack one.
      return compensate(deps, order, reason ?? 'PAYMENT_FAILED', run.finish);
    case 'CANCEL_ASKED':
      return askToCancel(deps, order, run.detail ?? 'cancelled');
    case 'CANCEL':
      return undoConfirmed(deps, order);
    default:
      return Promise.resolve({ step: 'DONE', order });
  }
}

async function reserve(deps: Deps, { order, ...stored }: StoredOrder, finish?: Finish): Promise<Next> {
  const result = await deps.inventory.reserve(
    order.id,
    order.items.map(({ sku, quantity }) => ({ sku, quantity })),
  );
  if (!result.ok) {
    // Priced as far as the catalogue knows its skus: the rejected order still shows what it would have cost.
    const priced = new Map(result.priced?.map((l) => [l.sku, asLine(l)]));
    const lines = order.items.map(({ sku, quantity }) => priced.get(sku) ?? { sku, quantity });
    // No payment was asked for, and none ever will be: VOIDED, not a PENDING that never ends.
    return reject(deps, order.id, 'OUT_OF_STOCK', { lines, paymentStatus: 'VOIDED' }, finish);
  }
  const lines = result.lines.map(asLine);
  // Written with the next step's outcome: after a crash before that, Reserve answers these lines again.
  return { step: 'AUTHORIZE', order: { ...stored, order: withPrices(order, lines) }, learnt: { lines } };
}

/** isRefusal: payments read the request and refused it (invalid or conflicting); asking again answers the same. */
const isRefusal = (err: unknown): err is UpstreamError =>
  err instanceof UpstreamError && [400, 409, 422].includes(err.status);

const asLine = (l: ReservedLine): Line => ({
  sku: l.sku,
  quantity: l.quantity,
  name: l.name,
  unitPrice: l.unitPrice.amount,
});

async function authorize(deps: Deps, current: Next, startedAt: string): Promise<Next> {
  const { order, wallet, cnic } = current.order;
  let result: Awaited<ReturnType<Deps['payments']['authorize']>>;
  try {
    result = await deps.payments.authorize({
      orderId: order.id,
      userId: order.userId,
      amount: order.total.amount,
      method: order.payment.method,
      wallet,
      cnic,
    });
  } catch (err) {
    const refused = isRefusal(err);
    // Payments itself unreachable: keep trying for a while, then give the stock back. A refusal is final at once.
    if (!refused && Date.now() - Date.parse(startedAt) < deps.config.sagaGiveUpMs) throw err;
    if (refused) deps.log.error({ orderId: order.id, code: err.code, status: err.status }, 'payment request refused');
    return persist(deps, { ...current, step: 'COMPENSATE', reason: 'PAYMENT_UNAVAILABLE' });
  }
  const reason = {
    approved: undefined,
    declined: PaymentReasons.declined,
    timeout: PaymentReasons.timeout,
    unavailable: PaymentReasons.unavailable,
  }[result.outcome];
  const learnt = { ...current.learnt, paymentStatus: result.status, paymentReference: result.reference };
  // Approved: written with the confirmation (a crash before it asks again, and Authorize answers the same).
  if (!reason) return { ...current, step: 'CONFIRM', learnt };
  return persist(deps, { ...current, step: 'COMPENSATE', reason, learnt });
}

async function confirm(deps: Deps, current: Next, finish?: Finish): Promise<Next> {
  const { order } = current.order;
  // Neither waits for the other: both are idempotent, and a retry after either failed asks both again. A refused
  // capture is compensated whatever became of the commit, as release gives back goods reserved or sold.
  const [committed, captured] = await Promise.allSettled([
    deps.inventory.commit(order.id),
    deps.payments.capture(order.id),
  ]);
  if (captured.status === 'rejected') {
    if (captured.reason instanceof UpstreamError && captured.reason.status === 409)
      return persist(deps, { ...current, step: 'COMPENSATE', reason: 'PAYMENT_FAILED' });
    throw captured.reason;
  }
  if (committed.status === 'rejected') throw committed.reason;
  const learnt = { ...current.learnt, paymentStatus: captured.value.status };
  const next = await deps.db.transaction(async (tx): Promise<Next> => {
    const confirmed = await ordersRepo.decide(tx, order.id, 'CONFIRMED', learnt);
    if (confirmed)
      await announce(tx, confirmed, { type: OrderEvents.confirmed, extra: confirmedExtra(confirmed.order) });
    // No longer PENDING (cancelled meanwhile): only what the saga learnt is news.
    const latest = confirmed ?? (await ordersRepo.catchUp(tx, order.id, learnt));
    await sagasRepo.advance(tx, order.id, 'DONE');
    await finish?.(tx, latest.order);
    return { step: 'DONE', order: latest, outcome: confirmed ? 'confirmed' : undefined };
  });
  // Logged once committed, and only by the run that confirmed it.
  if (next.outcome) {
    const { total, payment: paid } = next.order.order;
    deps.log.info({ orderId: order.id, total: total.amount, method: paid.method }, 'order confirmed');
  }
  return next;
}

const confirmedExtra = (o: Order) => ({
  subtotal: o.subtotal,
  shippingFee: o.shippingFee,
  items: o.items,
  payment: { method: o.payment.method },
  shipping: o.shipping,
});

async function compensate(deps: Deps, { order }: StoredOrder, reason: RejectionReason, finish?: Finish): Promise<Next> {
  const [, payment] = await together(deps.inventory.release(order.id), voidOrRefund(deps, order.id));
  deps.log.info({ orderId: order.id, step: 'COMPENSATE', reason, paymentStatus: payment.status }, 'saga compensated');
  return reject(deps, order.id, reason, { paymentStatus: payment.status }, finish);
}

/**
 * Lets go of the payment: a void, or a refund when payments says it was captured, which happens when a capture went
 * through but its answer was lost and the saga then gave up on payments (PAYMENT_UNAVAILABLE). Without the refund
 * that saga would retry the refused void for ever, its order PENDING and the money kept.
 */
async function voidOrRefund(deps: Deps, orderId: string): Promise<{ status: string }> {
  try {
    return await deps.payments.void(orderId);
  } catch (err) {
    if (!(err instanceof UpstreamError && err.code === PaymentErrors.alreadyCaptured)) throw err;
    deps.log.warn({ orderId }, 'payment found captured while compensating; refunding it');
    return deps.payments.refund(orderId);
  }
}

/**
 * Asks shipping to call the parcel back; cancel-order.ts wrote this step first, so an answer lost to a timeout or a
 * crash is asked again. Called back: the order turns CANCELLED and the next step undoes it. Picked up already: done,
 * nothing to undo. Cancelled meanwhile by another request or by its shipment's event: that one's CANCEL undoes it.
 */
async function askToCancel(deps: Deps, stored: StoredOrder, detail: string): Promise<Next> {
  const calledBack = await deps.shipping.cancel(stored.order.id);
  let cancelledHere = false;
  const next = await deps.db.transaction(async (tx): Promise<Next> => {
    const current = (await ordersRepo.byId(tx, stored.order.id, true))!;
    if (current.status === 'CANCELLED') {
      // Whoever cancelled it wrote CANCEL; if this step is still ours, that CANCEL was overwritten: undo it here
      // (release and refund are idempotent per order).
      if ((await sagasRepo.stepOf(tx, current.id)) !== 'CANCEL_ASKED')
        return { step: 'DONE', order: { ...stored, order: current } };
      await sagasRepo.advance(tx, current.id, 'CANCEL');
      return { step: 'CANCEL', order: { ...stored, order: current } };
    }
    if (calledBack && current.status === 'CONFIRMED') {
      cancelledHere = true;
      return { step: 'CANCEL', order: await markCancelled(tx, current, detail, LEASE_MS) };
    }
    await sagasRepo.advance(tx, current.id, 'DONE');
    return { step: 'DONE', order: { ...stored, order: current } };
  });
  if (cancelledHere) deps.log.info({ orderId: stored.order.id, detail }, 'order cancelled');
  return next;
}

/**
 * Turns a CONFIRMED order (its row locked by tx) CANCELLED with OrderCancelled, and gives its saga the CANCEL step:
 * goods back, payment refunded. leaseMs holds the saga for the runner going on to it; 0 leaves it to the sweep.
 */
export async function markCancelled(tx: Tx, current: Order, detail: string, leaseMs: number): Promise<StoredOrder> {
  const stored = await ordersRepo.setStatus(tx, current.id, 'CANCELLED', { detail });
  await sagasRepo.reopen(tx, current.id, 'CANCEL', leaseMs, storedTraceOf());
  await announce(tx, stored, { type: OrderEvents.cancelled, extra: { payment: { method: current.payment.method } } });
  return stored;
}

/** A confirmed order was cancelled: its goods go back on the shelf and its money back to the wallet. */
async function undoConfirmed(deps: Deps, { order }: StoredOrder): Promise<Next> {
  const [, payment] = await together(deps.inventory.release(order.id), deps.payments.refund(order.id));
  const next = await deps.db.transaction(async (tx): Promise<Next> => {
    const refunded = await ordersRepo.catchUp(tx, order.id, { paymentStatus: payment.status });
    await sagasRepo.advance(tx, order.id, 'DONE');
    return { step: 'DONE', order: refunded, outcome: 'cancelled' };
  });
  deps.log.info({ orderId: order.id, step: 'CANCEL', paymentStatus: payment.status }, 'saga compensated');
  return next;
}

async function reject(
  deps: Deps,
  orderId: string,
  reason: RejectionReason,
  learnt: Learnt,
  finish?: Finish,
): Promise<Next> {
  const next = await deps.db.transaction(async (tx): Promise<Next> => {
    const rejected = await ordersRepo.decide(tx, orderId, 'REJECTED', { ...learnt, reason });
    if (rejected) await announce(tx, rejected, { type: OrderEvents.rejected, extra: { reason } });
    const latest =
      rejected ??
      (learnt.paymentStatus
        ? await ordersRepo.catchUp(tx, orderId, { paymentStatus: learnt.paymentStatus })
        : (await ordersRepo.stored(tx, orderId))!);
    await sagasRepo.advance(tx, orderId, 'DONE', reason);
    await finish?.(tx, latest.order);
    return { step: 'DONE', reason, order: latest, outcome: rejected ? 'rejected' : undefined };
  });
  // Logged once committed, and only by the run that rejected it; payments being down is the operator's to look at.
  if (next.outcome) {
    const facts = { orderId, reason, total: next.order.order.total.amount };
    if (reason === 'PAYMENT_UNAVAILABLE') deps.log.warn(facts, 'order rejected');
    else deps.log.info(facts, 'order rejected');
  }
  return next;
}

/** Two independent calls at once; the first failure is thrown when neither is running any more. */
async function together<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/** Moves the saga to its next step, with whatever it learnt on the way in the same transaction. */
async function persist(deps: Deps, { learnt, ...next }: Next): Promise<Next> {
  const id = next.order.order.id;
  if (!learnt) {
    await sagasRepo.advance(deps.db, id, next.step, next.reason);
    return next;
  }
  return deps.db.transaction(async (tx): Promise<Next> => {
    const order = await ordersRepo.catchUp(tx, id, learnt);
    await sagasRepo.advance(tx, id, next.step, next.reason);
    return { ...next, order };
  });
}
