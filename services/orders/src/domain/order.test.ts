import { describe, expect, it } from 'vitest';
import { mergeLines, statusesAfterShipment } from './order.ts';

describe('the order domain', () => {
  it('moves a confirmed order to SHIPPED at pick-up and through SHIPPED to DELIVERED, whatever step arrives first', () => {
    expect(statusesAfterShipment('CONFIRMED', 'CREATED')).toEqual([]);
    expect(statusesAfterShipment('CONFIRMED', 'PICKED_UP')).toEqual(['SHIPPED']);
    expect(statusesAfterShipment('CONFIRMED', 'IN_TRANSIT')).toEqual(['SHIPPED']);
    expect(statusesAfterShipment('CONFIRMED', 'DELIVERED')).toEqual(['SHIPPED', 'DELIVERED']);
    expect(statusesAfterShipment('SHIPPED', 'OUT_FOR_DELIVERY')).toEqual([]);
    expect(statusesAfterShipment('SHIPPED', 'DELIVERED')).toEqual(['DELIVERED']);
  });

  it('never moves a cancelled, rejected or delivered order', () => {
    for (const status of ['CANCELLED', 'REJECTED', 'DELIVERED'] as const)
      for (const step of ['PICKED_UP', 'DELIVERED']) expect(statusesAfterShipment(status, step)).toEqual([]);
  });

  it('merges duplicate skus into one line', () => {
    expect(
      mergeLines([
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 2 },
        { sku: 'A', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 2 },
    ]);
  });
});
