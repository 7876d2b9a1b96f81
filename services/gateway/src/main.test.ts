import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { SpanStore } from '@bazaar/kit/telemetry';
import { SpanKind } from '@opentelemetry/api';
import { base64url, SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, start } from './main.ts';
import { closedPort, type FakeService, fakeService, signingKey } from './test-support.ts';

// Echoed JSON, read loosely.
type Json = Record<string, any>;

const internalKey = 'test-key';
const spans = new SpanStore();
const platform = { internalKey, logLevel: 'silent', spanStore: spans };
let key: Awaited<ReturnType<typeof signingKey>>;
let users: FakeService;
let inventoryA: FakeService;
let inventoryB: FakeService;
let orders: FakeService;
let payments: FakeService;
let shippingDown: string;
let gateway: Gateway;
let customer: string;
let admin: string;

const openapiOf = (paths: object, schemas: object = {}) => ({
  openapi: '3.1.0',
  info: { title: 'x', version: '1' },
  paths,
  components: { schemas },
});
const op = (summary: string, tags: string[]) => ({
  summary,
  tags,
  responses: {
    200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/def-0' } } } },
  },
});

beforeAll(async () => {
  key = await signingKey('k1');
  users = await fakeService('users', {
    internalKey,
    jwks: key.jwks,
    openapi: openapiOf(
      {
        '/api/users/me': { get: op('Your profile', ['Users and auth']) },
        '/internal/users/{id}': { get: op('internal', ['Internal']) },
      },
      { 'def-0': { type: 'object', properties: { id: { type: 'string' } } } },
    ),
  });
  const inventoryDoc = openapiOf(
    {
      '/api/products/{sku}': { get: op('One product', ['Catalogue']) },
      '/api/inventory': { post: op('Add a product', ['Catalogue']) },
    },
    { 'def-0': { type: 'object', properties: { sku: { type: 'string' } } } },
  );
  inventoryA = await fakeService('inventory-a', { internalKey, openapi: inventoryDoc });
  inventoryB = await fakeService('inventory-b', { internalKey, openapi: inventoryDoc });
  orders = await fakeService('orders', { internalKey });
  payments = await fakeService('payments', { internalKey });
  shippingDown = await closedPort();
  gateway = await start(platform, {
    port: 0,
    usersUrl: `${await closedPort()},${users.url}`,
    inventoryUrl: `${inventoryA.url}, ${inventoryB.url}`,
    ordersUrl: orders.url,
    paymentsUrl: payments.url,
    shippingUrl: shippingDown,
    rateLimitRps: 0,
  });
  customer = await key.sign({ sub: 'u-customer', role: 'customer' });
  admin = await key.sign({ sub: 'u-admin', role: 'admin' });
});

afterAll(async () => {
  await gateway?.stop();
  for (const s of [users, inventoryA, inventoryB, orders, payments]) await s?.close();
});

/** Another gateway over the shared fakes (orders may be a fresh one), with settings of its own. */
const anotherGateway = (overrides: Record<string, unknown>) =>
  start(platform, {
    port: 0,
    usersUrl: users.url,
    inventoryUrl: inventoryA.url,
    ordersUrl: orders.url,
    paymentsUrl: payments.url,
    shippingUrl: shippingDown,
    rateLimitRps: 0,
    ...overrides,
  });

