// A provider's callback: believed only when signed and fresh, stored once (a replay changes nothing), and acted on only
// through an inquiry: a success for a payment we let go of is reversed; for one still authorising it is recorded, and
// the reconciler looks at the provider once the call has settled (a decline after a debit is reversed then).
import { createHash } from 'node:crypto';
import { notFound } from '@bazaar/kit/server';
import { callbacksRepo } from '../data/callbacks-repo.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { badSignature, type WalletMethod, walletMethods } from '../domain/payment.ts';
import type { Deps } from './deps.ts';
import { reconcilePayment } from './reconcile-payments.ts';

/** `body`: the callback's fields, or undefined when the body was no flat set of fields (so no signed callback). */
export async function handleCallback(
  deps: Deps,
  provider: string,
  body: Record<string, unknown> | undefined,
): Promise<{ received: true }> {
  if (!walletMethods.includes(provider as WalletMethod)) throw notFound('No such payment provider.');
  const reader = deps.callbacks[provider as WalletMethod];
  if (!body) throw badSignature('bad_signature');
  const fields = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
  const notice = await reader.accept(fields, new Date(), deps.settings.callbackMaxAgeMs);
  if (typeof notice === 'string') throw badSignature(notice);
  const { txnRef, paid } = notice;
  const fresh = await callbacksRepo.insert(deps.db, {
    provider,
    txnRef,
    paid,
    payload: fields,
    payloadHash: createHash('sha256').update(notice.identity).digest('hex'),
  });
  const payment = fresh && paid ? await paymentsRepo.byReference(deps.db, txnRef) : null;
  if (payment && (payment.status === 'VOIDED' || payment.status === 'DECLINED'))
    await reconcilePayment(deps, payment.orderId, provider as WalletMethod);
  // Still being asked: the call settles it, and a look at the provider follows, in case it settles as a decline.
  else if (payment?.status === 'AUTHORIZING')
    await paymentsRepo.reconcileLater(deps.db, payment.id, deps.settings.reconcileMs);
  return { received: true };
}
