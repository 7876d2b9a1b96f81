// OWASP API Security Top 10 (2023) through the gateway, on the embedded platform: object-level and function-level
// authorisation (a matrix of callers × routes), forged and altered tokens, mass assignment, size and page limits,
// requests that skip the gateway, CORS, provider callbacks, and what error answers and log lines must never hold.
import { randomUUID } from 'node:crypto';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { loadConfig as paymentsConfig } from '../../services/payments/src/config.ts';
import {
  buildEasyPaisaCallback,
  buildJazzCashCallback,
  jazzCashDateTime,
} from '../../services/payments/src/providers/index.ts';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { type Res, Shopper } from '../support/shop.ts';
import { type Customer, newCustomer, problemFaults, recordErrors } from './helpers.ts';

const SHOP_ORIGIN = 'https://shop.example.pk';
// Read by the gateway's config at start: the one browser origin allowed to call the API cross-origin.
process.env.CORS_ORIGINS = SHOP_ORIGIN;

const recorded = recordErrors();
const logLines: string[] = [];
const pay = paymentsConfig();
const SKU = 'SEC-001';

let platform: Embedded;
let base: string;
let a: Customer;
let b: Customer;
let admin: Shopper;
let anon: Shopper;
/** A's orders: confirmed by JazzCash, by EasyPaisa, and two cash-on-delivery ones to cancel. */
let jazzOrder: any;
let easyOrder: any;
let toCancelByOwner: any;
let toCancelByAdmin: any;
/** Every token handed out in this suite: none may appear in a log line. */
const tokens: string[] = [];

const order = (who: Shopper, payment: { method: string; wallet?: string }) =>
  who.order([{ sku: SKU, quantity: 1 }], payment);

beforeAll(async () => {
  // The courier never moves in this suite: confirmed orders stay cancellable.
  platform = await startTestPlatform({
    courierStepMs: 600_000,
    logSink: { write: (line) => void logLines.push(line) },
  });
  base = platform.gatewayUrl;
  anon = new Shopper(base);
  admin = new Shopper(base);
  await admin.logIn(ADMIN.email, ADMIN.password);
  [a, b] = await Promise.all([newCustomer(base, 'Ayesha'), newCustomer(base, 'Bilal')]);
  tokens.push(admin.token!, a.token!, b.token!);
  const created = await admin.call('POST', '/api/inventory', {
    sku: SKU,
    name: 'Security test shawl',
    price: { amount: 150000, currency: 'PKR' },
    quantity: 1000,
  });
  expect(created.status).toBe(201);
  [jazzOrder, easyOrder, toCancelByOwner, toCancelByAdmin] = (
    await Promise.all([
      order(a, { method: 'jazzcash', wallet: '03001234567' }),
      order(a, { method: 'easypaisa', wallet: '03001234567' }),
      order(a, { method: 'cod' }),
      order(a, { method: 'cod' }),
    ])
  ).map((r) => {
    expect(r.status).toBe(201);
    return r.body;
  });
  await order(b, { method: 'cod' });
}, 120_000);

afterAll(async () => {
  recorded.restore();
  delete process.env.CORS_ORIGINS;
  await platform?.stop();
}, 60_000);

