import { describe, expect, it } from 'vitest';
import { isFinal, methodName, tone } from './orders.ts';

describe('order helpers', () => {
  it('know which orders change no more', () => {
    expect(['DELIVERED', 'REJECTED', 'CANCELLED'].every(isFinal)).toBe(true);
    expect(['PENDING', 'CONFIRMED', 'SHIPPED'].some(isFinal)).toBe(false);
  });

  it('colour statuses by how things go', () => {
    expect(['CONFIRMED', 'CAPTURED', 'DELIVERED'].map(tone)).toEqual(['ok', 'ok', 'ok']);
    expect(tone('PENDING')).toBe('warn');
    expect(['REJECTED', 'DECLINED'].map(tone)).toEqual(['bad', 'bad']);
    expect(['CANCELLED', 'REFUNDED', 'VOIDED', 'IN_TRANSIT'].map(tone)).toEqual(['plain', 'plain', 'plain', 'plain']);
  });

  it('name payment methods as people say them', () => {
    expect(['jazzcash', 'easypaisa', 'cod', 'card'].map(methodName)).toEqual([
      'JazzCash',
      'EasyPaisa',
      'Cash on delivery',
      'card',
    ]);
  });
});
