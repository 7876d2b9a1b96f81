// Capture: a wallet payment when its order is confirmed; cash on delivery stays authorised until the courier delivers.
// A batch of orders (the saga's calls gathered by its client) shares one transaction of two round trips.
import type { Tx } from '@bazaar/kit/database';
import { answered, attempt, type Outcome, refused, unwrap } from '@bazaar/kit/grpc';
import { enqueue } from '@bazaar/kit/messaging';
import { type AppError, money, notFound } from '@bazaar/kit/server';
import { type PaymentCapturedData, PaymentEvents, type PaymentStatusResponse } from '../contracts.ts';
import { ledgerRepo } from '../data/ledger-repo.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { captureStep, type Payment } from '../domain/payment.ts';
import type { Deps } from './deps.ts';
import { takeOverLapsed, whenIdle } from './payment-turns.ts';

export async function capturePayment(deps: Deps, orderId: string): Promise<PaymentStatusResponse> {
  return deps.serial.run(orderId, () =>
    whenIdle(deps.db, orderId, async (tx, p) => unwrap(await captureLocked(tx, orderId, p))),
  );
}

/**
 * Answers each order as capturePayment would: captured, kept (cash on delivery, or captured before), or refused.
 * The payments are locked in order id order, so two batches never deadlock. A payment that a provider call holds
 * (a lease: Authorize is still asking, or a Void is) is left out of the transaction and waits for it alone.
 */
export async function capturePayments(deps: Deps, orderIds: string[]): Promise<Outcome<PaymentStatusResponse>[]> {
  const unique = [...new Set(orderIds)].sort();
  const answers = await deps.db.transaction(async (tx) => {
    const held = await paymentsRepo.lockByOrders(tx, unique);
    const out = new Map<string, Outcome<PaymentStatusResponse> | 'leased'>();
    for (const orderId of unique) {
      const p = held.get(orderId) ?? null;
      if (p?.leased) out.set(orderId, 'leased');
      else {
        await takeOverLapsed(tx, p);
        out.set(orderId, await captureLocked(tx, orderId, p));
      }
    }
    return out;
  });
  for (const [orderId, answer] of answers)
    if (answer === 'leased')
      answers.set(
        orderId,
        await capturePayment(deps, orderId).then(
          (value) => answered(value),
          (err: AppError) => refused(err),
        ),
      );
  return orderIds.map((orderId) => answers.get(orderId) as Outcome<PaymentStatusResponse>);
}

/** Captures the order's payment, locked and idle, in the caller's transaction; or says why not. */
async function captureLocked(tx: Tx, orderId: string, p: Payment | null): Promise<Outcome<PaymentStatusResponse>> {
  if (!p) return refused(notFound('No payment for this order.'));
  const step = attempt(() => captureStep(p));
  if (!step.ok) return refused(step.error);
  if (step.value === 'keep') return answered({ orderId, status: p.status });
  await captureNow(tx, p);
  return answered({ orderId, status: 'CAPTURED' });
}

/** Moves the held amount to captured, marks the payment CAPTURED and announces it, in the caller's transaction. */
export async function captureNow(tx: Tx, p: Payment): Promise<void> {
  await ledgerRepo.book(tx, { id: p.id, orderId: p.orderId, method: p.method! }, 'capture', p.amount);
  await paymentsRepo.settle(tx, p, { status: 'CAPTURED' });
  const data: PaymentCapturedData = {
    orderId: p.orderId,
    paymentId: p.id,
    method: p.method!,
    amount: money(p.amount),
    status: 'CAPTURED',
    at: new Date().toISOString(),
  };
  await enqueue(tx, 'payments', { type: PaymentEvents.captured, subject: p.orderId, data });
}
