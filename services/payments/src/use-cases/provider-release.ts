// Letting go of money at a provider: ask what it holds for the payment, reverse it, and book what that showed.
import type { Tx } from '@bazaar/kit/database';
import type { WalletProvider } from '../clients/providers.ts';
import { attemptsRepo, type Operation } from '../data/attempts-repo.ts';
import { ledgerRepo } from '../data/ledger-repo.ts';
import type { Payment } from '../domain/payment.ts';
import type { InquiryStatus } from '../providers/index.ts';
import type { Deps } from './deps.ts';
import { keepLease, type Lease } from './payment-turns.ts';
import { providerTrail, type Trail } from './provider-trail.ts';

/**
 * clear: it never took money; reversed: it took money and gave it back; absent: it has no record of the payment,
 * yet (a debit sent before a timeout may still be completed); held: it holds money still; unknown: no answer.
 */
export type Release = 'clear' | 'reversed' | 'absent' | 'held' | 'unknown';

const noter =
  (deps: Deps, p: Payment, provider: WalletProvider) =>
  (operation: Operation, trail: Trail, result: string, detail?: string) =>
    attemptsRepo.record(
      deps.db,
      ...trail.rows({ paymentId: p.id, provider: provider.name, operation, txnRef: p.reference!, result, detail }),
    );

/** Asks the provider what it holds for the payment, and records the question in its trail; no answer is an Error. */
export async function inquireNoted(deps: Deps, p: Payment, provider: WalletProvider): Promise<InquiryStatus | Error> {
  const note = noter(deps, p, provider);
  const trail = providerTrail();
  try {
    const { status } = await provider.inquire(p.reference!, trail.call);
    await note('inquire', trail, status);
    return status;
  } catch (err) {
    await note('inquire', trail, 'unavailable', (err as Error).message);
    return err as Error;
  }
}

/**
 * releaseAtProvider makes sure the provider keeps nothing for the payment now; 'pending' counts as unknown. The
 * reversal is sent only while the lease is still ours (renewed for it): LeaseLost otherwise.
 */
export async function releaseAtProvider(deps: Deps, lease: Lease, provider: WalletProvider): Promise<Release> {
  const p = lease.payment;
  const ref = p.reference!;
  const note = noter(deps, p, provider);
  const status = await inquireNoted(deps, p, provider);
  if (status instanceof Error) return 'unknown';
  if (status === 'failed') return 'clear';
  if (status === 'reversed') return 'reversed';
  if (status === 'not_found') return 'absent';
  if (status === 'pending') return 'unknown';
  await keepLease(deps, lease);
  const trail = providerTrail();
  const { ok } = await provider.reverse(ref, trail.call);
  await note('reverse', trail, ok ? 'reversed' : 'refused');
  if (!ok) deps.log.warn({ orderId: p.orderId, provider: provider.name }, 'provider did not confirm a reversal');
  return ok ? 'reversed' : 'held';
}

/**
 * bookRelease records, for a payment that was never captured, what the provider showed: money it had taken is an
 * authorisation (booked once), and money given back, or never taken, releases the hold (a void, booked once).
 * A tombstone's amount is unknown, so nothing is booked for it; the provider attempts keep the trail.
 */
export async function bookRelease(tx: Tx, p: Payment, release: Release): Promise<void> {
  if (!p.method || p.amount === 0) return;
  const payment = { id: p.id, orderId: p.orderId, method: p.method };
  if (release === 'reversed' || release === 'held') await ledgerRepo.book(tx, payment, 'authorize', p.amount);
  if (release === 'held' || release === 'unknown') return;
  const kinds = await ledgerRepo.kinds(tx, p.id);
  if (kinds.has('authorize') && !kinds.has('capture')) await ledgerRepo.book(tx, payment, 'void', p.amount);
}

/** Whether the provider may hold money for the payment now. */
export const stillOpen = (release: Release) => release === 'held' || release === 'unknown';

/**
 * Whether to check the payment at the provider again later: while it may hold money, and while a debit it has no
 * record of may still arrive (until the horizon after the payment was made, past the provider's expiry).
 */
export const lookAgain = (release: Release, p: Payment, horizonMs: number) =>
  stillOpen(release) || (release === 'absent' && Date.now() - Date.parse(p.createdAt) < horizonMs);
