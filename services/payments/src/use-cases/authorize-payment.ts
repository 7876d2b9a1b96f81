// Authorise an order's payment, once per order: cash on delivery at once, a wallet at its provider. The payment row is
// written AUTHORIZING first; its lease then keeps every other caller waiting until the provider's answer is recorded,
// so a repeated or concurrent call answers the stored outcome and never charges again.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tx } from '@bazaar/kit/database';
import type { WalletProvider } from '../clients/providers.ts';
import type { AuthorizeOutcome, AuthorizeRequest, AuthorizeResponse } from '../contracts.ts';
import { attemptsRepo } from '../data/attempts-repo.ts';
import { ledgerRepo } from '../data/ledger-repo.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import {
  checkAuthorizeRequest,
  checkSameRequest,
  isTombstone,
  isWallet,
  type Payment,
  reasonFor,
  type WalletMethod,
} from '../domain/payment.ts';
import { type ProviderResult, txnRefFor } from '../providers/index.ts';
import type { Deps } from './deps.ts';
import { againIfLost, type HandBack, holds, type Lease, LeaseLost, takeLease, withLease } from './payment-turns.ts';
import { bookRelease, inquireNoted, lookAgain, type Release, releaseAtProvider } from './provider-release.ts';
import { providerTrail } from './provider-trail.ts';

type Claim = { kind: 'answer'; payment: Payment } | { kind: 'busy' } | { kind: 'call'; lease: Lease; resumed: boolean };
type Turn = Exclude<Claim, { kind: 'busy' }>;

export async function authorizePayment(deps: Deps, req: AuthorizeRequest): Promise<AuthorizeResponse> {
  checkAuthorizeRequest(req);
  return deps.serial.run(req.orderId, async () => {
    const fresh = await claimNew(deps, req);
    let first: Turn | null = fresh && { kind: 'call', lease: fresh, resumed: false };
    return againIfLost(deps, req.orderId, async () => {
      // After a lease lost to a caller that took over, the payment is answered as that caller left it.
      const turn = first ?? (await awaitTurn(deps, req));
      first = null;
      if (turn.kind === 'answer') return answerOf(turn.payment);
      return withLease(deps, turn.lease, (handBack) => askProvider(deps, turn.lease, handBack, req.cnic, turn.resumed));
    });
  });
}

/** The payment as recorded, or the lease to ask the provider again; waits while another process is asking it. */
async function awaitTurn(deps: Deps, req: AuthorizeRequest): Promise<Turn> {
  for (;;) {
    const claim = await deps.db.transaction((tx) => claimAuthorization(tx, deps, req));
    if (claim.kind !== 'busy') return claim;
    await sleep(20);
  }
}

/**
 * A wallet order's first call writes its payment AUTHORIZING with the lease for the provider call, in one statement
 * and no transaction around it: one round trip. Null when the order has a payment already: claimAuthorization then.
 */
async function claimNew(deps: Deps, req: AuthorizeRequest): Promise<Lease | null> {
  if (!isWallet(req.method)) return null;
  const token = randomUUID();
  const payment = await paymentsRepo.insertAuthorizing(
    deps.db,
    { id: `pay_${randomUUID()}`, ...req, reference: txnRefFor(req.orderId, 1) },
    { token, ms: deps.settings.leaseMs },
  );
  return payment && { payment, token };
}

/** The order's payment as it stands, under its row lock: written here for cash on delivery, by claimNew for a wallet. */
async function claimAuthorization(tx: Tx, deps: Deps, req: AuthorizeRequest): Promise<Claim> {
  const p =
    (req.method === 'cod'
      ? await paymentsRepo.insertAuthorizing(tx, { id: `pay_${randomUUID()}`, ...req, reference: null })
      : null) ?? (await paymentsRepo.lockByOrder(tx, req.orderId))!;
  // A tombstone (the order was voided first) takes the request's details and answers VOIDED: never charged.
  if (isTombstone(p)) await paymentsRepo.adoptTombstone(tx, p.id, req);
  else checkSameRequest(p, req);
  if (p.status === 'AUTHORIZING') {
    if (p.method === 'cod') return { kind: 'answer', payment: await record(tx, deps, p, 'approved') }; // nobody to ask
    return p.leased ? { kind: 'busy' } : { kind: 'call', lease: await takeLease(tx, deps, p), resumed: true };
  }
  return { kind: 'answer', payment: (await paymentsRepo.byOrder(tx, req.orderId))! };
}

/**
 * Asks the provider; when it gives no answer, finds out what it did and takes back any debit before recording. The
 * attempt, the outcome and the lease's return are one transaction: a crash before it leaves the payment AUTHORIZING
 * with a lease that expires, and the next call (`resumed`) first asks the provider what became of the debit. Once
 * another caller has taken the lease over (ours ran out), this one reverses nothing and records nothing: LeaseLost.
 * The CNIC is the caller's, never stored here: orders keeps it with the order and sends it on every call, a resumed
 * one too.
 */
