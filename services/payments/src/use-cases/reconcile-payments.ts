// Reconciliation: a payment we let go of (timed out, declined, voided) must leave no money at the provider. Each is
// asked again until the provider holds nothing for it; a provider callback reporting success starts one at once.

import { type Sweep, startSweep } from '@bazaar/kit/service';
import { context, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { PaymentStatusResponse } from '../contracts.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import type { WalletMethod } from '../domain/payment.ts';
import type { Deps } from './deps.ts';
import { againIfLost, type Lease, lockHeld, takeLease, whenIdle, withLease } from './payment-turns.ts';
import { bookRelease, lookAgain, releaseAtProvider } from './provider-release.ts';

const released = new Set(['VOIDED', 'DECLINED']);

/** Checks one order's payment at the provider (a tombstone at the one that reported it) and reverses what it holds. */
export async function reconcilePayment(deps: Deps, orderId: string, reportedBy?: WalletMethod): Promise<void> {
  // A lease lost to a caller that took over starts the check again, on the payment as that caller left it.
  await deps.serial.run(orderId, () =>
    againIfLost(deps, orderId, async () => {
      const plan = await whenIdle(deps.db, orderId, async (tx, p): Promise<Lease | null> => {
        if (!p) return null;
        const method = p.method ?? reportedBy;
        if (!p.reference || !released.has(p.status) || (method !== 'jazzcash' && method !== 'easypaisa')) {
          await paymentsRepo.reconcileLater(tx, p.id, null); // nothing of ours can be at a provider
          return null;
        }
        if (!p.method) await paymentsRepo.setMethodIfUnknown(tx, p.id, method);
        return takeLease(tx, deps, { ...p, method });
      });
      if (plan) await withLease(deps, plan, () => settle(deps, plan));
    }),
  );
}

async function settle(deps: Deps, lease: Lease): Promise<PaymentStatusResponse> {
  const p = lease.payment;
  const release = await releaseAtProvider(deps, lease, deps.providers[p.method as WalletMethod]);
  return deps.db.transaction(async (tx) => {
    const current = await lockHeld(tx, lease);
    await bookRelease(tx, current, release);
    const again = lookAgain(release, current, deps.settings.reconcileHorizonMs);
    await paymentsRepo.reconcileLater(tx, p.id, again ? deps.settings.reconcileMs : null);
    if (release === 'reversed')
      deps.log.warn(
        { orderId: p.orderId, provider: p.method },
        'reversed money a provider took for a released payment',
      );
    return { orderId: p.orderId, status: current.status };
  });
}

/**
 * Sweeps the payments due for another look, every `everyMs`. Each payment's check is a trace of its own, so that its
 * lines, its SQL and its provider calls can be read together; one that fails is logged there and tried next sweep.
 */
export function startReconciler(deps: Deps, everyMs: number): Sweep {
  const sweep = async () => {
    for (const p of await paymentsRepo.dueForReconcile(deps.db, 20)) await reconcileTraced(deps, p.orderId);
  };
  return startSweep(everyMs, sweep, deps.log, 'reconciliation sweep failed; the next one retries');
}

/** One payment's check under a root span of its own; a failure is logged in it, and the sweep goes on to the next. */
async function reconcileTraced(deps: Deps, orderId: string): Promise<void> {
  const span = deps.tracer.startSpan('reconcile payment', { root: true, attributes: { 'bazaar.order_id': orderId } });
  await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
    try {
      await reconcilePayment(deps, orderId);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      deps.log.warn({ err: String(err), orderId }, 'payment reconciliation failed; the next sweep retries');
    } finally {
      span.end();
    }
  });
}
