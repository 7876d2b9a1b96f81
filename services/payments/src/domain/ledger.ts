// The double-entry ledger's rules: the chart of accounts, the entry each payment event books, and the balance check.
import type { PaymentMethod } from '../contracts.ts';

export type EntryKind = 'authorize' | 'capture' | 'void' | 'refund';
export type Line = { account: string; debit: number; credit: number };

/**
 * Accounts, one set per method. Balances are debit − credit.
 *   customer:<m>  the customers' wallets (or cash): credited when money is taken, debited when it is given back
 *   holds:<m>     authorised, neither captured nor released: zero for every payment that is no longer AUTHORIZED
 *   captured:<m>  collected from customers: per payment, captured − refunded, never negative
 */
export const accounts = {
  customer: (m: PaymentMethod) => `customer:${m}`,
  holds: (m: PaymentMethod) => `holds:${m}`,
  captured: (m: PaymentMethod) => `captured:${m}`,
};

const moves: Record<EntryKind, { debit: keyof typeof accounts; credit: keyof typeof accounts }> = {
  authorize: { debit: 'holds', credit: 'customer' },
  capture: { debit: 'captured', credit: 'holds' },
  void: { debit: 'customer', credit: 'holds' },
  refund: { debit: 'customer', credit: 'captured' },
};

/** The lines of an entry: one debit and one credit of the same amount. */
export function linesFor(kind: EntryKind, method: PaymentMethod, amount: number): Line[] {
  const move = moves[kind];
  const lines = [
    { account: accounts[move.debit](method), debit: amount, credit: 0 },
    { account: accounts[move.credit](method), debit: 0, credit: amount },
  ];
  assertBalanced(lines);
  return lines;
}

export class UnbalancedEntryError extends Error {}

/** Every entry has two lines or more, each a positive integer on one side only, and its debits equal its credits. */
export function assertBalanced(lines: Line[]): void {
  if (lines.length < 2) throw new UnbalancedEntryError('an entry needs two lines or more');
  let debit = 0;
  let credit = 0;
  for (const l of lines) {
    if (!Number.isSafeInteger(l.debit) || !Number.isSafeInteger(l.credit) || l.debit < 0 || l.credit < 0)
      throw new UnbalancedEntryError(`${l.account}: amounts are non-negative integer paisa`);
    if (l.debit > 0 === l.credit > 0) throw new UnbalancedEntryError(`${l.account}: a line is a debit or a credit`);
    debit += l.debit;
    credit += l.credit;
  }
  if (debit !== credit) throw new UnbalancedEntryError(`debits ${debit} ≠ credits ${credit}`);
}

/** What may still be refunded: what was captured less what was refunded, never below zero. */
export const refundable = (captured: number, refunded: number) => Math.max(0, captured - refunded);
