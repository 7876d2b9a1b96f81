// The order saga, one persisted step at a time: reserve stock, authorise payment, confirm; or compensate.
// Every remote call is idempotent per order, so a step cut short by a crash is simply run again.
import { UpstreamError } from '@bazaar/kit/http';
import { OrderEvents } from '../contracts.ts';
import { ordersRepo } from '../data/orders-repo.ts';
import { type SagaStep, sagasRepo } from '../data/sagas-repo.ts';
import { announce, type Deps } from './saga-deps.ts';
import type { SagaOutcome } from './saga-metrics.ts';

const LEASE_MS = 30_000;
/** The step to run next; `outcome` is set by the step that moved the order to its final state. */
type Next = { step: SagaStep; reason?: string; outcome?: SagaOutcome };

/** Runs the order's saga to its end, or until a transient failure schedules a retry. */
export async function runSaga(deps: Deps, orderId: string, options: { owned?: boolean } = {}): Promise<void> {
  const saga = await sagasRepo.claim(deps.db, orderId, LEASE_MS, options.owned);
  if (!saga) return;
  let next: Next = { step: saga.step, reason: saga.reason };
  try {
    while (next.step !== 'DONE') {
      const started = performance.now();
      const step = next.step;
      try {
        next = await runStep(deps, orderId, next, saga.startedAt);
      } finally {
        deps.metrics?.stepTook(step, (performance.now() - started) / 1000);
      }
      if (next.outcome) deps.metrics?.outcome(next.outcome, next.outcome === 'rejected' ? next.reason : undefined);
    }
    await sagasRepo.release(deps.db, orderId);
  } catch (err) {
    deps.log.warn({ orderId, step: next.step, err: String(err) }, 'saga step failed; it will be retried');
    await sagasRepo.retryLater(deps.db, orderId, String(err), deps.config.sagaRetryMs);
  } finally {
    deps.notifier.notify(orderId);
  }
}

function runStep(deps: Deps, orderId: string, { step, reason }: Next, startedAt: string): Promise<Next> {
  switch (step) {
    case 'RESERVE':
      return reserve(deps, orderId);
    case 'AUTHORIZE':
      return authorize(deps, orderId, startedAt);
    case 'CONFIRM':
      return confirm(deps, orderId);
    case 'COMPENSATE':
      return compensate(deps, orderId, reason ?? 'REJECTED');
    case 'CANCEL':
      return undoConfirmed(deps, orderId);
    default:
      return Promise.resolve({ step: 'DONE' });
  }
}

async function reserve(deps: Deps, orderId: string): Promise<Next> {
  const order = (await ordersRepo.byId(deps.db, orderId))!;
  const result = await deps.inventory.reserve(
    orderId,
    order.items.map(({ sku, quantity }) => ({ sku, quantity })),
  );
  if (!result.ok) return reject(deps, orderId, 'OUT_OF_STOCK');
  const lines = result.lines.map((l) => ({
    sku: l.sku,
    quantity: l.quantity,
    name: l.name,
    unitPrice: l.unitPrice.amount,
  }));
  return deps.db.transaction(async (tx) => {
    await ordersRepo.price(tx, orderId, lines);
    await sagasRepo.advance(tx, orderId, 'AUTHORIZE');
    return { step: 'AUTHORIZE' };
  });
}

async function authorize(deps: Deps, orderId: string, startedAt: string): Promise<Next> {
  const order = (await ordersRepo.byId(deps.db, orderId))!;
  const wallet = await ordersRepo.wallet(deps.db, orderId);
  let result: Awaited<ReturnType<Deps['payments']['authorize']>>;
  try {
    result = await deps.payments.authorize({
      orderId,
      userId: order.userId,
      amount: order.total.amount,
      method: order.payment.method,
      wallet,
    });
  } catch (err) {
    // Payments itself unreachable: keep trying for a while, then give the stock back.
    if (Date.now() - Date.parse(startedAt) < deps.config.sagaGiveUpMs) throw err;
    return advance(deps, orderId, 'COMPENSATE', 'PAYMENT_UNAVAILABLE');
  }
  await ordersRepo.setPayment(deps.db, orderId, result.status, result.reference);
  if (result.outcome === 'approved') return advance(deps, orderId, 'CONFIRM');
  const reason = { declined: 'PAYMENT_DECLINED', timeout: 'PAYMENT_TIMEOUT', unavailable: 'PAYMENT_UNAVAILABLE' }[
    result.outcome
  ];
  return advance(deps, orderId, 'COMPENSATE', reason);
}

async function confirm(deps: Deps, orderId: string): Promise<Next> {
  await deps.inventory.commit(orderId);
  let payment: { status: string };
  try {
    payment = await deps.payments.capture(orderId);
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 409)
      return advance(deps, orderId, 'COMPENSATE', 'PAYMENT_FAILED');
    throw err;
  }
  return deps.db.transaction(async (tx): Promise<Next> => {
    const order = (await ordersRepo.byId(tx, orderId, true))!;
    await ordersRepo.setPayment(tx, orderId, payment.status);
    if (order.status === 'PENDING') {
      await ordersRepo.setStatus(tx, orderId, 'CONFIRMED');
      await announce(tx, orderId, { type: OrderEvents.confirmed, extra: await confirmedExtra(tx, orderId) });
    }
    await sagasRepo.advance(tx, orderId, 'DONE');
    return { step: 'DONE', outcome: order.status === 'PENDING' ? 'confirmed' : undefined };
  });
}

async function confirmedExtra(tx: Parameters<typeof ordersRepo.byId>[0], orderId: string) {
  const o = (await ordersRepo.byId(tx, orderId))!;
  return {
    subtotal: o.subtotal,
    shippingFee: o.shippingFee,
    items: o.items,
    payment: { method: o.payment.method },
    shipping: o.shipping,
  };
}

async function compensate(deps: Deps, orderId: string, reason: string): Promise<Next> {
  await deps.inventory.release(orderId);
  const payment = await deps.payments.void(orderId);
  await ordersRepo.setPayment(deps.db, orderId, payment.status);
  return reject(deps, orderId, reason);
}

/** A confirmed order was cancelled: its goods go back on the shelf and its money back to the wallet. */
async function undoConfirmed(deps: Deps, orderId: string): Promise<Next> {
  await deps.inventory.release(orderId);
  const payment = await deps.payments.refund(orderId);
  return deps.db.transaction(async (tx): Promise<Next> => {
    await ordersRepo.setPayment(tx, orderId, payment.status);
    await sagasRepo.advance(tx, orderId, 'DONE');
    return { step: 'DONE', outcome: 'cancelled' };
  });
}

function reject(deps: Deps, orderId: string, reason: string): Promise<Next> {
  return deps.db.transaction(async (tx): Promise<Next> => {
    const order = (await ordersRepo.byId(tx, orderId, true))!;
    if (order.status === 'PENDING') {
      await ordersRepo.setStatus(tx, orderId, 'REJECTED', { reason });
      await announce(tx, orderId, { type: OrderEvents.rejected, extra: { reason } });
    }
    await sagasRepo.advance(tx, orderId, 'DONE', reason);
    return { step: 'DONE', reason, outcome: order.status === 'PENDING' ? 'rejected' : undefined };
  });
}

function advance(deps: Deps, orderId: string, step: SagaStep, reason?: string): Promise<Next> {
  return deps.db.transaction(async (tx) => {
    await sagasRepo.advance(tx, orderId, step, reason);
    return { step, reason };
  });
}
