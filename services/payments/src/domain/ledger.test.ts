import { describe, expect, it } from 'vitest';
import { assertBalanced, linesFor, refundable, UnbalancedEntryError } from './ledger.ts';

describe('journal entries', () => {
  it('books each payment event as one debit and one credit of the same amount', () => {
    expect(linesFor('authorize', 'jazzcash', 149_900)).toEqual([
      { account: 'holds:jazzcash', debit: 149_900, credit: 0 },
      { account: 'customer:jazzcash', debit: 0, credit: 149_900 },
    ]);
    expect(linesFor('capture', 'cod', 500).map((l) => l.account)).toEqual(['captured:cod', 'holds:cod']);
    expect(linesFor('void', 'easypaisa', 500).map((l) => l.account)).toEqual(['customer:easypaisa', 'holds:easypaisa']);
    expect(linesFor('refund', 'easypaisa', 500).map((l) => l.account)).toEqual([
      'customer:easypaisa',
      'captured:easypaisa',
    ]);
  });

  it('refuses an entry whose debits and credits differ, that has one line, or whose amounts are not integer paisa', () => {
    const line = (account: string, debit: number, credit: number) => ({ account, debit, credit });
    expect(() => assertBalanced([line('a', 100, 0), line('b', 0, 99)])).toThrow(UnbalancedEntryError);
    expect(() => assertBalanced([line('a', 100, 0)])).toThrow(UnbalancedEntryError);
    expect(() => assertBalanced([line('a', 10.5, 0), line('b', 0, 10.5)])).toThrow(UnbalancedEntryError);
    expect(() => assertBalanced([line('a', -5, 0), line('b', 0, -5)])).toThrow(UnbalancedEntryError);
    expect(() => assertBalanced([line('a', 5, 5), line('b', 0, 0)])).toThrow(UnbalancedEntryError);
    expect(() => linesFor('capture', 'cod', 0)).toThrow(UnbalancedEntryError);
    expect(() => assertBalanced([line('a', 100, 0), line('b', 0, 60), line('c', 0, 40)])).not.toThrow();
  });

  it('never lets more be refunded than was captured', () => {
    expect(refundable(149_900, 0)).toBe(149_900);
    expect(refundable(149_900, 149_900)).toBe(0);
    expect(refundable(100, 150)).toBe(0);
  });
});
