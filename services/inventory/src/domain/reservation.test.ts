import { describe, expect, it } from 'vitest';
import { allocate, type Shelf } from './reservation.ts';

const price = { amount: 100_000, currency: 'PKR' as const };
const shelves = () =>
  new Map<string, Shelf>([
    ['A', { sku: 'A', name: 'Ajrak', price, onHand: 5, reserved: 1 }],
    ['B', { sku: 'B', name: 'Bangles', price, onHand: 2, reserved: 0 }],
  ]);

describe('allocate', () => {
  it('serves orders in turn, each whole, and moves the reserved counters by what it holds', () => {
    const stock = shelves();
    const out = allocate(stock, [
      {
        orderId: 'o1',
        lines: [
          { sku: 'B', quantity: 1 },
          { sku: 'A', quantity: 3 },
        ],
      },
      {
        orderId: 'o2',
        lines: [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 2 },
        ],
      },
      { orderId: 'o3', lines: [{ sku: 'A', quantity: 1 }] },
    ]);
    expect(out[0]).toEqual({
      orderId: 'o1',
      lines: [
        { sku: 'A', name: 'Ajrak', quantity: 3, unitPrice: price },
        { sku: 'B', name: 'Bangles', quantity: 1, unitPrice: price },
      ],
    });
    // o2 is short of B only, and holds nothing of A either: o3 still gets the last A. Its lines come priced.
    expect(out[1]).toEqual({
      orderId: 'o2',
      shortages: [{ sku: 'B', requested: 2, available: 1 }],
      priced: [
        { sku: 'A', name: 'Ajrak', quantity: 1, unitPrice: price },
        { sku: 'B', name: 'Bangles', quantity: 2, unitPrice: price },
      ],
    });
    expect(out[2]).toMatchObject({ orderId: 'o3', lines: [{ sku: 'A', quantity: 1 }] });
    expect(stock.get('A')!.reserved).toBe(5);
    expect(stock.get('B')!.reserved).toBe(1);
  });

  it('names an unknown sku as a shortage with nothing available, and has no price for it', () => {
    const lines = [
      { sku: 'NOPE', quantity: 1 },
      { sku: 'A', quantity: 1 },
    ];
    expect(allocate(shelves(), [{ orderId: 'o1', lines }])).toEqual([
      {
        orderId: 'o1',
        shortages: [{ sku: 'NOPE', requested: 1, available: 0 }],
        priced: [{ sku: 'A', name: 'Ajrak', quantity: 1, unitPrice: price }],
      },
    ]);
  });
});
