// What the gateway tells an operator: spans and metrics named by the API's routes (bounded, agreeing with each
// other, and naming no internal host), and a warning for every request it has to answer 5xx itself, at the default
// log level.
import { SpanStore } from '@bazaar/kit/telemetry';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, start } from './main.ts';
import { closedPort, type FakeService, fakeService, signingKey } from './test-support.ts';

const internalKey = 'test-key';
const spans = new SpanStore();
const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
let services: FakeService[];
let gateway: Gateway;
let token: string;

beforeAll(async () => {
  const key = await signingKey('k1');
  const users = await fakeService('users', { internalKey, jwks: key.jwks });
  const orders = await fakeService('orders', { internalKey });
  const inventory = await fakeService('inventory', { internalKey });
  const payments = await fakeService('payments', { internalKey });
  services = [users, orders, inventory, payments];
  gateway = await start(
    { internalKey, spanStore: spans, logSink: { write: (line) => lines.push(JSON.parse(line)) } },
    {
      port: 0,
      usersUrl: users.url,
      ordersUrl: orders.url,
      inventoryUrl: inventory.url,
      paymentsUrl: payments.url,
      shippingUrl: await closedPort(),
      rateLimitRps: 0,
      healthIntervalMs: 0,
    },
  );
  token = await key.sign({ sub: 'u-1', role: 'customer' });
});
afterAll(async () => {
  await gateway?.stop();
  for (const s of services ?? []) await s.close();
});

async function call(path: string, method = 'GET') {
  const res = await request(`${gateway.url}${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${token}` },
  });
  await res.body.dump();
  return { status: res.statusCode, traceId: String(res.headers['x-trace-id']) };
}

/** The route the request's SERVER span names, and whether the duration histogram counted it under that route. */
async function named(path: string, method = 'GET') {
  const { status, traceId } = await call(path, method);
  const [span] = spans.trace(traceId);
  const route = String(span.attributes['http.route']);
  const metrics = await gateway.registry.metrics();
  const counted = metrics
    .split('\n')
    .some(
      (l) =>
        l.startsWith('http_server_request_duration_seconds_count{') &&
        l.includes(`route="${route}"`) &&
        l.includes(`status="${status}"`),
    );
  return { status, route, name: span.name, counted };
}

describe('route names in spans and metrics', () => {
  it.each([
    ['/api/orders/ord_1', '/api/orders/:id'],
    ['/api/users/me', '/api/users/me'],
    ['/api/users/me/orders', '/api/users/me/orders'],
    ['/api/products/LAWN-001', '/api/products/:sku'],
    ['/api/orders', '/api/orders'],
    ['/api/orders/ord_3/not/an/api/route', '/api/orders/*'],
  ])('names GET %s %s in the span and the metric alike', async (path, route) => {
    expect(await named(path)).toEqual({ status: 200, route, name: `GET ${route}`, counted: true });
  });

  it("names an order's event stream apart from a read of the order", async () => {
    const controller = new AbortController();
    const res = await request(`${gateway.url}/api/orders/ord_2/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    await res.body[Symbol.asyncIterator]().next();
    controller.abort();
    const traceId = String(res.headers['x-trace-id']);
    await expect.poll(() => spans.trace(traceId)[0]?.attributes['http.route']).toBe('/api/orders/:id/events');
  });

  it('names a POST to the login route and a cancellation by their API routes', async () => {
    expect((await named('/api/auth/login', 'POST')).route).toBe('/api/auth/login');
    expect((await named('/api/orders/ord_4/cancel', 'POST')).route).toBe('/api/orders/:id/cancel');
  });

  it('names a path nothing routes the same in the span and the metric', async () => {
    const { status, route, counted } = await named('/nothing/here');
    expect(status).toBe(404);
    expect(counted).toBe(true);
    expect(route).toBe('unmatched');
  });

  it('puts no raw id in any metric label', async () => {
    expect(await gateway.registry.metrics()).not.toMatch(/ord_\d/);
  });
});

describe('the public /metrics', () => {
  it('shows no internal address, host name, URL, file path or secret, even with a replica ejected', async () => {
    // A refused connection ejects shipping's replica and counts a failure: every label set the gateway has is out.
    await call('/api/shipments/TRK-2');
    const res = await request(`${gateway.url}/metrics`);
    const text = await res.body.text();
    expect(text).toContain('gateway_upstream_healthy{service="shipping",replica="0"} 0');
    for (const leak of [/https?:\/\//, /127\.0\.0\.1/, /localhost/i, /\[::1?\]/, /0\.0\.0\.0/])
      expect(text).not.toMatch(leak);
    for (const s of services) expect(text).not.toContain(new URL(s.url).host);
    for (const secret of [process.cwd(), internalKey, token]) expect(text).not.toContain(secret);
  });
});

describe('logs at the default level', () => {
  it('logs one "gateway listening" line with the address in a field, and not Fastify\'s own', () => {
    expect(lines.filter((l) => l.msg === 'gateway listening')).toEqual([
      expect.objectContaining({ address: gateway.url }),
    ]);
    expect(lines.filter((l) => l.msg.startsWith('Server listening at'))).toEqual([]);
  });

  it('warns once for a request the gateway answers 5xx itself, with its trace, route and the upstream at fault', async () => {
    const before = lines.length;
    const { status, traceId } = await call('/api/shipments/TRK-1');
    expect(status).toBe(503);
    const logged = lines.slice(before).filter((l) => l.traceId === traceId);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'warn',
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        method: 'GET',
        route: '/api/shipments/:trackingNumber',
        upstream: 'shipping',
        reason: 'ECONNREFUSED',
      }),
    ]);
  });

  it('writes nothing for requests that a service answered', async () => {
    const before = lines.length;
    await call('/api/orders/ord_5');
    expect(lines.slice(before)).toEqual([]);
  });
});