const as = (who: string): Shopper => ({ A: a, B: b, admin, anon })[who as 'A']!;
const counts = async () => {
  const all = async (path: string) => {
    let n = 0;
    for (let cursor: string | null = null; ; ) {
      const page: Res = await admin.call('GET', `${path}?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      n += page.body.items.length;
      cursor = page.body.nextCursor;
      if (!cursor) return n;
    }
  };
  return { users: await all('/api/users'), products: await all('/api/inventory'), orders: await all('/api/orders') };
};

describe('object-level and function-level authorisation: customer A, customer B, admin, anonymous', () => {
  type Who = 'A' | 'B' | 'admin' | 'anon';
  type Case = { method: string; path: () => string; body?: () => unknown; expect: Record<Who, number | number[]> };
  const own = { A: 200, B: 200, admin: 200, anon: 401 };
  const adminOnly = { A: 403, B: 403, admin: 200, anon: 401 };
  const everyone = { A: 200, B: 200, admin: 200, anon: 200 };
  const ofA = { A: 200, B: 404, admin: 200, anon: 401 };
  let n = 0;
  const cases: [string, Case][] = [
    ["GET A's order", { method: 'GET', path: () => `/api/orders/${jazzOrder.id}`, expect: ofA }],
    [
      "GET the payments of A's order",
      { method: 'GET', path: () => `/api/payments?orderId=${jazzOrder.id}`, expect: ofA },
    ],
    ['GET /api/orders (own list)', { method: 'GET', path: () => '/api/orders', expect: own }],
    ['GET /api/payments (own list)', { method: 'GET', path: () => '/api/payments', expect: own }],
    ['GET /api/users/me', { method: 'GET', path: () => '/api/users/me', expect: own }],
    ['GET /api/users/me/orders', { method: 'GET', path: () => '/api/users/me/orders', expect: own }],
    [
      'PATCH /api/users/me',
      { method: 'PATCH', path: () => '/api/users/me', body: () => ({ city: 'Karachi' }), expect: own },
    ],
    ['GET /api/users (admin)', { method: 'GET', path: () => '/api/users', expect: adminOnly }],
    ['GET /api/inventory (admin)', { method: 'GET', path: () => '/api/inventory', expect: adminOnly }],
    ['GET /api/inventory/{sku} (admin)', { method: 'GET', path: () => `/api/inventory/${SKU}`, expect: adminOnly }],
    [
      'POST /api/inventory (admin)',
      {
        method: 'POST',
        path: () => '/api/inventory',
        body: () => ({ sku: `SEC-M${++n}`, name: 'x', price: { amount: 100, currency: 'PKR' }, quantity: 1 }),
        expect: { A: 403, B: 403, admin: 201, anon: 401 },
      },
    ],
    [
      'PATCH /api/inventory/{sku} (admin)',
      {
        method: 'PATCH',
        path: () => `/api/inventory/${SKU}`,
        body: () => ({ description: 'Checked by security' }),
        expect: adminOnly,
      },
    ],
    [
      'POST /api/inventory/{sku}/adjustments (admin)',
      {
        method: 'POST',
        path: () => `/api/inventory/${SKU}/adjustments`,
        body: () => ({ delta: 1, reason: 'found one' }),
        expect: adminOnly,
      },
    ],
    ['GET /api/shipments (admin)', { method: 'GET', path: () => '/api/shipments', expect: adminOnly }],
    ['GET /api/payments/summary (admin)', { method: 'GET', path: () => '/api/payments/summary', expect: adminOnly }],
    ['GET /api/payments/ledger (admin)', { method: 'GET', path: () => '/api/payments/ledger', expect: adminOnly }],
    [
      "GET the ledger of A's order (admin)",
      { method: 'GET', path: () => `/api/payments/ledger?orderId=${jazzOrder.id}`, expect: adminOnly },
    ],
    // Nothing is mounted under /api/ops yet: admins get 404 (or 200 once it is), everyone else never gets that far.
    [
      'GET /api/ops/* (admin)',
      { method: 'GET', path: () => '/api/ops/logs', expect: { ...adminOnly, admin: [200, 404] } },
    ],
    ['GET /api/products (public)', { method: 'GET', path: () => '/api/products', expect: everyone }],
    ['GET /api/products/{sku} (public)', { method: 'GET', path: () => `/api/products/${SKU}`, expect: everyone }],
    ['GET /api/shipping/rates (public)', { method: 'GET', path: () => '/api/shipping/rates', expect: everyone }],
    ['GET /.well-known/jwks.json (public)', { method: 'GET', path: () => '/.well-known/jwks.json', expect: everyone }],
  ];

  it.each(cases)('%s', async (_name, c) => {
    const got: Record<string, number> = {};
    for (const who of ['anon', 'B', 'A', 'admin'] as Who[]) {
      const res = await as(who).call(c.method, c.path(), c.body?.());
      got[who] = res.status;
      const want = c.expect[who];
      expect(Array.isArray(want) ? want : [want], `${who}: ${JSON.stringify(res.body)}`).toContain(res.status);
      if (res.status >= 400) {
        const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[res.status];
        expect(res.body.code).toBe(code);
      }
    }
  });

  it('tracking is public by its unguessable number, and tells nobody who ordered or where to', async () => {
    const tracked = await a.until(jazzOrder.id, (o) => Boolean(o.shipping.trackingNumber), 10_000);
    const number = tracked.shipping.trackingNumber as string;
    expect(number).toMatch(/\d{12}$/);
    for (const who of [anon, b]) {
      const res = await who.call('GET', `/api/shipments/${number}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['city', 'courier', 'history', 'status', 'trackingNumber']);
      expect(JSON.stringify(res.body)).not.toMatch(/Mall Road|0300|usr_|ord_/);
    }
  });

  it("someone else's order looks exactly like one that does not exist", async () => {
    const missing = `ord_${randomUUID()}`;
    for (const [theirs, none] of [
      [`/api/orders/${jazzOrder.id}`, `/api/orders/${missing}`],
      [`/api/payments?orderId=${jazzOrder.id}`, `/api/payments?orderId=${missing}`],
    ]) {
      const [x, y] = [await b.call('GET', theirs), await b.call('GET', none)];
      expect(x.status).toBe(404);
      expect({ ...x.body, traceId: undefined }).toEqual({ ...y.body, traceId: undefined });
    }
  });

  it("lists never show another customer's orders, payments or history, even when asked by userId", async () => {
    const lists = [
      await b.call('GET', `/api/orders?userId=${a.id}&limit=100`),
      await b.call('GET', '/api/payments?limit=100'),
      await b.call('GET', '/api/users/me/orders?limit=100'),
    ];
    for (const list of lists) {
      expect(list.status).toBe(200);
      const ids = list.body.items.map((i: any) => i.orderId ?? i.id);
      for (const o of [jazzOrder, easyOrder, toCancelByOwner, toCancelByAdmin]) expect(ids).not.toContain(o.id);
    }
    const mine = await b.call('GET', '/api/orders?limit=100');
    expect(mine.body.items.every((o: any) => o.userId === b.id)).toBe(true);
    const asAdmin = await admin.call('GET', `/api/orders?userId=${a.id}&limit=100`);
    expect(asAdmin.body.items.map((o: any) => o.id)).toContain(jazzOrder.id);
    expect(asAdmin.body.items.every((o: any) => o.userId === a.id)).toBe(true);
  });

  it('identity headers sent by the client are ignored: only the verified token counts', async () => {
    const forged = { 'x-user-id': a.id, 'x-user-role': 'admin', 'x-internal-key': 'guess' };
    expect((await b.call('GET', `/api/orders/${jazzOrder.id}`, undefined, forged)).status).toBe(404);
    expect((await b.call('GET', '/api/users', undefined, forged)).status).toBe(403);
    expect((await anon.call('GET', '/api/users/me', undefined, forged)).status).toBe(401);
    expect((await anon.call('GET', '/api/inventory', undefined, forged)).status).toBe(401);
  });

  it('admin paths spelled otherwise never reach a customer', async () => {
    for (const path of [
      '/api/inventory/',
      '/api/inventory//',
      '/api/inventory?x=/../',
      '/api/Inventory',
      '/API/inventory',
      '//api/inventory',
      '/api/products/../inventory',
      '/api/products/%2e%2e/inventory',
      '/api/products/..%2finventory',
      '/api/products%2f..%2finventory',
      '/api/inventory%2f',
      '/api/inventory;x=1',
      '/api/users/me/../../users',
      '/api/users/%2e%2e',
      '/api/ops',
      '/api/ops/',
      '/internal/shipments/by-order/x/cancel',
      '/api/shipments/../shipments',
    ]) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${b.token}` } });
      const type = res.headers.get('content-type') ?? '';
      // Outside /api (the path is case-sensitive) the storefront's page answers: HTML, never the API's data.
      if (res.status === 200 && type.startsWith('text/html')) continue;
      expect([400, 403, 404], path).toContain(res.status);
      expect((await res.json()).code, path).toMatch(/^(FORBIDDEN|NOT_FOUND|BAD_REQUEST|VALIDATION_FAILED)$/);
    }
  });

  it('the order event stream: the owner and admins get it, B gets 404, nobody else gets anything', async () => {
    const cancelled = await a.call('POST', `/api/orders/${toCancelByOwner.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const stream = (who?: Shopper) =>
      fetch(`${base}/api/orders/${toCancelByOwner.id}/events`, {
        headers: who?.token ? { authorization: `Bearer ${who.token}` } : {},
      });
    for (const who of [a, admin]) {
      const res = await stream(who);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      expect(await res.text()).toContain('"status":"CANCELLED"');
    }
    const stranger = await stream(b);
    expect([stranger.status, (await stranger.json()).code]).toEqual([404, 'NOT_FOUND']);
    const nobody = await stream();
    expect([nobody.status, (await nobody.json()).code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('cancelling: anonymous 401, B 404 and the order stays CONFIRMED; the admin may; a cancelled order stays 404 to B', async () => {
    const id = toCancelByAdmin.id;
    expect((await anon.call('POST', `/api/orders/${id}/cancel`)).status).toBe(401);
    const byB = await b.call('POST', `/api/orders/${id}/cancel`);
    expect([byB.status, byB.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await a.call('GET', `/api/orders/${id}`)).body.status).toBe('CONFIRMED');
    const byAdmin = await admin.call('POST', `/api/orders/${id}/cancel`);
    expect([byAdmin.status, byAdmin.body.status]).toEqual([200, 'CANCELLED']);
    expect((await b.call('POST', `/api/orders/${id}/cancel`)).status).toBe(404);
  });
});

describe('forged, altered and foreign tokens, end to end with real tokens from the users service', () => {
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  const parts = (t: string) => {
    const [h, p, s] = t.split('.');
    return {
      header: JSON.parse(new TextDecoder().decode(base64url.decode(h))),
      payload: JSON.parse(new TextDecoder().decode(base64url.decode(p))),
      h,
      p,
      s,
    };
  };
  const now = () => Math.floor(Date.now() / 1000);
  let realKid: string;
  let publicJwk: Record<string, unknown>;
  const attacks: [string, () => Promise<string>][] = [
    [
      'tampered payload: role raised to admin',
      async () => {
        const t = parts(a.token!);
        return `${t.h}.${enc({ ...t.payload, role: 'admin' })}.${t.s}`;
      },
    ],
    [
      "tampered payload: sub changed to B's id",
      async () => {
        const t = parts(a.token!);
        return `${t.h}.${enc({ ...t.payload, sub: b.id })}.${t.s}`;
      },
    ],
    [
      'tampered payload: exp pushed a year out',
      async () => {
        const t = parts(a.token!);
        return `${t.h}.${enc({ ...t.payload, exp: now() + 31_536_000 })}.${t.s}`;
      },
    ],
    [
      "A's header and payload with B's signature",
      async () => {
        const [x, y] = [parts(a.token!), parts(b.token!)];
        return `${x.h}.${x.p}.${y.s}`;
      },
    ],
    [
      'signature stripped',
      async () => {
        const t = parts(a.token!);
        return `${t.h}.${t.p}.`;
      },
    ],
    [
      'alg none with the real kid',
      async () => {
        const t = parts(a.token!);
        return `${enc({ alg: 'none', typ: 'JWT', kid: realKid })}.${enc({ ...t.payload, role: 'admin' })}.`;
      },
    ],
    [
      'alg "None" spelled otherwise',
      async () => {
        const t = parts(a.token!);
        return `${enc({ alg: 'None', kid: realKid })}.${enc({ ...t.payload, role: 'admin' })}.`;
      },
    ],
    [
      'HS256 signed with the public JWK (JSON) as the secret',
      async () => {
        const t = parts(a.token!);
        return new SignJWT({ ...t.payload, role: 'admin' })
          .setProtectedHeader({ alg: 'HS256', kid: realKid, typ: 'JWT' })
          .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      },
    ],
    [
      'HS256 signed with the public key x coordinate as the secret',
      async () => {
        const t = parts(a.token!);
        return new SignJWT({ ...t.payload, role: 'admin' })
          .setProtectedHeader({ alg: 'HS256', kid: realKid })
          .sign(base64url.decode(String(publicJwk.x)));
      },
    ],
    ['ES256 signed with another key under the real kid', () => foreign({ kid: realKid })],
    ['ES256 signed with another key under an unknown kid', () => foreign({ kid: randomUUID() })],
    ['ES256 signed with another key and no kid', () => foreign({ kid: undefined })],
    ['another key, expired', () => foreign({ kid: realKid, exp: now() - 60 })],
    ['another key, not valid yet (nbf)', () => foreign({ kid: realKid, nbf: now() + 600 })],
    ['another key, wrong issuer', () => foreign({ kid: realKid, iss: 'evil-users' })],
    ['another key, wrong audience', () => foreign({ kid: realKid, aud: 'another-app' })],
    [
      'another key with an embedded jwk header (self-signed)',
      async () => {
        const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
        return new SignJWT({ sub: a.id, role: 'admin' })
          .setProtectedHeader({ alg: 'ES256', jwk: await exportJWK(publicKey) })
          .setIssuer('bazaar-users')
          .setAudience('bazaar')
          .setExpirationTime('1h')
          .sign(privateKey);
      },
    ],
    [
      'a jku header pointing elsewhere',
      async () => {
        const t = parts(a.token!);
        return `${enc({ ...t.header, jku: 'https://evil.example/jwks.json' })}.${t.p}.${t.s}`;
      },
    ],
    ['not a JWT at all', async () => 'definitely-not-a-token'],
    ['an empty token', async () => ''],
  ];

  async function foreign(o: { kid?: string; exp?: number; nbf?: number; iss?: string; aud?: string }) {
    const { privateKey } = await generateKeyPair('ES256');
    return new SignJWT({ role: 'admin' })
      .setProtectedHeader(o.kid ? { alg: 'ES256', kid: o.kid, typ: 'JWT' } : { alg: 'ES256', typ: 'JWT' })
      .setSubject(a.id)
      .setIssuer(o.iss ?? 'bazaar-users')
      .setAudience(o.aud ?? 'bazaar')
      .setIssuedAt()
      .setNotBefore(o.nbf ?? now() - 5)
      .setExpirationTime(o.exp ?? now() + 3600)
      .sign(privateKey);
  }

  beforeAll(async () => {
    const jwks = (await anon.call('GET', '/.well-known/jwks.json')).body;
    realKid = parts(a.token!).header.kid;
    publicJwk = jwks.keys.find((k: { kid: string }) => k.kid === realKid);
    expect(publicJwk).toBeDefined();
    expect(publicJwk.d).toBeUndefined(); // only public halves are published
    expect(parts(a.token!).header.alg).toBe('ES256');
  });

  it('the real tokens work, for the right person and role', async () => {
    expect((await a.call('GET', '/api/users/me')).body.id).toBe(a.id);
    expect((await a.call('GET', '/api/users')).status).toBe(403);
    expect((await admin.call('GET', '/api/users')).status).toBe(200);
  });

  it.each(attacks)(
    '%s: 401 UNAUTHENTICATED on customer and admin routes, and nothing is written',
    async (_name, make) => {
      const token = await make();
      const forged = new Shopper(base);
      forged.token = token;
      for (const [method, path] of [
        ['GET', '/api/users/me'],
        ['GET', '/api/users'],
        ['GET', `/api/orders/${jazzOrder.id}`],
        ['GET', '/api/payments/summary'],
      ]) {
        const res = await forged.call(method, path);
        expect([res.status, res.body.code], `${method} ${path}`).toEqual([401, 'UNAUTHENTICATED']);
      }
      const sku = `SEC-F${randomUUID().slice(0, 6).toUpperCase()}`;
      const write = await forged.call('POST', '/api/inventory', {
        sku,
        name: 'forged',
        price: { amount: 1, currency: 'PKR' },
        quantity: 5,
      });
      expect(write.status).toBe(401);
      expect((await anon.call('GET', `/api/products/${sku}`)).status).toBe(404);
      // On a public route a bad token counts as no token at all.
      expect((await forged.call('GET', '/api/products?limit=1')).status).toBe(200);
    },
  );

  it('odd Authorization headers are 401, never 5xx', async () => {
    for (const value of [
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      `Token ${a.token}`,
      `Bearer ${a.token}x`,
      `Bearer  ${'x'.repeat(9000)}`,
      `Bearer ${a.token} ${a.token}`,
    ]) {
      const res = await fetch(`${base}/api/users/me`, { headers: { authorization: value } });
      expect(res.status, value.slice(0, 30)).toBe(401);
    }
    const lower = await fetch(`${base}/api/users/me`, { headers: { authorization: `bearer ${a.token}` } });
    expect(lower.status).toBe(200);
  });
});

describe('login brute force: an account is locked after 5 failed logins (LOGIN_MAX_FAILURES)', () => {
  const login = (email: string, password: string) => anon.call('POST', '/api/auth/login', { email, password });

  it('5 failures are 401 INVALID_CREDENTIALS; then even the right password is 429 with Retry-After; others unaffected', async () => {
    const victim = await newCustomer(base, 'Victim');
    tokens.push(victim.token!);
    for (let i = 1; i <= 5; i++) {
      const res = await login(victim.email, `wrong-${i}`);
      expect([res.status, res.body.code], `attempt ${i}`).toEqual([401, 'INVALID_CREDENTIALS']);
    }
    const locked = await login(victim.email, victim.password);
    expect([locked.status, locked.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(200);
    expect(locked.body.accessToken).toBeUndefined();
    expect((await login(victim.email.toUpperCase(), victim.password)).status).toBe(429);
    // The account's existing token still works, and other accounts log in as usual.
    expect((await victim.call('GET', '/api/users/me')).status).toBe(200);
    expect((await login(b.email, b.password)).status).toBe(200);
  });

  it('20 wrong passwords at once still get at most 5 tries at the password', async () => {
    const victim = await newCustomer(base, 'Concurrent');
    tokens.push(victim.token!);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(victim.email, `guess-${i}`)));
    const tried = answers.filter((r) => r.status === 401);
    const refused = answers.filter((r) => r.status === 429);
    console.log(
      `20 concurrent wrong logins: ${tried.length} checked against the password, ${refused.length} refused (429)`,
    );
    expect(tried.length + refused.length).toBe(20);
    expect(tried.length).toBeLessThanOrEqual(5);
    expect((await login(victim.email, victim.password)).status).toBe(429);
  });

  it('a success before the limit clears the count', async () => {
    const user = await newCustomer(base, 'Forgetful');
    tokens.push(user.token!);
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'nope-nope')).status).toBe(401);
    const ok = await login(user.email, user.password);
    expect(ok.status).toBe(200);
    tokens.push(ok.body.accessToken);
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'nope-nope')).status).toBe(401);
    const again = await login(user.email, user.password);
    expect(again.status).toBe(200);
    tokens.push(again.body.accessToken);
  });
});

