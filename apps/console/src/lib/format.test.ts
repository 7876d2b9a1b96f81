import { describe, expect, it } from 'vitest';
import { ago, bytes, clock, fields, ms, rupees, when } from './format.ts';

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

  it('writes a moment in Pakistan time, as a time today there, else with its day (and year when another)', () => {
    // UTC moments, so the answers hold whatever the machine's own time zone: Pakistan is UTC+5.
    const now = new Date('2026-12-07T11:00:00Z'); // 16:00 in Karachi
    expect(when('2026-12-07T04:05:07Z', now)).toBe('09:05:07');
    expect(when('2026-12-06T18:59:00Z', now)).toBe('6 Dec 23:59');
    // Still the 6th in UTC, already the 7th in Karachi: today, by the shop's clock.
    expect(when('2026-12-06T19:30:00Z', now)).toBe('00:30:00');
    expect(when('2025-01-02T03:30:00Z', now)).toBe('2 Jan 2025 08:30');
    expect(when(Date.parse('2026-12-07T10:59:59Z'), now)).toBe('15:59:59');
    expect(when('not a time', now)).toBe('not a time');
  });

  it('writes a log line’s time of day in Pakistan time, with milliseconds', () => {
    expect(clock('2026-12-07T04:05:07.123Z')).toBe('09:05:07.123');
    expect(clock('2026-12-07T19:00:00.005Z')).toBe('00:00:00.005');
    expect(clock(undefined)).toBe('');
  });

  it('shows a log line’s own facts, not its standard fields', () => {
    expect(
      fields({ time: 't', level: 'info', service: 's', msg: 'm', traceId: 'x', orderId: 'o1', n: 2, o: { a: 1 } }),
    ).toBe('orderId=o1  n=2  o={"a":1}');
  });
});
