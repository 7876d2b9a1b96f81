// Void: releases an authorisation that will not be captured (the order was rejected), at the provider and in the books.
// With no payment yet, a VOIDED tombstone makes sure a late authorisation is refused.
import { randomUUID } from 'node:crypto';
import type { Tx } from '@bazaar/kit/database';
import type { PaymentStatusResponse } from '../contracts.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { isWallet, type Payment, providerUnavailable, voidStep } from '../domain/payment.ts';
import { txnRefFor } from '../providers/index.ts';
import type { Deps } from './deps.ts';
import { againIfLost, type Lease, lockHeld, takeLease, whenIdle, withLease } from './payment-turns.ts';
import { bookRelease, lookAgain, releaseAtProvider, stillOpen } from './provider-release.ts';

export async function voidPayment(deps: Deps, orderId: string): Promise<PaymentStatusResponse> {
  // A lease lost to a caller that took over starts the void again, on the payment as that caller left it.
  return deps.serial.run(orderId, () =>
    againIfLost(deps, orderId, async () => {
      const plan = await whenIdle(deps.db, orderId, async (tx, p): Promise<PaymentStatusResponse | Lease> => {
        if (!p) return tombstone(tx, orderId);
        const step = voidStep(p); // CAPTURED: 409, refund instead
        if (step === 'keep') return { orderId, status: p.status };
        return isWallet(p.method) ? takeLease(tx, deps, p) : voidCash(tx, p);
      });
      if (!('token' in plan)) return plan;
      return withLease(deps, plan, () => releaseWallet(deps, plan));
    }),
  );
}

/**
 * Takes the debit back at the provider, then records the void; an approved payment stays AUTHORIZED until it is sure.
 * LeaseLost when another caller took the lease over meanwhile: nothing is reversed or recorded then.
 */
export async function releaseWallet(deps: Deps, lease: Lease): Promise<PaymentStatusResponse> {
  const p = lease.payment;
  const release = await releaseAtProvider(deps, lease, deps.providers[p.method as 'jazzcash' | 'easypaisa']);
  return deps.db.transaction(async (tx) => {
    const current = await lockHeld(tx, lease);
    if (current.status === 'AUTHORIZED' && stillOpen(release)) throw providerUnavailable(p.method!);
    if (current.status !== 'AUTHORIZED' && current.status !== 'AUTHORIZING')
      return { orderId: p.orderId, status: current.status };
    // An authorisation abandoned mid-call (a crash) is settled as refused; money found later is reversed by reconciliation.
    const abandoned = current.status === 'AUTHORIZING';
    await bookRelease(tx, current, release);
    await paymentsRepo.settle(
      tx,
      current,
      abandoned ? { status: 'VOIDED', outcome: 'declined', reason: 'PAYMENT_VOIDED' } : { status: 'VOIDED' },
    );
    if (lookAgain(release, current, deps.settings.reconcileHorizonMs))
      await paymentsRepo.reconcileLater(tx, p.id, deps.settings.reconcileMs);
    return { orderId: p.orderId, status: 'VOIDED' as const };
  });
}

/** Cash on delivery not yet collected: nothing was taken, so the books clear the authorisation and it is VOIDED. */
export async function voidCash(tx: Tx, p: Payment): Promise<PaymentStatusResponse> {
  await bookRelease(tx, p, 'clear');
  await paymentsRepo.settle(tx, p, { status: 'VOIDED' });
  return { orderId: p.orderId, status: 'VOIDED' };
}

export async function tombstone(tx: Tx, orderId: string): Promise<PaymentStatusResponse> {
  await paymentsRepo.insertTombstone(tx, { id: `pay_${randomUUID()}`, orderId, reference: txnRefFor(orderId, 1) });
  return { orderId, status: 'VOIDED' };
}
