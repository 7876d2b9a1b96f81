import { describe, expect, it } from 'vitest';
import { createKeyKeeper, randomKey } from './idempotency.ts';

describe('idempotency keys', () => {
  it('are random version-4 UUIDs', () => {
    const a = randomKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomKey()).not.toBe(a);
  });

  it('repeat for a retry of the same order, and change when the order changes or was answered', () => {
    let n = 0;
    const keeper = createKeyKeeper(() => `k${++n}`);
    const order = { items: [{ sku: 'A', quantity: 1 }] };
    expect(keeper.keyFor(order)).toBe('k1');
    expect(keeper.keyFor({ ...order })).toBe('k1');
    expect(keeper.keyFor({ items: [{ sku: 'A', quantity: 2 }] })).toBe('k2');
    keeper.settled();
    expect(keeper.keyFor({ items: [{ sku: 'A', quantity: 2 }] })).toBe('k3');
  });
});
