import { randomUUID } from 'node:crypto';
import { createLogger } from '@bazaar/kit/telemetry';
import { redisOrSkip } from '@bazaar/kit/testing';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, start } from '../main.ts';
import { closedPort, type TestReplica, testReplica } from '../test-support.ts';
import { type RedisRateLimiter, redisTokenBucketLimiter } from './redis-rate-limit.ts';

const redisUrl = await redisOrSkip();
// Every run counts under keys of its own, so runs (and other users of this Redis) never share a bucket.
const run = `test-${randomUUID().slice(0, 8)}`;
const silent = createLogger('gateway', { level: 'silent' });

describe.skipIf(!redisUrl)('the token bucket in Redis', () => {
  let redis: Redis;
  const limiters: RedisRateLimiter[] = [];
  const limiter = async (rps: number, burst?: number) => {
    const l = redisTokenBucketLimiter({ url: redisUrl!, rps, burst, keyPrefix: `${run}:unit:`, log: silent });
    limiters.push(l);
    expect(await l.ready(2_000)).toBe(true);
    return l;
  };

  beforeAll(() => {
    redis = new Redis(redisUrl!);
  });
  afterAll(async () => {
    for (const l of limiters) await l.close();
    const keys = await redis.keys(`${run}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('allows a burst of twice the rate, then refills at the rate, keeping clients apart', async () => {
    const l = await limiter(2);
    for (let i = 0; i < 4; i++) expect(await l.take('a')).toEqual({ allowed: true });
    expect(await l.take('a')).toEqual({ allowed: false, retryAfter: 1 });
    expect(await l.take('b')).toEqual({ allowed: true });
    await new Promise((r) => setTimeout(r, 600)); // one token back at 2 per second
    expect(await l.take('a')).toEqual({ allowed: true });
    expect(await l.take('a')).toMatchObject({ allowed: false });
  });

  it('asks for whole seconds, at least one, when the rate is slow', async () => {
    const l = await limiter(1, 1);
    expect(await l.take('slow')).toEqual({ allowed: true });
    expect(await l.take('slow')).toEqual({ allowed: false, retryAfter: 1 });
    const slower = await limiter(0.25, 1);
    expect(await slower.take('slower')).toEqual({ allowed: true });
    expect(await slower.take('slower')).toEqual({ allowed: false, retryAfter: 4 });
  });

  it('lets a bucket expire once it would be full again', async () => {
    const l = await limiter(5);
    await l.take('ttl');
    const ttl = await redis.pttl(`${run}:unit:ttl`);
    // Ten tokens at five a second are back in two seconds; the key lives about that long.
    expect(ttl).toBeGreaterThan(1_000);
    expect(ttl).toBeLessThanOrEqual(3_000);
  });

  it('is atomic: concurrent takes from many connections never overspend', async () => {
    const many = await Promise.all(Array.from({ length: 4 }, () => limiter(1, 20)));
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => many[i % many.length].take('crowd')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
  });
});

describe.skipIf(!redisUrl)('gateways sharing Redis', () => {
  let inventory: TestReplica;
  let down: string;
  const gateways: Gateway[] = [];
  const gateway = async (overrides: Parameters<typeof start>[1], lines: string[] = []) => {
    const g = await start(
      { internalKey: 'k', logLevel: 'warn', logSink: { write: (line) => void lines.push(line) } },
      {
        port: 0,
        usersUrl: down,
        inventoryUrl: inventory.url,
        ordersUrl: down,
        paymentsUrl: down,
        shippingUrl: down,
        namespace: run,
        ...overrides,
      },
    );
    gateways.push(g);
    return g;
  };
  const status = async (g: Gateway) => {
    const res = await request(`${g.url}/api/products`);
    await res.body.dump();
    return res.statusCode;
  };

  beforeAll(async () => {
    inventory = await testReplica('inventory');
    down = await closedPort();
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await inventory?.close();
  });

  it('spend from one budget per client: two instances together allow one burst', async () => {
    const a = await gateway({ redisUrl, rateLimitRps: 1 });
    const b = await gateway({ redisUrl, rateLimitRps: 1 });
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 3; i++) statuses.push(await status(a), await status(b));
    const elapsed = Date.now() - started;
    // Apart, each would allow its burst of two; sharing, both together allow two, plus what refilled meanwhile.
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(2 + Math.floor(elapsed / 1000));
    expect(statuses).toContain(429);
    const refused = await request(`${b.url}/api/products`);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(((await refused.body.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  it('lets requests through, with a warning, when Redis is unreachable', async () => {
    const lines: string[] = [];
    const g = await gateway({ redisUrl: (await closedPort()).replace('http:', 'redis:'), rateLimitRps: 1 }, lines);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await status(g));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(lines.some((l) => l.includes('rate limiter cannot reach Redis'))).toBe(true);
    expect(await g.registry.metrics()).toMatch(/gateway_rate_limit_fail_open_total\{service="gateway"\} 6/);
  });
});
