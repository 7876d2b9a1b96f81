import { describe, expect, it } from 'vitest';
import { tokenBucketLimiter } from './rate-limit.ts';

describe('the token bucket', () => {
  it('allows a burst of twice the rate, then refills at the rate, keeping clients apart', () => {
    let now = 1_000_000;
    const limiter = tokenBucketLimiter(5, { now: () => now });
    const take = (key: string) => limiter.take(key) as { allowed: boolean; retryAfter?: number };
    for (let i = 0; i < 10; i++) expect(take('a').allowed).toBe(true);
    const refused = take('a');
    expect(refused).toEqual({ allowed: false, retryAfter: 1 });
    expect(take('b').allowed).toBe(true);
    now += 200; // one token back at 5 per second
    expect(take('a').allowed).toBe(true);
    expect(take('a').allowed).toBe(false);
    now += 10_000;
    for (let i = 0; i < 10; i++) expect(take('a').allowed).toBe(true);
    expect(take('a').allowed).toBe(false);
    limiter.close();
  });

  it('asks for whole seconds, at least one, when the rate is slow', () => {
    let now = 0;
    const limiter = tokenBucketLimiter(1, { burst: 1, now: () => now });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfter: 1 });
    now += 100;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfter: 1 });
    limiter.close();
  });
});
