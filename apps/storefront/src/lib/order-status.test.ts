import { describe, expect, it } from 'vitest';
import { hasParcel, isNewerStatus } from './order-status.ts';

describe('isNewerStatus', () => {
  it('takes every status ahead on the way PENDING → CONFIRMED → SHIPPED → DELIVERED, skipped steps included', () => {
    expect(isNewerStatus('PENDING', 'CONFIRMED')).toBe(true);
    expect(isNewerStatus('PENDING', 'SHIPPED')).toBe(true);
    expect(isNewerStatus('PENDING', 'DELIVERED')).toBe(true);
    expect(isNewerStatus('CONFIRMED', 'SHIPPED')).toBe(true);
    expect(isNewerStatus('CONFIRMED', 'DELIVERED')).toBe(true);
    expect(isNewerStatus('SHIPPED', 'DELIVERED')).toBe(true);
  });

  it('takes the ends that leave the way: REJECTED after PENDING, CANCELLED after CONFIRMED', () => {
    expect(isNewerStatus('PENDING', 'REJECTED')).toBe(true);
    expect(isNewerStatus('PENDING', 'CANCELLED')).toBe(true);
    expect(isNewerStatus('CONFIRMED', 'CANCELLED')).toBe(true);
  });

  it('refuses the statuses a stream replays: the one shown and every one before it', () => {
    const way = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];
    for (const [i, shown] of way.entries())
      for (const past of way.slice(0, i + 1)) expect(isNewerStatus(shown, past), `${past} after ${shown}`).toBe(false);
    for (const past of ['PENDING', 'REJECTED']) expect(isNewerStatus('REJECTED', past)).toBe(false);
    for (const past of ['PENDING', 'CONFIRMED', 'CANCELLED']) expect(isNewerStatus('CANCELLED', past)).toBe(false);
  });

  it('refuses moves the order cannot make: out of a final state, or to an end of another branch', () => {
    expect(isNewerStatus('CONFIRMED', 'REJECTED')).toBe(false);
    expect(isNewerStatus('SHIPPED', 'CANCELLED')).toBe(false);
    expect(isNewerStatus('DELIVERED', 'CANCELLED')).toBe(false);
    expect(isNewerStatus('REJECTED', 'CONFIRMED')).toBe(false);
    expect(isNewerStatus('CANCELLED', 'SHIPPED')).toBe(false);
  });

  it('takes any status when none is shown yet, and never one it does not know', () => {
    for (const status of ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'])
      expect(isNewerStatus(null, status)).toBe(true);
    expect(isNewerStatus(null, 'RETURNED')).toBe(false);
    expect(isNewerStatus('PENDING', 'toString')).toBe(false);
    expect(isNewerStatus('constructor', 'DELIVERED')).toBe(false);
  });
});

describe('hasParcel', () => {
  it('offers tracking for an order on its way or delivered, not for one cancelled before pick-up or rejected', () => {
    for (const status of ['CONFIRMED', 'SHIPPED', 'DELIVERED']) expect(hasParcel(status), status).toBe(true);
    for (const status of ['PENDING', 'REJECTED', 'CANCELLED', 'SOMETHING_NEW'])
      expect(hasParcel(status), status).toBe(false);
  });
});
