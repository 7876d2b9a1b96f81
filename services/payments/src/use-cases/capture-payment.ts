// Capture: a wallet payment when its order is confirmed; cash on delivery stays authorised until the courier delivers.
import type { Tx } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import { money, notFound } from '@bazaar/kit/server';
import { type PaymentCapturedData, PaymentEvents, type PaymentStatusResponse } from '../contracts.ts';
import { ledgerRepo } from '../data/ledger-repo.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { captureStep, type Payment } from '../domain/payment.ts';
import { type Deps, whenIdle } from './deps.ts';

export async function capturePayment(deps: Deps, orderId: string): Promise<PaymentStatusResponse> {
  return deps.serial.run(orderId, () =>
    whenIdle(deps.db, orderId, async (tx, p) => {
      if (!p) throw notFound('No payment for this order.');
      if (captureStep(p) === 'keep') return { orderId, status: p.status };
      await captureNow(tx, p);
      return { orderId, status: 'CAPTURED' as const };
    }),
  );
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