describe('mass assignment: unknown body fields are 400 VALIDATION_FAILED and nothing is written', () => {
  it('sign-up cannot set role, id or anything else', async () => {
    const before = await counts();
    const email = `mass-${randomUUID().slice(0, 8)}@example.pk`;
    const valid = { name: 'Mallory', email, password: 'pw-mallory-123', city: 'Lahore' };
    for (const extra of [
      { role: 'admin' },
      { id: 'usr_admin' },
      { createdAt: '2000-01-01T00:00:00Z' },
      { passwordHash: 'x' },
      { isAdmin: true },
    ]) {
      const res = await anon.call('POST', '/api/users', { ...valid, ...extra });
      expect([res.status, res.body.code], JSON.stringify(extra)).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(Object.keys(extra)[0]);
    }
    expect((await anon.call('POST', '/api/auth/login', { email, password: valid.password })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('log-in takes only email and password', async () => {
    const res = await anon.call('POST', '/api/auth/login', { email: a.email, password: a.password, role: 'admin' });
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('the profile cannot change role, email or id', async () => {
    const before = (await a.call('GET', '/api/users/me')).body;
    for (const extra of [
      { role: 'admin' },
      { email: 'new@example.pk' },
      { id: b.id },
      { password: 'pw-new-12345' },
      { createdAt: '2000-01-01T00:00:00Z' },
    ]) {
      const res = await a.call('PATCH', '/api/users/me', { city: 'Quetta', ...extra });
      expect([res.status, res.body.code], JSON.stringify(extra)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await a.call('GET', '/api/users/me')).body).toEqual(before);
    expect((await a.call('GET', '/api/users')).status).toBe(403);
  });

  it('a product cannot be created with stock counters or ids of its own choosing', async () => {
    const before = await counts();
    const sku = 'SEC-MASS-1';
    const valid = { sku, name: 'Mass', price: { amount: 100, currency: 'PKR' }, quantity: 1 };
    for (const extra of [
      { available: 1000 },
      { reserved: -5 },
      { onHand: 9 },
      { sold: 3 },
      { id: 1 },
      { price: { amount: 100, currency: 'PKR', discount: 50 } },
    ]) {
      const res = await admin.call('POST', '/api/inventory', { ...valid, ...extra });
      expect([res.status, res.body.code], JSON.stringify(extra)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await anon.call('GET', `/api/products/${sku}`)).status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('a stock adjustment cannot set reserved or sold', async () => {
    const before = (await admin.call('GET', `/api/inventory/${SKU}`)).body;
    for (const extra of [{ reserved: 0 }, { sold: 0 }, { onHand: 1 }, { sku: 'OTHER-1' }]) {
      const res = await admin.call('POST', `/api/inventory/${SKU}/adjustments`, { delta: 1, reason: 'x', ...extra });
      expect([res.status, res.body.code], JSON.stringify(extra)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await admin.call('GET', `/api/inventory/${SKU}`)).body).toEqual(before);
  });

  it('an order cannot carry its status, owner, prices, totals or payment state', async () => {
    const before = await counts();
    const stockBefore = (await admin.call('GET', `/api/inventory/${SKU}`)).body;
    const valid = {
      items: [{ sku: SKU, quantity: 1 }],
      payment: { method: 'cod' },
      shipping: { city: 'Lahore', address: '12 Mall Road', phone: '03001234567' },
    };
    const variants = [
      { ...valid, status: 'DELIVERED' },
      { ...valid, userId: b.id },
      { ...valid, total: { amount: 1, currency: 'PKR' } },
      { ...valid, shippingFee: { amount: 0, currency: 'PKR' } },
      { ...valid, id: 'ord_mine' },
      { ...valid, items: [{ sku: SKU, quantity: 1, unitPrice: { amount: 1, currency: 'PKR' } }] },
      { ...valid, items: [{ sku: SKU, quantity: 1, name: 'free' }] },
      { ...valid, payment: { method: 'cod', status: 'CAPTURED' } },
      { ...valid, payment: { method: 'jazzcash', wallet: '03001234567', reference: 'T1' } },
      { ...valid, shipping: { ...valid.shipping, trackingNumber: 'TRK-1', status: 'DELIVERED' } },
    ];
    for (const body of variants) {
      const res = await a.call('POST', '/api/orders', body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await counts()).toEqual(before);
    expect((await admin.call('GET', `/api/inventory/${SKU}`)).body).toEqual(stockBefore);
  });

  it('a cancel carries no fields: whatever its body says, the order only ever becomes CANCELLED', async () => {
    const placed = await order(a, { method: 'cod' });
    const res = await a.call('POST', `/api/orders/${placed.body.id}/cancel`, { status: 'DELIVERED', refund: 999999 });
    expect([200, 400]).toContain(res.status);
    const now = (await a.call('GET', `/api/orders/${placed.body.id}`)).body;
    expect(['CONFIRMED', 'CANCELLED']).toContain(now.status);
  });
});

describe('limits', () => {
  const big = (bytes: number) => JSON.stringify({ name: 'x'.repeat(bytes) });

  it('a body over 64 KiB is 413 PAYLOAD_TOO_LARGE on every body route, declared or streamed, and nothing is written', async () => {
    const before = await counts();
    const routes: [string, string, Shopper][] = [
      ['POST', '/api/users', anon],
      ['POST', '/api/auth/login', anon],
      ['PATCH', '/api/users/me', a],
      ['POST', '/api/orders', a],
      ['POST', `/api/orders/${jazzOrder.id}/cancel`, a],
      ['POST', '/api/inventory', admin],
      ['POST', `/api/inventory/${SKU}/adjustments`, admin],
      ['POST', '/api/payments/callbacks/jazzcash', anon],
    ];
    for (const [method, path, who] of routes) {
      const body = big(64 * 1024);
      const headers = {
        'content-type': 'application/json',
        ...(who.token ? { authorization: `Bearer ${who.token}` } : {}),
      };
      const declared = await fetch(`${base}${path}`, { method, headers, body });
      expect([declared.status, (await declared.json()).code], path).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      // No Content-Length: counted as it streams.
      const streamed = await fetch(`${base}${path}`, {
        method,
        headers,
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < 70; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1024)));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status, `${path} streamed`).toBe(413);
    }
    expect(await counts()).toEqual(before);
    expect((await a.call('GET', `/api/orders/${jazzOrder.id}`)).body.status).toBe('CONFIRMED');
  });

  it('a body just under the limit is judged by the service, not refused for its size', async () => {
    const res = await a.call('PATCH', '/api/users/me', { city: 'x'.repeat(60 * 1024) });
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('every list answers limit=101, 0, -1 and abc with 400 VALIDATION_FAILED, and limit=100 with at most 100', async () => {
    const lists: [string, Shopper][] = [
      ['/api/products', anon],
      ['/api/orders', a],
      ['/api/payments', a],
      ['/api/users/me/orders', a],
      ['/api/users', admin],
      ['/api/inventory', admin],
      ['/api/shipments', admin],
      ['/api/orders', admin],
    ];
    for (const [path, who] of lists) {
      for (const limit of ['101', '0', '-1', 'abc', '1e9', '']) {
        const res = await who.call('GET', `${path}?limit=${limit}`);
        expect([res.status, res.body.code], `${path}?limit=${limit}`).toEqual([400, 'VALIDATION_FAILED']);
      }
      const ok = await who.call('GET', `${path}?limit=100`);
      expect(ok.status, path).toBe(200);
      expect(ok.body.items.length).toBeLessThanOrEqual(100);
    }
  });

  it('made-up cursors are 400, never a database error', async () => {
    const cursors = [
      '%%%',
      'WyJ4Il0',
      Buffer.from('["x","y"]').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["2024-02-30T00:00:00.000Z","x"]').toString('base64url'),
    ];
    for (const [path, who] of [
      ['/api/orders', a],
      ['/api/payments', a],
      ['/api/users/me/orders', a],
      ['/api/users', admin],
      ['/api/shipments', admin],
    ] as const) {
      for (const cursor of cursors) {
        const res = await who.call('GET', `${path}?cursor=${cursor}`);
        expect([res.status, res.body.code], `${path}?cursor=${cursor}`).toEqual([400, 'VALIDATION_FAILED']);
      }
    }
  });
});

describe('services refuse requests that did not come through the gateway', () => {
  const direct = (url: string, path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, init).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));

  it('without the internal key every service answers 401, whatever identity headers say', async () => {
    const u = platform.urls;
    const claim = { 'x-user-id': a.id, 'x-user-role': 'admin', 'content-type': 'application/json' };
    const calls: [string, string, RequestInit][] = [
      [u.users, '/api/users/me', { headers: claim }],
      [u.users, '/api/users', { headers: claim }],
      [u.users, '/.well-known/jwks.json', {}],
      [
        u.users,
        '/api/users',
        {
          method: 'POST',
          headers: claim,
          body: JSON.stringify({ name: 'x', email: 'direct@example.pk', password: 'pw-direct-1' }),
        },
      ],
      [u.inventory, '/api/products', {}],
      [
        u.inventory,
        '/api/inventory',
        {
          method: 'POST',
          headers: claim,
          body: JSON.stringify({ sku: 'DIRECT-1', name: 'x', price: { amount: 1, currency: 'PKR' }, quantity: 1 }),
        },
      ],
      [u.orders, `/api/orders/${jazzOrder.id}`, { headers: claim }],
      [u.orders, `/api/orders/${jazzOrder.id}/cancel`, { method: 'POST', headers: claim }],
      [u.payments, `/api/payments?orderId=${jazzOrder.id}`, { headers: claim }],
      [u.payments, '/api/payments/summary', { headers: claim }],
      [u.shipping, '/api/shipping/rates', {}],
      [u.shipping, `/internal/shipments/by-order/${jazzOrder.id}/cancel`, { method: 'POST' }],
      [u.shipping, '/openapi.json', {}],
    ];
    for (const [url, path, init] of calls) {
      for (const key of [
        undefined,
        'wrong',
        platform.platform.internalKey.slice(0, -1),
        `${platform.platform.internalKey}x`,
      ]) {
        const headers = { ...(init.headers as Record<string, string>), ...(key ? { 'x-internal-key': key } : {}) };
        const res = await direct(url, path, { ...init, headers });
        expect([res.status, res.body?.code], `${path} key=${key}`).toEqual([401, 'UNAUTHENTICATED']);
      }
    }
    expect((await anon.call('GET', '/api/products/DIRECT-1')).status).toBe(404);
    expect((await a.call('GET', `/api/orders/${jazzOrder.id}`)).body.status).toBe('CONFIRMED');
  });

  it('only liveness, readiness and metrics are open without it, for probes and scrapers', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics'])
      expect((await fetch(`${platform.urls.orders}${path}`)).status).toBe(200);
  });

  it('the gateway never routes /internal paths', async () => {
    const res = await admin.call('POST', `/internal/shipments/by-order/${jazzOrder.id}/cancel`);
    expect(res.status).toBe(404);
  });
});

describe(`CORS (CORS_ORIGINS=${SHOP_ORIGIN})`, () => {
  const preflight = (origin: string, path = '/api/orders') =>
    fetch(`${base}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });

  it('a preflight from the configured origin is 204 with what the browser needs, before any token check', async () => {
    const res = await preflight(SHOP_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization.*content-type.*idempotency-key/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a preflight from any other origin is 403 ORIGIN_NOT_ALLOWED without CORS headers', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'https://shop.example.pk.evil.example',
      'http://shop.example.pk',
    ]) {
      const res = await preflight(origin);
      expect(res.status, origin).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it("the configured origin may read answers (proxied and the gateway's own); others get no CORS headers", async () => {
    const ok = await fetch(`${base}/api/products?limit=1`, { headers: { origin: SHOP_ORIGIN } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const refused = await fetch(`${base}/api/orders`, { headers: { origin: SHOP_ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const other = await fetch(`${base}/api/products?limit=1`, { headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('provider callbacks through the gateway', () => {
  const post = async (provider: string, fields: Record<string, string>, form = false) => {
    const res = await fetch(`${base}/api/payments/callbacks/${provider}`, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
    });
    return { status: res.status, body: await res.json() };
  };
  const state = async (orderId: string) => ({
    payments: (await admin.call('GET', `/api/payments?orderId=${orderId}`)).body.items,
    ledger: (await admin.call('GET', `/api/payments/ledger?orderId=${orderId}`)).body.items.length,
    order: (await admin.call('GET', `/api/orders/${orderId}`)).body.status,
  });
  const refOf = async (orderId: string) =>
    (await admin.call('GET', `/api/payments?orderId=${orderId}`)).body.items[0].reference as string;
  const jazz = (ref: string, at: Date, salt = pay.jazzcashIntegritySalt, extra: object = {}) =>
    buildJazzCashCallback(
      {
        code: '000',
        message: 'Thank you for using JazzCash',
        txnRef: ref,
        txnDateTime: jazzCashDateTime(at),
        ...extra,
      },
      pay.jazzcashMerchantId,
      salt,
    );
  const easy = (ref: string, at: Date, key = pay.easypaisaHashKey) =>
    buildEasyPaisaCallback({ orderRefNumber: ref, paymentStatus: 'PAID', storeId: pay.easypaisaStoreId }, at, key);

  it('JazzCash: a signed, fresh callback is received (JSON or form); its replay is a no-op', async () => {
    const ref = await refOf(jazzOrder.id);
    const before = await state(jazzOrder.id);
    const callback = jazz(ref, new Date());
    expect(await post('jazzcash', callback)).toMatchObject({ status: 200, body: { received: true } });
    expect(await post('jazzcash', callback)).toMatchObject({ status: 200, body: { received: true } });
    expect(await post('jazzcash', callback, true)).toMatchObject({ status: 200, body: { received: true } });
    expect(await state(jazzOrder.id)).toEqual(before);
  });

  it('EasyPaisa: a signed, fresh notification is received; its replay is a no-op', async () => {
    const ref = await refOf(easyOrder.id);
    const before = await state(easyOrder.id);
    const callback = easy(ref, new Date());
    expect((await post('easypaisa', callback)).status).toBe(200);
    expect((await post('easypaisa', callback)).status).toBe(200);
    expect(await state(easyOrder.id)).toEqual(before);
  });

  it('bad signatures, stale or future timestamps are 401 BAD_SIGNATURE and change nothing', async () => {
    const [jref, eref] = [await refOf(jazzOrder.id), await refOf(easyOrder.id)];
    const before = [await state(jazzOrder.id), await state(easyOrder.id)];
    const hour = 3_600_000;
    const good = jazz(jref, new Date());
    const cases: [string, string, Record<string, string>][] = [
      ['jazzcash', 'amount altered', { ...good, pp_Amount: '1' }],
      [
        'jazzcash',
        'response code altered',
        { ...jazz(jref, new Date(), undefined, { code: '402' }), pp_ResponseCode: '000' },
      ],
      ['jazzcash', 'another txn ref', { ...good, pp_TxnRefNo: 'T0000000000000000000' }],
      ['jazzcash', 'signed with another salt', jazz(jref, new Date(), 'not-the-salt')],
      ['jazzcash', 'hash removed', Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'pp_SecureHash'))],
      ['jazzcash', 'hash emptied', { ...good, pp_SecureHash: '' }],
      ['jazzcash', 'an hour old', jazz(jref, new Date(Date.now() - hour))],
      ['jazzcash', 'an hour ahead', jazz(jref, new Date(Date.now() + hour))],
      ['jazzcash', 'no timestamp', { ...jazz(jref, new Date()), pp_TxnDateTime: '' }],
      ['easypaisa', 'status altered', { ...easy(eref, new Date()), paymentStatus: 'FAILED' }],
      ['easypaisa', 'signed with another key', easy(eref, new Date(), 'ANOTHERSANDBOXKY')],
      ['easypaisa', 'unsigned', { orderRefNumber: eref, paymentStatus: 'PAID' }],
      ['easypaisa', 'an hour old', easy(eref, new Date(Date.now() - hour))],
      ['easypaisa', 'a day ahead', easy(eref, new Date(Date.now() + 24 * hour))],
    ];
    for (const [provider, name, fields] of cases) {
      const res = await post(provider, fields);
      expect([res.status, res.body.code], `${provider}: ${name}`).toEqual([401, 'BAD_SIGNATURE']);
    }
    expect([await state(jazzOrder.id), await state(easyOrder.id)]).toEqual(before);
  });

  it('an unknown provider is 404; a body that is not flat fields 401; a callback is never a way to an order', async () => {
    expect((await post('paypal', { a: '1' })).status).toBe(404);
    const nested = await anon.call('POST', '/api/payments/callbacks/jazzcash', { pp_TxnRefNo: { $ne: null } });
    expect([nested.status, nested.body.code]).toEqual([401, 'BAD_SIGNATURE']);
    // Encoded slashes and dots stay inside the provider segment: never a way to another route.
    const escaped = await anon.call(
      'POST',
      `/api/payments/callbacks/jazzcash%2F..%2F..%2Forders%2F${jazzOrder.id}%2Fcancel`,
      {},
    );
    expect(escaped.status).toBe(404);
    expect((await a.call('GET', `/api/orders/${jazzOrder.id}`)).body.status).toBe('CONFIRMED');
  });
});

describe('what leaves the platform', () => {
  it('bazaar verify still finds every invariant holding', async () => {
    const checks = await verifyPlatform(base, 10_000, ADMIN);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('every error answer of this suite is a problem document without stack traces, SQL, paths or internal hosts', () => {
    expect(recorded.seen.length).toBeGreaterThan(100);
    expect(recorded.seen.filter((s) => s.status >= 500).map((s) => `${s.method} ${s.url} → ${s.status}`)).toEqual([]);
    const faulty = recorded.seen
      .map((s) => ({ at: `${s.method} ${s.url.replace(base, '')} → ${s.status}`, faults: problemFaults(s) }))
      .filter((f) => f.faults.length > 0);
    expect(faulty).toEqual([]);
  });

  it('no log line or trace span of any service holds a password, a token, the internal key or provider credentials', () => {
    expect(logLines.length).toBeGreaterThan(50);
    // The spans the console shows (SQL statements, routes, attributes) are telemetry too.
    const store = platform.platform.spanStore!;
    const spans = store
      .recentTraces(100_000)
      .flatMap((t) => store.trace(t.traceId).map((span) => JSON.stringify(span)));
    expect(spans.length).toBeGreaterThan(100);
    const secrets: [string, string][] = [
      ["A's password", a.password],
      ["B's password", b.password],
      ["the admin's password", ADMIN.password],
      ['the internal key', platform.platform.internalKey],
      ['the JazzCash password', pay.jazzcashPassword],
      ['the JazzCash integrity salt', pay.jazzcashIntegritySalt],
      ['the EasyPaisa password', pay.easypaisaPassword],
      ['the EasyPaisa hash key', pay.easypaisaHashKey],
      [
        'the EasyPaisa Credentials header',
        Buffer.from(`${pay.easypaisaUsername}:${pay.easypaisaPassword}`).toString('base64'),
      ],
      ...tokens.map((t, i): [string, string] => [`access token ${i}`, t]),
      ...tokens.map((t, i): [string, string] => [`the signature of access token ${i}`, t.split('.')[2]]),
    ];
    const patterns: [string, RegExp][] = [
      ['a JWT', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}/],
      ['a password hash', /scrypt\$\d+\$/],
      ['a private key', /"d"\s*:\s*"[\w-]{20,}"/],
      ['a password field with a value', /"(?:password|pp_Password|passwordHash)"\s*:\s*"(?!\[redacted\])/i],
    ];
    const found: string[] = [];
    for (const line of [...logLines, ...spans]) {
      for (const [what, secret] of secrets)
        if (secret && line.includes(secret)) found.push(`${what}: ${line.slice(0, 300)}`);
      for (const [what, pattern] of patterns) if (pattern.test(line)) found.push(`${what}: ${line.slice(0, 300)}`);
    }
    expect(found).toEqual([]);
  });
});
