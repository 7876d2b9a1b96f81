// Rate limiting per client: one interface, a token bucket in memory now, a shared store (Redis) in cluster mode later.

/** RateDecision: allowed, or refused with the whole seconds to wait before the next request would pass. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfter: number };

/**
 * RateLimiter takes one request's token for a client key. A shared implementation answers asynchronously,
 * so callers await the answer; the in-memory one answers at once to keep the hot path free of promises.
 */
export interface RateLimiter {
  take(key: string): RateDecision | Promise<RateDecision>;
  close(): Promise<void> | void;
}

const allowed: RateDecision = { allowed: true };

type Bucket = { tokens: number; at: number };

/**
 * tokenBucketLimiter refills `rps` tokens a second into a bucket of `burst` (default twice `rps`) per key.
 * Full buckets are forgotten on a sweep, so memory follows the number of recently active clients.
 */
export function tokenBucketLimiter(
  rps: number,
  options: { burst?: number; now?: () => number; sweepMs?: number } = {},
): RateLimiter {
  const burst = options.burst ?? rps * 2;
  const now = options.now ?? Date.now;
  const perMs = rps / 1000;
  const buckets = new Map<string, Bucket>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, b] of buckets) if (b.tokens + (t - b.at) * perMs >= burst) buckets.delete(key);
  }, options.sweepMs ?? 10_000);
  sweep.unref();

  return {
    take(key) {
      const t = now();
      const b = buckets.get(key);
      if (b === undefined) {
        buckets.set(key, { tokens: burst - 1, at: t });
        return allowed;
      }
      b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
      b.at = t;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return allowed;
      }
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / rps)) };
    },
    close: () => clearInterval(sweep),
  };
}
