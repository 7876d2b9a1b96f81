import { describe, expect, it } from 'vitest';
import { ago, bytes, fields, ms, rupees, when } from './format.ts';

describe('formatting', () => {
  it('writes durations in a readable unit', () => {
    expect(ms(0.423)).toBe('0.42 ms');
    expect(ms(12.34)).toBe('12.3 ms');
    expect(ms(152.4)).toBe('152 ms');
    expect(ms(1520)).toBe('1.52 s');
    expect(ms(125_000)).toBe('2 min 5 s');
  });

  it('writes ages and sizes', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    expect(ago('2026-01-01T00:00:30Z', now)).toBe('30 s ago');
    expect(ago('2026-01-01T00:00:59.5Z', now)).toBe('just now');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('writes PKR paisa as rupees with both decimals, as the shop prints them', () => {
    const pkr = (amount: number) => rupees({ amount, currency: 'PKR' });
    expect(pkr(149_900)).toBe('Rs 1,499.00');
    expect(pkr(123_456_789)).toBe('Rs 1,234,567.89');
    expect(pkr(5)).toBe('Rs 0.05');
    expect(pkr(-5_050)).toBe('Rs -50.50');
    expect(rupees({ amount: 1_000, currency: 'USD' })).toBe('USD 10.00');
    expect(pkr(1.5)).toBe('–');
  });

  it('writes a moment as a time today, else with its day (and year when another)', () => {
    // Local times, as the console shows them, whatever the machine's time zone.
    const now = new Date(2026, 11, 7, 16, 0, 0);
    expect(when(new Date(2026, 11, 7, 9, 5, 7).toISOString(), now)).toBe('09:05:07');
    expect(when(new Date(2026, 11, 6, 23, 59, 0).toISOString(), now)).toBe('6 Dec 23:59');
    expect(when(new Date(2025, 0, 2, 8, 30, 0).toISOString(), now)).toBe('2 Jan 2025 08:30');
    expect(when('not a time', now)).toBe('not a time');
  });

  it('shows a log line’s own facts, not its standard fields', () => {
    expect(
      fields({ time: 't', level: 'info', service: 's', msg: 'm', traceId: 'x', orderId: 'o1', n: 2, o: { a: 1 } }),
    ).toBe('orderId=o1  n=2  o={"a":1}');
  });
});
