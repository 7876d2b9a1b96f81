// The token bucket kept in Redis, so every gateway instance spends from the same budget per client.
import type { Logger } from '@bazaar/kit/telemetry';
import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { RateDecision, RateLimiter } from '../domain/rate-limit.ts';

// One atomic step of the bucket, the same arithmetic as the in-memory one: refill by the time elapsed (on Redis's
// clock, so instances' clocks need not agree), capped at the burst; spend one token or tell how long until one.
// Answers 0 when allowed, else the whole seconds to wait. An idle bucket expires once it would be full again.
const takeTokenScript = `
local rps = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - at) * rps / 1000)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rps))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return wait
`;

type WithTakeToken = Redis & {
  bazaarTakeToken(key: string, rps: number, burst: number, ttlMs: number): Promise<number>;
};

export type RedisLimiterOptions = {
  url: string;
  rps: number;
  /** Default: twice `rps`, as in memory. */
  burst?: number;
  /** Every key starts with it, so several platforms (or test runs) can share one Redis. */
  keyPrefix: string;
  log: Logger;
  registry?: Registry;
  /** Longest wait for Redis on a request before it is let through without counting. */
  commandTimeoutMs?: number;
};

export type RedisRateLimiter = RateLimiter & {
  /** ready resolves true once Redis answers; false at its first failure or after `timeoutMs` (requests pass meanwhile). */
  ready(timeoutMs: number): Promise<boolean>;
};

const allowed: RateDecision = { allowed: true };
const WARN_EVERY_MS = 10_000;

/**
 * redisTokenBucketLimiter takes tokens with one EVALSHA per request. When Redis cannot answer (down, unreachable,
 * slow) the request is allowed and a warning logged at most every 10 s: the API must not go down with Redis.
 */
export function redisTokenBucketLimiter(options: RedisLimiterOptions): RedisRateLimiter {
  const { rps, log } = options;
  const burst = options.burst ?? rps * 2;
  // A bucket left alone this long is full again, the same as no bucket at all.
  const ttlMs = Math.ceil((burst / rps) * 1000) + 1_000;
  const redis = new Redis(options.url, {
    // Fail fast rather than queue: a request must not wait for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  }) as WithTakeToken;
  redis.defineCommand('bazaarTakeToken', { numberOfKeys: 1, lua: takeTokenScript });
  const failOpen = options.registry
    ? new Counter({
        name: 'gateway_rate_limit_fail_open_total',
        help: 'Requests let through without counting because Redis could not answer',
        registers: [options.registry],
      })
    : undefined;
  const where = redacted(options.url);
  let warnedAt = 0;
  const warn = (err: unknown) => {
    const now = Date.now();
    if (now - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now;
    log.warn(
      { redis: where, err: (err as Error).message },
      'rate limiter cannot reach Redis; letting requests through',
    );
  };
  // Without a listener ioredis prints every reconnect failure itself.
  redis.on('error', warn);
  redis.on('ready', () => {
    if (warnedAt !== 0) log.info({ redis: where }, 'rate limiter reached Redis again');
    warnedAt = 0;
  });

  return {
    async take(key) {
      try {
        const wait = await redis.bazaarTakeToken(options.keyPrefix + key, rps, burst, ttlMs);
        return wait === 0 ? allowed : { allowed: false, retryAfter: wait };
      } catch (err) {
        failOpen?.inc();
        warn(err);
        return allowed;
      }
    },
    ready(timeoutMs) {
      if (redis.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const settle = (ok: boolean) => () => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          redis.off('error', onError);
          resolve(ok);
        };
        const onReady = settle(true);
        const onError = settle(false);
        const timer = setTimeout(onError, timeoutMs);
        redis.once('ready', onReady);
        redis.once('error', onError);
      });
    },
    close() {
      redis.disconnect();
    },
  };
}

function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
