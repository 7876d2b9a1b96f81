import { describe, expect, it } from 'vitest';
import { ago, bytes, fields, ms } from './format.ts';

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

  it('shows a log line’s own facts, not its standard fields', () => {
    expect(
      fields({ time: 't', level: 'info', service: 's', msg: 'm', traceId: 'x', orderId: 'o1', n: 2, o: { a: 1 } }),
    ).toBe('orderId=o1  n=2  o={"a":1}');
  });
});
