// Letting go of money at a provider: ask what it holds for the payment, reverse it, and book what that showed.
import type { Tx } from '@bazaar/kit/database';
import type { WalletProvider } from '../clients/providers.ts';
import { attemptsRepo, type Operation } from '../data/attempts-repo.ts';
import { ledgerRepo } from '../data/ledger-repo.ts';
import type { Payment } from '../domain/payment.ts';
import type { InquiryStatus } from '../providers/index.ts';
import type { Deps } from './deps.ts';

/** clear: it holds nothing; reversed: it held money and gave it back; held: it holds money still; unknown: no answer. */
export type Release = 'clear' | 'reversed' | 'held' | 'unknown';

/** releaseAtProvider makes sure the provider keeps nothing for the payment; 'pending' counts as unknown. */
export async function releaseAtProvider(deps: Deps, p: Payment, provider: WalletProvider): Promise<Release> {
  const ref = p.reference!;
  const note = (operation: Operation, result: string, detail?: string) =>
    attemptsRepo.record(deps.db, { paymentId: p.id, provider: provider.name, operation, txnRef: ref, result, detail });
  let status: InquiryStatus;
  try {
    status = (await provider.inquire(ref)).status;
    await note('inquire', status);
  } catch (err) {
    await note('inquire', 'unavailable', (err as Error).message);
    return 'unknown';
  }
  if (status === 'failed' || status === 'not_found') return 'clear';
  if (status === 'pending') return 'unknown';
  const { ok } = await provider.reverse(ref);
  await note('reverse', ok ? 'reversed' : 'refused');
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
  if (release !== 'reversed' && release !== 'clear') return;
  const kinds = await ledgerRepo.kinds(tx, p.id);
  if (kinds.has('authorize') && !kinds.has('capture')) await ledgerRepo.book(tx, payment, 'void', p.amount);
}

/** Whether money may still sit at the provider, to be checked again later. */
export const stillOpen = (release: Release) => release === 'held' || release === 'unknown';
