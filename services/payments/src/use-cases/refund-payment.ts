// Refund: gives a captured payment back (at the provider for wallets), never more than was captured; an authorisation
// not yet captured (cash before delivery) is voided instead. With no payment yet, a VOIDED tombstone.
import type { Tx } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import { money } from '@bazaar/kit/server';
import { PaymentEvents, type PaymentRefundedData, type PaymentStatusResponse } from '../contracts.ts';
import { ledgerRepo } from '../data/ledger-repo.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { refundable } from '../domain/ledger.ts';
import { isWallet, type Payment, providerUnavailable, refundStep } from '../domain/payment.ts';
import type { Deps } from './deps.ts';
import { againIfLost, type Lease, lockHeld, takeLease, whenIdle, withLease } from './payment-turns.ts';
import { releaseAtProvider, stillOpen } from './provider-release.ts';
import { releaseWallet, tombstone, voidCash } from './void-payment.ts';

export async function refundPayment(deps: Deps, orderId: string): Promise<PaymentStatusResponse> {
  // A lease lost to a caller that took over starts the refund again, on the payment as that caller left it.
  return deps.serial.run(orderId, () =>
    againIfLost(deps, orderId, async () => {
      const plan = await whenIdle(deps.db, orderId, async (tx, p): Promise<PaymentStatusResponse | Lease> => {
        if (!p) return tombstone(tx, orderId);
        const step = refundStep(p);
        if (step === 'keep') return { orderId, status: p.status };
        if (isWallet(p.method)) return takeLease(tx, deps, p);
        return step === 'refund' ? refundNow(tx, p) : voidCash(tx, p); // cash handed back: the books follow
      });
      if (!('token' in plan)) return plan;
      if (plan.payment.status !== 'CAPTURED') return withLease(deps, plan, () => releaseWallet(deps, plan));
      return withLease(deps, plan, () => refundWallet(deps, plan));
    }),
  );
}

/** Gives the money back at the provider, then books it; LeaseLost when another caller took the lease over meanwhile. */
async function refundWallet(deps: Deps, lease: Lease): Promise<PaymentStatusResponse> {
  const p = lease.payment;
  const release = await releaseAtProvider(deps, lease, deps.providers[p.method as 'jazzcash' | 'easypaisa']);
  if (stillOpen(release)) throw providerUnavailable(p.method!);
  if (release !== 'reversed') {
    // We captured what the provider approved, yet it shows no debit: nothing went back, so nothing is booked as
    // refunded; the refund is retried (and this logged) until the provider's record or an operator settles it.
    deps.log.error(
      { orderId: p.orderId, provider: p.method, release },
      'provider shows no debit for a captured payment',
    );
    throw providerUnavailable(p.method!);
  }
  return deps.db.transaction(async (tx) => {
    const current = await lockHeld(tx, lease);
    return current.status === 'CAPTURED' ? refundNow(tx, current) : { orderId: p.orderId, status: current.status };
  });
}

/** Books the refund of what is still captured, marks the payment REFUNDED and announces it. */
async function refundNow(tx: Tx, p: Payment): Promise<PaymentStatusResponse> {
  const totals = await ledgerRepo.totals(tx, p.id);
  const amount = refundable(totals.captured, totals.refunded);
  if (amount > 0) await ledgerRepo.book(tx, { id: p.id, orderId: p.orderId, method: p.method! }, 'refund', amount);
  await paymentsRepo.settle(tx, p, { status: 'REFUNDED' });
  const data: PaymentRefundedData = {
    orderId: p.orderId,
    paymentId: p.id,
    method: p.method!,
    amount: money(amount),
    status: 'REFUNDED',
    at: new Date().toISOString(),
  };
  await enqueue(tx, 'payments', { type: PaymentEvents.refunded, subject: p.orderId, data });
  return { orderId: p.orderId, status: 'REFUNDED' };
}
