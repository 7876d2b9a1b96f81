import { type AddressInfo, createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Gateway, start } from '../main.ts';
import {
  closedPort,
  type FakeService,
  fakeService,
  signingKey,
  type TestReplica,
  testReplica,
} from '../test-support.ts';

const internalKey = 'test-key';
const platform = { internalKey, logLevel: 'silent' };
const HEALTH_MS = 100;
let users: FakeService;
let down: string;
let ordersA: TestReplica;
let ordersB: TestReplica;
let gateway: Gateway;
let token: string;
let adminToken: string;

beforeAll(async () => {
  const key = await signingKey('k1');
  users = await fakeService('users', { internalKey, jwks: key.jwks });
  down = await closedPort();
  ordersA = await testReplica('orders-a');
  ordersB = await testReplica('orders-b');
  gateway = await startGateway(`${ordersA.url},${ordersB.url}`);
  token = await key.sign({ sub: 'u-1', role: 'customer' });
  adminToken = await key.sign({ sub: 'a-1', role: 'admin' });
});

afterAll(async () => {
  await gateway?.stop();
  for (const s of [users, ordersA, ordersB]) await s?.close();
});

beforeEach(async () => {
  for (const r of [ordersA, ordersB]) {
    await r.revive();
    Object.assign(r, { mode: 'answer', sick: false, delayMs: 0 });
  }
  await until(async () => (await healthy(gateway, ordersA)) && (await healthy(gateway, ordersB)));
  for (const r of [ordersA, ordersB]) r.seen.length = 0;
});

function startGateway(ordersUrl: string, overrides: Parameters<typeof start>[1] = {}) {
  return start(platform, {
    port: 0,
    usersUrl: users.url,
    inventoryUrl: down,
    ordersUrl,
    paymentsUrl: down,
    shippingUrl: down,
    rateLimitRps: 0,
    healthIntervalMs: HEALTH_MS,
    healthTimeoutMs: HEALTH_MS,
    ...overrides,
  });
}