type Call = { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable; token?: string };
async function call(path: string, { method = 'GET', headers = {}, body, token }: Call = {}) {
  const res = await request(`${gateway.url}${path}`, {
    method: method as 'GET',
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.body.text();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.statusCode, headers: res.headers, text, json };
}

describe('routing', () => {
  it('sends each public path to its service and answers 404 NOT_FOUND for anything else under /api', async () => {
    expect((await call('/api/users', { method: 'POST', body: '{}' })).json.service).toBe('users');
    expect((await call('/api/auth/login', { method: 'POST', body: '{}' })).json.service).toBe('users');
    expect((await call('/.well-known/jwks.json')).json.keys[0].kid).toBe('k1');
    expect((await call('/api/products?q=chai')).json.service).toMatch(/^inventory/);
    expect((await call('/api/orders', { token: customer })).json.service).toBe('orders');
    expect((await call('/api/orders/o-1/cancel', { method: 'POST', token: customer })).json.service).toBe('orders');
    expect((await call('/api/payments?orderId=o-1', { token: customer })).json).toMatchObject({
      service: 'payments',
      url: '/api/payments?orderId=o-1',
    });
    const missing = await call('/api/nothing-here', { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json).toMatchObject({ code: 'NOT_FOUND', status: 404, title: 'Not Found' });
    expect(missing.json.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never routes /internal from outside, however the path is spelled', async () => {
    for (const path of [
      '/internal/reservations',
      '/api/internal/x',
      '/api/users/../../internal/x',
      '/api/orders/%2e%2e/%2e%2e/internal/x',
    ]) {
      const res = await call(path, { token: admin });
      expect(res.status, path).toBe(404);
      expect(res.json.code).toBe('NOT_FOUND');
    }
    expect(users.seen.some((s) => s.url.includes('internal'))).toBe(false);
    expect(orders.seen.some((s) => s.url.includes('internal'))).toBe(false);
  });

  it('spreads requests over the replicas in turn, and skips a replica that refuses connections', async () => {
    const before = [inventoryA.seen.length, inventoryB.seen.length];
    for (let i = 0; i < 6; i++) expect((await call('/api/products')).status).toBe(200);
    expect(inventoryA.seen.length - before[0]).toBe(3);
    expect(inventoryB.seen.length - before[1]).toBe(3);
    // users' first replica is down: every request still lands, on the second one.
    for (let i = 0; i < 4; i++) expect((await call('/api/users', { method: 'POST', body: '{}' })).status).toBe(200);
  });

  it('passes the method, path, query, body bytes, content-type, accept and idempotency-key through unchanged', async () => {
    const body = '{ "items" : [ {"sku":"CHAI-1","quantity":2} ],\n "odd":  1.50 }';
    const res = await call('/api/orders?x=1&y=%20z', {
      method: 'POST',
      token: customer,
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        accept: 'application/json',
        'idempotency-key': 'key-123',
      },
    });
    expect(res.json).toMatchObject({ method: 'POST', url: '/api/orders?x=1&y=%20z', body });
    expect(res.json.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      'idempotency-key': 'key-123',
    });
    expect(res.json.headers.authorization).toBeUndefined();
    const form = await call('/api/payments/callbacks/jazzcash', {
      method: 'POST',
      body: 'pp_Amount=100&pp_SecureHash=AB',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.json).toMatchObject({ service: 'payments', body: 'pp_Amount=100&pp_SecureHash=AB' });
  });

  it('strips hop-by-hop headers, including those the Connection header names', async () => {
    const echoed = await new Promise<Json>((resolve, reject) => {
      const req = httpRequest(
        `${gateway.url}/api/products`,
        { headers: { connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes' } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(echoed.headers['x-kept']).toBe('yes');
    expect(echoed.headers['x-hop']).toBeUndefined();
    expect(echoed.headers['keep-alive']).toBeUndefined();
  });
});

describe('authentication and access', () => {
  const matrix: [method: string, path: string, anonymous: number, customer: number, admin: number][] = [
    ['POST', '/api/users', 200, 200, 200],
    ['POST', '/api/auth/login', 200, 200, 200],
    ['GET', '/.well-known/jwks.json', 200, 200, 200],
    ['GET', '/api/products', 200, 200, 200],
    ['GET', '/api/products/CHAI-1', 200, 200, 200],
    ['GET', '/api/payments/callbacks/jazzcash', 401, 200, 200],
    ['POST', '/api/payments/callbacks/jazzcash', 200, 200, 200],
    ['GET', '/api/users', 401, 403, 200],
    ['GET', '/api/users/', 401, 403, 200],
    ['GET', '/api/users/me', 401, 200, 200],
    ['PATCH', '/api/users/me', 401, 200, 200],
    ['GET', '/api/users/me/orders', 401, 200, 200],
    ['POST', '/api/products', 401, 200, 200],
    ['POST', '/api/inventory', 401, 403, 200],
    ['POST', '/api/inventory/CHAI-1/adjustments', 401, 403, 200],
    ['POST', '/api/inventor%79', 401, 403, 200],
    ['GET', '/api/orders', 401, 200, 200],
    ['POST', '/api/orders', 401, 200, 200],
    ['GET', '/api/payments?orderId=o-1', 401, 200, 200],
    ['GET', '/api/ops/traces', 401, 403, 200],
    ['GET', '/api/ops/no-such-view', 401, 403, 404],
    ['POST', '/api/ops', 401, 403, 404],
    ['HEAD', '/api/users', 401, 403, 200],
  ];

  it.each(matrix)(
    '%s %s answers %i anonymously, %i to a customer and %i to an admin',
    async (method, path, anon, asCustomer, asAdmin) => {
      const body = method === 'GET' || method === 'HEAD' ? undefined : '{}';
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const results = [
        await call(path, { method, body, headers }),
        await call(path, { method, body, headers, token: customer }),
        await call(path, { method, body, headers, token: admin }),
      ];
      expect(results.map((r) => r.status)).toEqual([anon, asCustomer, asAdmin]);
      for (const r of results.filter(() => method !== 'HEAD')) {
        if (r.status === 401) expect(r.json.code).toBe('UNAUTHENTICATED');
        if (r.status === 403) expect(r.json.code).toBe('FORBIDDEN');
      }
    },
  );

  it('forwards the verified identity with the internal key, and never what the client claimed', async () => {
    const forged = { 'x-user-id': 'someone-else', 'x-user-role': 'admin', 'x-internal-key': 'a-guess' };
    const anon = await call('/api/products', { headers: forged });
    expect(anon.json.headers).toMatchObject({ 'x-internal-key': internalKey });
    expect(anon.json.headers['x-user-id']).toBeUndefined();
    expect(anon.json.headers['x-user-role']).toBeUndefined();
    const signedIn = await call('/api/orders', { headers: forged, token: customer });
    expect(signedIn.json.headers).toMatchObject({
      'x-user-id': 'u-customer',
      'x-user-role': 'customer',
      'x-internal-key': internalKey,
    });
    const notAdmin = await call('/api/inventory', { method: 'POST', body: '{}', headers: forged, token: customer });
    expect(notAdmin.status).toBe(403);
  });

  it("forwards the client's address in x-client-address, never one the client wrote", async () => {
    const forged = { 'x-client-address': '203.0.113.9', 'x-forwarded-for': '198.51.100.7' };
    const direct = await call('/api/products', { headers: forged });
    expect(direct.json.headers['x-client-address']).toBe('127.0.0.1');
    // Behind a trusted load balancer, the address it appended, not what the client wrote before it.
    const behind = await anotherGateway({ trustProxy: true });
    try {
      const res = await request(`${behind.url}/api/products`, {
        headers: { ...forged, 'x-forwarded-for': '198.51.100.7, 192.0.2.44' },
      });
      const echoed = (await res.body.json()) as Json;
      expect(echoed.headers['x-client-address']).toBe('192.0.2.44');
    } finally {
      await behind.stop();
    }
  });

  it('ignores an invalid token on a public route', async () => {
    const res = await call('/api/products', { token: 'not-a-token' });
    expect(res.status).toBe(200);
    expect(res.json.headers['x-user-id']).toBeUndefined();
  });

  describe('refuses forged and stale tokens with UNAUTHENTICATED', () => {
    const payload = { sub: 'u-attacker', role: 'admin' };
    const attacks: [string, () => Promise<string>][] = [
      [
        'alg none',
        async () =>
          `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ ...payload, iss: 'bazaar-users', aud: 'bazaar', exp: Math.floor(Date.now() / 1000) + 600 }))}.`,
      ],
      [
        'HS256 signed with the public key as the secret',
        async () =>
          new SignJWT(payload)
            .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
            .setIssuer('bazaar-users')
            .setAudience('bazaar')
            .setExpirationTime('1h')
            .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk))),
      ],
      ['expired', () => key.sign(payload, { exp: Math.floor(Date.now() / 1000) - 60 })],
      ['not valid yet (nbf in the future)', () => key.sign(payload, { nbf: Math.floor(Date.now() / 1000) + 600 })],
      ['wrong issuer', () => key.sign(payload, { iss: 'someone-else' })],
      ['wrong audience', () => key.sign(payload, { aud: 'another-app' })],
      [
        'tampered payload',
        async () => {
          const [h, , s] = (await key.sign({ sub: 'u-attacker', role: 'customer' })).split('.');
          return `${h}.${base64url.encode(JSON.stringify({ ...payload, iss: 'bazaar-users', aud: 'bazaar', exp: Math.floor(Date.now() / 1000) + 600 }))}.${s}`;
        },
      ],
      ['unknown kid (another key)', async () => (await signingKey('k-unknown')).sign(payload)],
      ['a role that does not exist', () => key.sign({ sub: 'u-attacker', role: 'root' })],
      ['not a JWT at all', async () => 'abc.def.ghi'],
    ];
    it.each(attacks)('%s', async (_name, make) => {
      const token = await make();
      const res = await call('/api/users', { token });
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('UNAUTHENTICATED');
      expect((await call('/api/orders', { token })).status).toBe(401);
    });
  });
});

describe('limits', () => {
  it('refuses a body over 64 KiB with 413 PAYLOAD_TOO_LARGE, by its Content-Length or as it streams', async () => {
    const big = Buffer.alloc(64 * 1024 + 1, 'a');
    const declared = await call('/api/orders', {
      method: 'POST',
      body: big,
      token: customer,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect(declared.json.code).toBe('PAYLOAD_TOO_LARGE');
    const chunked = await call('/api/orders', {
      method: 'POST',
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 80; i++) yield Buffer.alloc(1024, 'b');
        })(),
      ),
      token: customer,
      headers: { 'content-type': 'application/json' },
    });
    expect(chunked.status).toBe(413);
    expect(chunked.json.code).toBe('PAYLOAD_TOO_LARGE');
    const fits = await call('/api/orders', {
      method: 'POST',
      body: Buffer.alloc(64 * 1024, 'c'),
      token: customer,
      headers: { 'content-type': 'text/plain' },
    });
    expect(fits.status).toBe(200);
  });

  it('answers 429 RATE_LIMITED with Retry-After once a client spends its burst, counting users and addresses apart', async () => {
    const limited = await anotherGateway({ rateLimitRps: 2 });
    try {
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 6; i++) {
        const res = await request(`${limited.url}/api/products`);
        statuses.push(res.statusCode);
        const text = await res.body.text();
        if (res.statusCode === 429) refused = { status: 429, headers: res.headers, text, json: JSON.parse(text) };
      }
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      expect(refused!.json).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(Number(refused!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(String(refused!.headers['retry-after'])).toMatch(/^\d+$/);
      expect(refused!.headers['x-request-id']).toBeDefined();
      // The signed-in customer has a bucket of their own.
      const asCustomer = await request(`${limited.url}/api/products`, {
        headers: { authorization: `Bearer ${customer}` },
      });
      await asCustomer.body.dump();
      expect(asCustomer.statusCode).toBe(200);
      // Logging in acts for nobody yet: it spends the address's tokens, whatever token comes along.
      const login = await request(`${limited.url}/api/auth/login`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
        body: '{}',
      });
      await login.body.dump();
      expect(login.statusCode).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});

describe('CORS through the proxy', () => {
  it("marks a configured origin's proxied and refused answers readable, answers its preflight, and no other's", async () => {
    const shop = 'https://shop.example.pk';
    const g = await start(platform, {
      port: 0,
      usersUrl: users.url,
      ordersUrl: orders.url,
      corsOrigins: shop,
      rateLimitRps: 0,
    });
    try {
      const ask = (path: string, origin: string, headers: Record<string, string> = {}, method = 'GET') =>
        request(`${g.url}${path}`, { method: method as 'GET', headers: { origin, ...headers } }).then(async (r) => {
          await r.body.dump();
          return r;
        });
      const proxied = await ask('/api/orders/o1', shop, { authorization: `Bearer ${customer}` });
      const refused = await ask('/api/orders/o1', shop);
      expect([proxied.statusCode, refused.statusCode]).toEqual([200, 401]);
      for (const r of [proxied, refused]) {
        expect(r.headers['access-control-allow-origin']).toBe(shop);
        expect(r.headers['access-control-expose-headers']).toContain('x-request-id');
      }
      const other = await ask('/api/orders/o1', 'https://evil.example', { authorization: `Bearer ${customer}` });
      expect(other.statusCode).toBe(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers.vary).toContain('origin');
      const preflight = await ask('/api/orders', shop, { 'access-control-request-method': 'POST' }, 'OPTIONS');
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    } finally {
      await g.stop();
    }
  });
});

describe('request ids and traces', () => {
  it('echoes a valid x-request-id to the client and the service, and replaces an invalid one', async () => {
    const res = await call('/api/products', { headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.headers['x-request-id']).toBe('req-abc.123');
    expect(res.json.headers['x-request-id']).toBe('req-abc.123');
    // Printable ASCII up to 255 characters is echoed (path-like ids and inner spaces included); non-ASCII, an empty
    // value or anything longer is replaced.
    for (const given of ['client/run-7#42', 'batch 7 / run 2', 'x'.repeat(255)]) {
      const echoed = await call('/api/products', { headers: { 'x-request-id': given } });
      expect(echoed.headers['x-request-id']).toBe(given);
    }
    for (const invalid of ['', 'x'.repeat(256), 'caf\u00e9']) {
      const replaced = await call('/api/products', { headers: { 'x-request-id': invalid } });
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers a URL of broken percent-encoding with a whole problem: trace id, request id and the field at fault', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    for (const path of ['/api/products/%E0%A4%A', '/%ZZ']) {
      const res = await call(path, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'bad-url-1' },
      });
      expect(res.status, path).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['x-request-id']).toBe('bad-url-1');
      expect(res.headers['x-trace-id']).toBe(traceId);
      expect(res.json).toMatchObject({ status: 400, code: 'BAD_REQUEST', traceId });
      expect(res.json.errors).toEqual([{ path: '(url)', message: expect.any(String) }]);
    }
  });

  it('puts x-request-id and x-trace-id on every answer: proxied, refused, missing, failed', async () => {
    for (const res of [
      await call('/api/products'),
      await call('/api/orders'),
      await call('/nowhere'),
      await call('/api/shipping/rates'),
      await call('/healthz'),
    ]) {
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('marks API answers, proxied or refused, not to be cached or type-sniffed (a login answer carries a token)', async () => {
    for (const res of [await call('/api/users/me', { token: customer }), await call('/api/orders')]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('answers a request Node cannot parse as HTTP with a problem and its ids, not a bare JSON error', async () => {
    for (const head of [
      'GET /api/products HTTP/1.1\r\nhost: x\r\nx-bad: a\rb\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length : 0\r\n\r\n',
    ]) {
      const { port } = new URL(gateway.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.end(head);
      let raw = '';
      for await (const chunk of socket) raw += chunk;
      const [top, body] = raw.split('\r\n\r\n');
      expect(top).toMatch(/^HTTP\/1.1 400 /);
      expect(top).toMatch(/content-type: application\/problem\+json/i);
      expect(top).toMatch(/x-request-id: \S+/i);
      const traceId = /x-trace-id: ([0-9a-f]{32})/i.exec(top)?.[1];
      expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'BAD_REQUEST', traceId });
    }
  });

  it('answers an HTTP/1.1 request without Host with a problem and its ids, on the API and off it', async () => {
    for (const path of ['/api/products', '/healthz', '/nowhere']) {
      const { port } = new URL(gateway.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.end(`GET ${path} HTTP/1.1\r\nx-request-id: no-host-1\r\nconnection: close\r\n\r\n`);
      let raw = '';
      for await (const chunk of socket) raw += chunk;
      const [top, body] = raw.split('\r\n\r\n');
      expect(top, path).toMatch(/^HTTP\/1.1 400 /);
      expect(top).toMatch(/content-type: application\/problem\+json/i);
      expect(top).toMatch(/x-request-id: no-host-1\r\n/i);
      const traceId = /x-trace-id: ([0-9a-f]{32})/i.exec(top)?.[1];
      expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'BAD_REQUEST', traceId });
    }
  });

  it('honours an incoming traceparent and hands the service a child span of the same trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await call('/api/orders', {
      token: customer,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.headers['x-trace-id']).toBe(traceId);
    const [, upstreamTrace, upstreamSpan, flags] = String(res.json.headers.traceparent).split('-');
    expect(upstreamTrace).toBe(traceId);
    expect(upstreamSpan).toMatch(/^[0-9a-f]{16}$/);
    expect(upstreamSpan).not.toBe('00f067aa0ba902b7');
    expect(flags).toBe('01');
    const refused = await call('/api/orders', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(refused.json.traceId).toBe(traceId);
  });

  it("records a request whose traceparent says 'not sampled' all the same: its x-trace-id finds it in the traces", async () => {
    const traceId = '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e';
    const res = await call('/api/orders', {
      token: customer,
      headers: { traceparent: `00-${traceId}-1111111111111111-00` },
    });
    expect(res.headers['x-trace-id']).toBe(traceId);
    expect(String(res.json.headers.traceparent).endsWith('-01')).toBe(true);
    expect(spans.trace(traceId)).toHaveLength(1);
  });

  it('records one SERVER span per proxied request, the parent the service hears, naming the upstream and a failed hop', async () => {
    const res = await call('/api/orders', { token: customer });
    const [, , parent] = String(res.json.headers.traceparent).split('-');
    const recorded = spans.trace(String(res.headers['x-trace-id']));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      spanId: parent,
      kind: SpanKind.SERVER,
      attributes: { 'peer.service': 'orders' },
    });
    const failed = await call('/api/shipping/rates');
    expect(failed.status).toBe(503);
    const [span] = spans.trace(String(failed.headers['x-trace-id']));
    expect(span).toMatchObject({
      status: 'error',
      attributes: { 'peer.service': 'shipping', 'error.type': 'ECONNREFUSED' },
    });
  });
});

describe('streams and failures', () => {
  it('streams an event stream through as it comes, and closes the upstream when the client goes away', async () => {
    const controller = new AbortController();
    const res = await request(`${gateway.url}/api/orders/o-1/events`, {
      headers: { authorization: `Bearer ${customer}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const chunks = res.body[Symbol.asyncIterator]();
    expect(String((await chunks.next()).value)).toContain('PENDING');
    orders.stream.release();
    expect(String((await chunks.next()).value)).toContain('CONFIRMED');
    controller.abort();
    await expect(
      Promise.race([
        orders.stream.closed.then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still open'), 2_000)),
      ]),
    ).resolves.toBe('closed');
  });

  it('ends open event streams cleanly when the gateway stops', async () => {
    const own = await fakeService('orders', { internalKey });
    const stopping = await anotherGateway({ ordersUrl: own.url });
    try {
      const res = await request(`${stopping.url}/api/orders/o-2/events`, {
        headers: { authorization: `Bearer ${customer}` },
      });
      const chunks = res.body[Symbol.asyncIterator]();
      expect(String((await chunks.next()).value)).toContain('PENDING');
      const stopped = stopping.stop().then(() => 'stopped');
      await expect(Promise.race([stopped, new Promise((r) => setTimeout(() => r('hung'), 3_000))])).resolves.toBe(
        'stopped',
      );
      expect((await chunks.next()).done).toBe(true);
      await own.stream.closed;
    } finally {
      await own.close();
    }
  });

  it('keeps held event streams out of the connection pool, and gives one client at most GATEWAY_STREAMS_PER_CLIENT', async () => {
    const own = await fakeService('orders', { internalKey });
    const small = await anotherGateway({ ordersUrl: own.url, upstreamConnections: 2, streamsPerClient: 3 });
    const open: AbortController[] = [];
    const stream = async (token: string) => {
      const controller = new AbortController();
      open.push(controller);
      const res = await request(`${small.url}/api/orders/o-3/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      return { status: res.statusCode, body: res.statusCode === 200 ? undefined : await res.body.json() };
    };
    try {
      // Three streams on a pool of two sockets: each leaves the pool once it is a stream.
      for (let i = 0; i < 3; i++) expect((await stream(customer)).status).toBe(200);
      expect(await stream(customer)).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      // A HEAD holds nothing open: it is not counted.
      const head = await request(`${small.url}/api/orders/o-3/events`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${customer}` },
      });
      expect(head.statusCode).toBe(200);
      await head.body.dump();
      expect((await stream(admin)).status).toBe(200);
      expect(await (await request(`${small.url}/metrics`)).body.text()).toMatch(
        /^gateway_open_event_streams(\{[^}]*\})? 4$/m,
      );
      const plain = await request(`${small.url}/api/orders`, { headers: { authorization: `Bearer ${admin}` } });
      expect(plain.statusCode).toBe(200);
      await plain.body.dump();
      // A closed stream frees its place.
      open[0].abort();
      await expect.poll(async () => (await stream(customer)).status, { timeout: 3_000 }).toBe(200);
    } finally {
      for (const c of open) c.abort();
      await small.stop();
      await own.close();
    }
  });

  it('answers 503 SERVICE_UNAVAILABLE when a service is down, naming no host', async () => {
    const res = await call('/api/shipping/rates');
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    // As every other refusal that passes with time: when to come back, in whole seconds (a health check's interval).
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json.detail).toContain('shipping');
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|at .*\.ts/);
  });

  it('answers 504 GATEWAY_TIMEOUT when a service takes too long to start answering', async () => {
    const impatient = await anotherGateway({ upstreamTimeoutMs: 200 });
    try {
      const res = await request(`${impatient.url}/api/orders/slow`, {
        headers: { authorization: `Bearer ${customer}` },
      });
      expect(res.statusCode).toBe(504);
      expect(((await res.body.json()) as { code: string }).code).toBe('GATEWAY_TIMEOUT');
    } finally {
      await impatient.stop();
    }
  });
});

describe('operations', () => {
  it("merges the services' OpenAPI documents into one, marking protected operations", async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/users/me', '/api/products/{sku}', '/api/inventory']),
    );
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/internal'))).toBe(false);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/users/me'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/api/products/{sku}'].get.security).toEqual([]);
    expect(doc.paths['/api/inventory'].post['x-access']).toBe('admin');
    // Both services named a schema def-0: each operation still points at its own.
    const usersRef = doc.paths['/api/users/me'].get.responses['200'].content['application/json'].schema.$ref;
    const productRef = doc.paths['/api/products/{sku}'].get.responses['200'].content['application/json'].schema.$ref;
    expect(usersRef).not.toBe(productRef);
    expect(doc.components.schemas[usersRef.split('/').pop()].properties.id).toBeDefined();
    expect(doc.components.schemas[productRef.split('/').pop()].properties.sku).toBeDefined();
    expect(doc.info.description).toContain('shipping');
  });

  it('serves /docs as a page that needs nothing from the internet', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).not.toMatch(/<(?:script|link)[^>]+(?:src|href)="(?:[a-z]+:)?\/\//);
    // An icon of its own, inline, so the browser does not ask for /favicon.ico (a 404).
    expect(res.text).toMatch(/<link rel="icon" href="data:image\/svg\+xml,[^"]+">/);
  });

  it('serves /docs under a strict Content-Security-Policy, its style and script as files of their own', async () => {
    const res = await call('/docs');
    const csp = String(res.headers['content-security-policy']);
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-|\*/);
    expect(res.headers['cache-control']).toBe('no-cache');
    // Nothing inline for that policy to block: no <style>, no <script> without src, no style or on* attributes.
    expect(res.text).not.toMatch(/<style|<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=/i);
    const style = res.text.match(/<link rel="stylesheet" href="(\/docs\/[^"]+\.css)">/)?.[1];
    const script = res.text.match(/<script src="(\/docs\/[^"]+\.js)"><\/script>/)?.[1];
    for (const [path, type, content] of [
      [style, 'text/css', '.method'],
      [script, 'text/javascript', '/openapi.json'],
    ]) {
      expect(path, type).toBeDefined();
      const asset = await call(path!);
      expect(asset.status, path).toBe(200);
      expect(asset.headers['content-type']).toBe(`${type}; charset=utf-8`);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      expect(asset.text).toContain(content);
    }
    expect((await call('/docs/docs-nothing.js')).json.code).toBe('NOT_FOUND');
  });

  it('is live, names the services that are not ready, and exposes metrics', async () => {
    expect((await call('/healthz')).status).toBe(200);
    const ready = await call('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ code: 'NOT_READY', failing: { shipping: expect.any(String) } });
    // Probes are answered without a span (orchestrators call them every few seconds), yet name a trace.
    expect(ready.json.traceId).toBe(ready.headers['x-trace-id']);
    expect(spans.recentTraces(1000).map((t) => t.root.name)).not.toContainEqual(
      expect.stringMatching(/healthz|readyz/),
    );
    expect(ready.json.detail).toContain('shipping');
    expect(ready.json.failing.users).toBeUndefined();
    expect(ready.text).not.toContain('127.0.0.1');
    const metrics = await call('/metrics');
    expect(metrics.text).toContain('http_server_request_duration_seconds');
  });

  it('is ready when every service has a ready replica', async () => {
    const shipping = await fakeService('shipping', { internalKey, port: Number(new URL(shippingDown).port) });
    try {
      const ready = await call('/readyz');
      expect(ready.status).toBe(200);
    } finally {
      await shipping.close();
    }
  });
});
