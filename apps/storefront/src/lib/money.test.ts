import { describe, expect, it } from 'vitest';
import { formatMoney, formatPkr, parseRupees } from './money.ts';

describe('formatPkr', () => {
  it('writes whole rupees with thousands separators and no decimals', () => {
    expect(formatPkr(149900)).toBe('Rs 1,499');
    expect(formatPkr(0)).toBe('Rs 0');
    expect(formatPkr(100)).toBe('Rs 1');
    expect(formatPkr(99900)).toBe('Rs 999');
    expect(formatPkr(100000)).toBe('Rs 1,000');
    expect(formatPkr(123456700)).toBe('Rs 1,234,567');
    expect(formatPkr(10_000_000_000)).toBe('Rs 100,000,000');
  });

  it('shows two decimals only when paisa remain', () => {
    expect(formatPkr(149950)).toBe('Rs 1,499.50');
    expect(formatPkr(149905)).toBe('Rs 1,499.05');
    expect(formatPkr(1)).toBe('Rs 0.01');
  });

  it('puts the sign in front of negative amounts', () => {
    expect(formatPkr(-20000)).toBe('-Rs 200');
  });

  it('refuses to print nonsense for non-integers', () => {
    expect(formatPkr(1.5)).toBe('Rs —');
    expect(formatPkr(Number.NaN)).toBe('Rs —');
  });
});

describe('formatMoney', () => {
  it('formats PKR money objects', () => {
    expect(formatMoney({ amount: 450000, currency: 'PKR' })).toBe('Rs 4,500');
  });
});

describe('parseRupees', () => {
  it('reads what an admin types into integer paisa', () => {
    expect(parseRupees('1499')).toBe(149900);
    expect(parseRupees('1,499.50')).toBe(149950);
    expect(parseRupees('Rs 1499.5')).toBe(149950);
    expect(parseRupees(' 0.01 ')).toBe(1);
    expect(parseRupees('0.1')).toBe(10);
  });

  it('answers null for anything that is not a positive amount with at most two decimals', () => {
    for (const bad of ['', 'abc', '-5', '0', '1.234', '1e3', '12.']) expect(parseRupees(bad)).toBeNull();
  });
});
