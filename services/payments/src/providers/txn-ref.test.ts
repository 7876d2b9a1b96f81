import { describe, expect, it } from 'vitest';
import { txnRefFor } from './txn-ref.ts';

describe('transaction reference', () => {
  it('when the same order and attempt are asked twice, the reference is the same and at most 20 chars', () => {
    const ref = txnRefFor('0f8c2a4e-5d1b-4c1e-9a77-3b2d5e6f7a81', 1);
    expect(ref).toBe(txnRefFor('0f8c2a4e-5d1b-4c1e-9a77-3b2d5e6f7a81', 1));
    expect(ref).toMatch(/^T[0-9A-F]{19}$/);
  });

  it('when the attempt changes, the reference changes', () => {
    expect(txnRefFor('ord-1', 1)).not.toBe(txnRefFor('ord-1', 2));
    expect(txnRefFor('ord-1', 12)).not.toBe(txnRefFor('ord-11', 2));
  });
});