type Order = { method?: 'GET' | 'POST'; idempotencyKey?: string; path?: string };
async function order(g: Gateway, { method = 'GET', idempotencyKey, path = '/api/orders' }: Order = {}) {
  const res = await request(`${g.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: method === 'POST' ? '{"items":[]}' : undefined,
  });
  const body = (await res.body.json()) as { replica?: string; code?: string };
  return { status: res.statusCode, body };
}

/** metric sums the samples whose line matches, or answers undefined when none does. */
async function metric(g: Gateway, line: RegExp): Promise<number | undefined> {
  const found = (await g.registry.metrics()).split('\n').filter((l) => line.test(l));
  return found.length === 0 ? undefined : found.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** healthy reads the replica's gauge, which names it by its position in the orders URL list. */
const healthy = async (g: Gateway, r: TestReplica) => {
  const at = g.upstreams.orders.replicas.findIndex((replica) => replica.url === r.url);
  return (await metric(g, new RegExp(`^gateway_upstream_healthy\\{.*service="orders".*replica="${at}"`))) === 1;
};

async function until(check: () => Promise<boolean> | boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** sendUntilSeenBy sends requests until one reaches `replica` first; answers that request's url and outcome. */
async function sendUntilSeenBy(replica: TestReplica, make: (n: number) => Order) {
  for (let n = 0; n < 20; n++) {
    const req = make(n);
    const url = `${req.path ?? '/api/orders'}`;
    const before = replica.seen.length;
    const outcome = await order(gateway, { ...req, path: url });
    if (replica.seen.slice(before).some((s) => s.url === url)) return { url, ...outcome };
    // The replica was ejected by the previous attempt: wait for the health check to take it back.
    await until(() => healthy(gateway, replica));
  }
  throw new Error(`no request reached ${replica.name}`);
}
const seenCount = (url: string) => [ordersA, ordersB].flatMap((r) => r.seen).filter((s) => s.url === url).length;

describe('load balancing over replicas', () => {
  it('spreads requests over the healthy replicas', async () => {
    for (let i = 0; i < 10; i++) expect((await order(gateway)).status).toBe(200);
    expect(ordersA.seen.length).toBe(5);
    expect(ordersB.seen.length).toBe(5);
  });

  it('prefers the replica with fewer requests in flight', async () => {
    ordersA.delayMs = 300;
    const slow = order(gateway, { path: '/api/orders?slow' });
    await until(() => ordersA.seen.length + ordersB.seen.length === 1);
    const slowOne = ordersA.seen.length === 1 ? ordersA : ordersB;
    const other = slowOne === ordersA ? ordersB : ordersA;
    for (let i = 0; i < 4; i++) await order(gateway, { path: '/api/orders?quick' });
    expect(slowOne.seen.filter((s) => s.url === '/api/orders?quick')).toHaveLength(0);
    expect(other.seen.filter((s) => s.url === '/api/orders?quick')).toHaveLength(4);
    await slow;
  });

  it('loses no request when a replica is killed under load, sends it nothing while down, and takes it back', async () => {
    ordersA.delayMs = 5;
    ordersB.delayMs = 5;
    const statuses: number[] = [];
    const replicaA = gateway.upstreams.orders.replicas[0];
    let inFlightAtKill = 0;
    // Mid-way, at a moment when requests are on their way to the replica, it dies.
    const killed = (async () => {
      while (statuses.length < 100 || replicaA.pending === 0) await new Promise((r) => setTimeout(r, 1));
      inFlightAtKill = replicaA.pending;
      await ordersA.kill();
    })();
    const shopper = async (s: number) => {
      for (let i = 0; i < 30 || (inFlightAtKill === 0 && i < 300); i++) {
        const req: Order = i % 3 === 0 ? { method: 'POST', idempotencyKey: `k-${s}-${i}` } : { method: 'GET' };
        statuses.push((await order(gateway, req)).status);
        // Shoppers out of step, so the replica is rarely idle.
        await new Promise((r) => setTimeout(r, Math.random() * 5));
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, s) => shopper(s)));
    await killed;
    expect(statuses.length).toBeGreaterThanOrEqual(300);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(ordersA.seen.length).toBeGreaterThan(10);
    expect(inFlightAtKill).toBeGreaterThan(0);

    expect(await healthy(gateway, ordersA)).toBe(false);
    const failures = await metric(gateway, /^gateway_upstream_failures_total\{.*upstream="orders"/);
    // Ejected at its first failure: only the requests already on their way to it ever failed there.
    expect(failures ?? 0).toBeLessThanOrEqual(20);
    const seenWhileDown = ordersB.seen.length;
    for (let i = 0; i < 10; i++) expect((await order(gateway)).status).toBe(200);
    expect(ordersB.seen.length - seenWhileDown).toBe(10);

    await ordersA.revive();
    await until(() => healthy(gateway, ordersA));
    ordersA.seen.length = 0;
    for (let i = 0; i < 10; i++) expect((await order(gateway)).status).toBe(200);
    expect(ordersA.seen.length).toBe(5);
  });

  it('ejects a replica whose health check fails, though it still listens, and takes it back when it passes', async () => {
    ordersA.sick = true;
    await until(async () => !(await healthy(gateway, ordersA)));
    for (let i = 0; i < 10; i++) expect((await order(gateway)).status).toBe(200);
    expect(ordersA.seen).toHaveLength(0);
    expect(ordersB.seen).toHaveLength(10);
    ordersA.sick = false;
    await until(() => healthy(gateway, ordersA));
    for (let i = 0; i < 10; i++) expect((await order(gateway)).status).toBe(200);
    expect(ordersA.seen).toHaveLength(5);
  });

  it('tries every replica anyway when none is healthy, and answers 503 only when none can be reached', async () => {
    ordersA.sick = true;
    ordersB.sick = true;
    await until(async () => !(await healthy(gateway, ordersA)) && !(await healthy(gateway, ordersB)));
    for (let i = 0; i < 4; i++) expect((await order(gateway)).status).toBe(200);
    await ordersA.kill();
    await ordersB.kill();
    const res = await order(gateway, { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('retries on another replica', () => {
  it('sends any request, a plain POST too, to the next replica when the connection is refused', async () => {
    const dead = await closedPort();
    // Health checks off and the dead replica first: the first attempt is sure to meet the refusal.
    const own = await startGateway(`${dead},${ordersB.url}`, { healthIntervalMs: 0 });
    try {
      const res = await order(own, { method: 'POST', path: '/api/orders?refused' });
      expect(res).toMatchObject({ status: 200, body: { replica: 'orders-b' } });
      expect(seenCount('/api/orders?refused')).toBe(1);
      expect(await metric(own, /^gateway_upstream_failures_total\{.*reason="ECONNREFUSED"/)).toBe(1);
      // The dead replica is first in the list: position 0.
      expect(await metric(own, /^gateway_upstream_healthy\{.*service="orders",replica="0"\}/)).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it('retries a GET whose connection broke before any answer', async () => {
    ordersA.mode = 'reset';
    const { url, status, body } = await sendUntilSeenBy(ordersA, (n) => ({ path: `/api/orders?get=${n}` }));
    expect(status).toBe(200);
    expect(body.replica).toBe('orders-b');
    expect(seenCount(url)).toBe(2);
  });

  it('retries a POST that carries an Idempotency-Key, with the same key', async () => {
    ordersA.mode = 'reset';
    const { url, status } = await sendUntilSeenBy(ordersA, (n) => ({
      method: 'POST',
      idempotencyKey: `key-${n}`,
      path: `/api/orders?keyed=${n}`,
    }));
    expect(status).toBe(200);
    const attempts = [ordersA, ordersB].flatMap((r) => r.seen).filter((s) => s.url === url);
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((s) => s.idempotencyKey)).size).toBe(1);
  });

  it('never repeats a plain POST that reached a replica: 502 BAD_GATEWAY, and the service saw it once', async () => {
    ordersA.mode = 'reset';
    const { url, status, body } = await sendUntilSeenBy(ordersA, (n) => ({
      method: 'POST',
      path: `/api/orders?plain=${n}`,
    }));
    expect(status).toBe(502);
    expect(body.code).toBe('BAD_GATEWAY');
    expect(seenCount(url)).toBe(1);
  });

  it('passes over a replica that is shutting down (503 with Connection: close) for idempotent requests only', async () => {
    ordersA.mode = 'closing';
    const get = await sendUntilSeenBy(ordersA, (n) => ({ path: `/api/orders?closing-get=${n}` }));
    expect(get).toMatchObject({ status: 200, body: { replica: 'orders-b' } });
    const post = await sendUntilSeenBy(ordersA, (n) => ({ method: 'POST', path: `/api/orders?closing-post=${n}` }));
    expect(post.status).toBe(503);
    expect(post.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(seenCount(post.url)).toBe(1);
  });

  it('passes an idempotent request over a replica with no room (a 503 that keeps its connection), keeping it in use', async () => {
    ordersA.mode = 'full';
    const get = await sendUntilSeenBy(ordersA, (n) => ({ path: `/api/orders?full-get=${n}` }));
    expect(get).toMatchObject({ status: 200, body: { replica: 'orders-b' } });
    expect(await healthy(gateway, ordersA)).toBe(true); // full is not down: the next request may find room there
    const post = await sendUntilSeenBy(ordersA, (n) => ({ method: 'POST', path: `/api/orders?full-post=${n}` }));
    expect(post.status).toBe(503);
    expect(seenCount(post.url)).toBe(1);
    ordersB.mode = 'full';
    const both = await order(gateway, { path: '/api/orders?full-both' });
    expect(both.status).toBe(503); // every replica full: the last one's answer, as it gave it
    expect(both.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(seenCount('/api/orders?full-both')).toBe(2);
  });

  it('answers 502 BAD_GATEWAY for an answer it cannot pass on (a header value node refuses to write)', async () => {
    const bad = createServer((socket) => {
      socket.on('data', () =>
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-odd: a\u0001b\r\n\r\nok', 'latin1'),
      );
      socket.on('error', () => {});
    });
    await new Promise<void>((done) => bad.listen(0, '127.0.0.1', done));
    const own = await startGateway(`http://127.0.0.1:${(bad.address() as AddressInfo).port}`, {
      healthIntervalMs: 0,
    });
    try {
      const res = await order(own, { path: '/api/orders?odd-header' });
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('BAD_GATEWAY');
    } finally {
      await own.stop();
      bad.close();
    }
  });

  it('never repeats a keyed POST to a route that does not honour the key: a stock adjustment is applied once', async () => {
    ordersA.mode = 'reset';
    // Inventory's replicas, the breaking one first and no health checks: the first attempt is sure to meet the reset.
    const own = await startGateway(down, { inventoryUrl: `${ordersA.url},${ordersB.url}`, healthIntervalMs: 0 });
    try {
      const url = '/api/inventory/LAWN-001/adjustments';
      const res = await request(`${own.url}${url}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
          'idempotency-key': 'k-1',
        },
        body: '{"delta":-5,"reason":"breakage"}',
      });
      expect([res.statusCode, ((await res.body.json()) as { code: string }).code]).toEqual([502, 'BAD_GATEWAY']);
      expect(seenCount(url)).toBe(1);
    } finally {
      await own.stop();
    }
  });

  it('tries each replica at most once: when every one breaks, the GET gets 502 after two attempts', async () => {
    ordersA.mode = 'reset';
    ordersB.mode = 'reset';
    const res = await order(gateway, { path: '/api/orders?all-broken' });
    expect(res.status).toBe(502);
    expect(seenCount('/api/orders?all-broken')).toBe(2);
  });
});