async function askProvider(
  deps: Deps,
  lease: Lease,
  handBack: HandBack,
  cnic: string | undefined,
  resumed = false,
): Promise<AuthorizeResponse> {
  const p = lease.payment;
  const provider = deps.providers[p.method as WalletMethod];
  const debit = { orderId: p.orderId, attempt: 1, amount: p.amount, wallet: p.wallet ?? undefined, cnic };
  const earlier = resumed ? await earlierDebit(deps, p, provider) : undefined;
  const trail = providerTrail();
  const result = earlier ?? (await provider.authorize(debit, trail.call));
  const outcome: AuthorizeOutcome =
    result.outcome !== 'unavailable' ? result.outcome : result.timedOut ? 'timeout' : 'unavailable';
  const attempt = {
    paymentId: p.id,
    provider: provider.name,
    operation: 'authorize' as const,
    txnRef: p.reference!,
    result: outcome,
    detail:
      result.outcome === 'approved'
        ? undefined
        : result.outcome === 'declined'
          ? `${result.code} ${result.message}`
          : result.message,
  };
  // An outcome read from an inquiry after a crash is no call of its own: it has no timing, nor retries.
  const attempts = earlier ? [attempt] : trail.rows(attempt);
  // Without an answer the trail reads authorize, inquire, reverse: the attempts go first, on their own.
  const unanswered = outcome === 'timeout' || outcome === 'unavailable';
  if (unanswered) await attemptsRepo.record(deps.db, ...attempts);
  const release = unanswered ? await releaseAtProvider(deps, lease, provider) : undefined;
  const answer = await deps.db.transaction(async (tx) => {
    const current = (await paymentsRepo.lockByOrder(tx, p.orderId))!;
    if (!unanswered) await attemptsRepo.record(tx, ...attempts);
    if (!holds(lease, current)) return null; // the calls stay in the trail; the outcome is the new holder's to record
    const settled = await record(tx, deps, current, outcome, release);
    await handBack(tx);
    return answerOf(settled);
  });
  if (!answer) throw new LeaseLost(p.orderId);
  return answer;
}

/**
 * What became of the debit an interrupted call may have sent, as the provider's answer to it would have said; undefined
 * when the provider has no record of it, so it is sent now. Money it took and gave back (we reversed it before a
 * crash) reads as a timeout, whose release then books the reversal: never an approval.
 */
async function earlierDebit(deps: Deps, p: Payment, provider: WalletProvider): Promise<ProviderResult | undefined> {
  const status = await inquireNoted(deps, p, provider);
  if (status instanceof Error)
    return { outcome: 'unavailable', message: `no answer to the inquiry after an interrupted call: ${status.message}` };
  if (status === 'not_found') return undefined;
  if (status === 'paid') return { outcome: 'approved', reference: p.reference! };
  if (status === 'failed') return { outcome: 'declined', code: status, message: 'the provider failed the debit' };
  return { outcome: 'unavailable', message: `the debit is ${status} at the provider`, timedOut: true };
}

/**
 * Books and stores the outcome, and answers the payment as settled: approved holds the amount; a timeout or outage
 * voids, after the provider let go.
 */
async function record(tx: Tx, deps: Deps, p: Payment, outcome: AuthorizeOutcome, release?: Release): Promise<Payment> {
  deps.metrics.authorized(p.method!, outcome);
  const facts = { orderId: p.orderId, method: p.method, amount: p.amount, outcome };
  if (outcome === 'approved') deps.log.info(facts, 'payment authorised');
  else if (outcome === 'declined') deps.log.info(facts, 'payment declined');
  else deps.log.warn({ ...facts, release }, 'payment not authorised: the provider gave no answer');
  if (outcome === 'approved') {
    await ledgerRepo.book(tx, { id: p.id, orderId: p.orderId, method: p.method! }, 'authorize', p.amount);
    return paymentsRepo.settle(tx, p, { status: 'AUTHORIZED', outcome });
  }
  if (outcome === 'declined')
    return paymentsRepo.settle(tx, p, { status: 'DECLINED', outcome, reason: reasonFor(outcome)! });
  await bookRelease(tx, p, release!);
  const voided = await paymentsRepo.settle(tx, p, { status: 'VOIDED', outcome, reason: reasonFor(outcome)! });
  if (lookAgain(release!, p, deps.settings.reconcileHorizonMs))
    await paymentsRepo.reconcileLater(tx, p.id, deps.settings.reconcileMs);
  return voided;
}

export function answerOf(p: Payment): AuthorizeResponse {
  return {
    orderId: p.orderId,
    paymentId: p.id,
    status: p.status,
    outcome: p.outcome ?? 'declined',
    ...(p.reference ? { reference: p.reference } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
  };
}
