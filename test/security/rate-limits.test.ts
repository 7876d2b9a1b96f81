// Rate limits and token lifetime, end to end on a platform of its own: RATE_LIMIT_RPS=5 (bursts of 10) and access
// tokens that live 3 s (TOKEN_TTL_SECONDS), so a real token from the users service can be seen expiring.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { startTestPlatform } from '../support/platform.ts';
import { type Res, Shopper } from '../support/shop.ts';
import { newCustomer, problemFaults, recordErrors } from './helpers.ts';

const RPS = 5;
const TTL_SECONDS = 3;
const recorded = recordErrors();
let platform: Embedded;
let base: string;

beforeAll(async () => {
  process.env.TOKEN_TTL_SECONDS = String(TTL_SECONDS);
  try {
    platform = await startTestPlatform({ rateLimitRps: RPS });
  } finally {
    delete process.env.TOKEN_TTL_SECONDS;
  }
  base = platform.gatewayUrl;
}, 120_000);

afterAll(async () => {
  recorded.restore();
  await platform?.stop();
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until the client's bucket has refilled completely (the burst is twice the rate: 2 s). */
const refill = () => sleep(2_200);
/** burst sends n requests at once; `most` is how many the bucket can let through while they were being answered. */
async function burst(n: number, send: () => Promise<Res>): Promise<Res[] & { most: number }> {
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: n }, send));
  return Object.assign(answers, { most: 2 * RPS + Math.ceil(((Date.now() - started) / 1000) * RPS) + 1 });
}

describe(`rate limiting (RATE_LIMIT_RPS=${RPS}, bursts of ${2 * RPS})`, () => {
  it('an anonymous burst over the limit is 429 RATE_LIMITED with Retry-After; it passes again once refilled', async () => {
    const anon = new Shopper(base);
    const answers = await burst(30, () => anon.call('GET', '/api/products?limit=1'));
    const passed = answers.filter((r) => r.status === 200).length;
    const limited = answers.filter((r) => r.status === 429);
    console.log(`anonymous burst of 30: ${passed} passed, ${limited.length} limited`);
    expect(passed + limited.length).toBe(30);
    expect(passed).toBeGreaterThanOrEqual(2 * RPS - 1);
    expect(passed).toBeLessThanOrEqual(answers.most);
    for (const r of limited) {
      expect(r.body.code).toBe('RATE_LIMITED');
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const retryAfter = r.headers.get('retry-after');
      expect(retryAfter).toMatch(/^[1-9]\d*$/);
      expect(Number(retryAfter)).toBeLessThanOrEqual(2);
    }
    await sleep(Number(limited[0].headers.get('retry-after')) * 1000 + 100);
    expect((await anon.call('GET', '/api/products?limit=1')).status).toBe(200);
  });

  it('a signed-in user has a bucket of their own: spending it limits them, not another user', async () => {
    await refill();
    const [u, v] = [await newCustomer(base, 'Usman'), await newCustomer(base, 'Vaneeza')];
    await refill();
    // Fresh tokens (they live 3 s): an expired one would count against the address instead.
    await u.logIn(u.email, u.password);
    await v.logIn(v.email, v.password);
    const answers = await burst(25, () => u.call('GET', '/api/users/me'));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(25 - answers.most);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.body.code === 'RATE_LIMITED' && r.headers.get('retry-after'))).toBe(true);
    // Another user behind the same address is not slowed down by u's spending.
    expect((await v.call('GET', '/api/users/me')).status).toBe(200);
    // A limited request changed nothing and was not forwarded: the burst placed no orders either.
    await refill();
    await u.logIn(u.email, u.password);
    const orders = await burst(15, () =>
      u.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' }, { 'idempotency-key': `burst-${Math.random()}` }),
    );
    // 201 confirmed, or 202 when a busy machine outlasts the saga's window: either way one order was placed.
    const placed = orders.filter((r) => r.status === 201 || r.status === 202).length;
    await refill();
    await u.logIn(u.email, u.password);
    const mine = await u.call('GET', '/api/orders?limit=100');
    expect(mine.body.items.length).toBe(placed);
    expect(orders.filter((r) => r.status === 429).length).toBe(15 - placed);
  });

  it('bad tokens and refused requests still spend the address bucket: guessing tokens is rate limited too', async () => {
    await refill();
    const forged = new Shopper(base);
    forged.token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const answers = await burst(30, () => forged.call('GET', '/api/users/me'));
    const statuses = new Set(answers.map((r) => r.status));
    expect([...statuses].sort()).toEqual([401, 429]);
    expect(answers.filter((r) => r.status === 401).length).toBeLessThanOrEqual(answers.most);
  });
});

describe(`a real access token expires (TOKEN_TTL_SECONDS=${TTL_SECONDS})`, () => {
  it('whether the gateway has seen it before (cached) or not, an expired token is 401 UNAUTHENTICATED', async () => {
    await refill();
    const used = await newCustomer(base, 'Expiring');
    const login = await used.call('POST', '/api/auth/login', { email: used.email, password: used.password });
    expect(login.body.expiresIn).toBe(TTL_SECONDS);
    const unseen = login.body.accessToken as string;
    const claims = JSON.parse(Buffer.from(unseen.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(TTL_SECONDS);
    expect((await used.call('GET', '/api/users/me')).status).toBe(200); // the first token: now cached
    await sleep(TTL_SECONDS * 1000 + 1_200);
    const cached = await used.call('GET', '/api/users/me');
    expect([cached.status, cached.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const fresh = new Shopper(base);
    fresh.token = unseen;
    const verified = await fresh.call('GET', '/api/orders');
    expect([verified.status, verified.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    // Logging in again gives a working token.
    await used.logIn(used.email, used.password);
    expect((await used.call('GET', '/api/users/me')).status).toBe(200);
  });
});

describe('what leaves the platform', () => {
  it('every error answer is a clean problem document, and none is a 5xx', () => {
    expect(recorded.seen.length).toBeGreaterThan(20);
    const faulty = recorded.seen
      .map((s) => ({ at: `${s.method} ${s.url} → ${s.status}`, faults: problemFaults(s) }))
      .filter((f) => f.faults.length > 0 || Number(f.at.split('→ ')[1]) >= 500);
    expect(faulty).toEqual([]);
  });
});
