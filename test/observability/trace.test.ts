// One order, one trace: placed through the gateway, its x-trace-id finds spans from the gateway, orders, inventory,
// payments (and its call to the JazzCash sandbox) and (after the OrderConfirmed event) shipping and users, each parented
// correctly, and the log lines of every one of those services. Embedded always; cluster mode over RabbitMQ and over
// NATS when PostgreSQL and the broker are reachable (skipped with the reason on a laptop, required on CI).
import { SERVICE_NAMES } from '@bazaar/cli/services';
import { brokerOrSkip, NATS_URL, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';
import { type Running, startCluster } from '../support/targets.ts';

type Span = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind: number;
  attributes: Record<string, unknown>;
  links?: { traceId: string; spanId: string }[];
};
type Line = { service?: string; traceId?: string; spanId?: string; requestId?: string; msg?: string; level?: string };

const SERVER = 1;
const CLIENT = 2;
const PRODUCER = 3;
const CONSUMER = 4;
const SERVICES = ['gateway', ...SERVICE_NAMES].sort();

const postgres = await postgresOrSkip();
const brokers = { RabbitMQ: RABBITMQ_URL, NATS: NATS_URL };

// Cluster mode gathers the saga's captures into CaptureMany too (ORDERS_BATCH_CAPTURES), embedded mode does not.
const targets: { name: string; start(): Promise<Running>; capture: string }[] = [
  {
    name: 'embedded',
    capture: 'Capture',
    // Debug level: services log each request, gRPC call and handled event; the lines go to the shared log store.
    start: () => startTestPlatform({ courierStepMs: 100, logSink: { write() {} }, logLevel: 'debug' }),
  },
];
for (const [name, url] of Object.entries(brokers)) {
  const broker = postgres ? await brokerOrSkip(url) : undefined;
  if (postgres && broker)
    targets.push({
      name: `cluster over ${name}`,
      capture: 'CaptureMany',
      start: () =>
        startCluster(postgres, broker, { LOG_LEVEL: 'debug', COURIER_STEP_MS: '100', ORDERS_BATCH_CAPTURES: 'true' }),
    });
}

/** Polls until check answers something, or fails with the last reason after the deadline. */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each(targets)('one trace across every service ($name)', ({ start, capture }) => {
  let running: Running;
  let admin: Shopper;
  let traceId: string;
  let requestId: string;
  let spans: Span[];
  let byId: Map<string, Span>;

  beforeAll(async () => {
    running = await start();
    const shopper = new Shopper(running.gatewayUrl);
    await shopper.signUp();
    const placed = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
      method: 'jazzcash',
      wallet: '03001234567',
    });
    expect(placed.status).toBe(201);
    traceId = placed.headers.get('x-trace-id')!;
    requestId = placed.headers.get('x-request-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // The shipment is made from the OrderConfirmed event; the order hears of its pick-up.
    await shopper.until(placed.body.id, (o) => Boolean(o.shipping?.trackingNumber));

    admin = new Shopper(running.gatewayUrl);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const trace = await eventually(async () => {
      const res = await admin.call('GET', `/api/ops/traces/${traceId}`);
      if (res.status !== 200) return undefined;
      const consumers = (res.body.spans as Span[]).filter((s) => s.kind === CONSUMER).map((s) => s.service);
      return consumers.includes('shipping') && consumers.includes('users') ? res.body : undefined;
    }, 'the shipping and users consumers to join the trace');
    expect(trace.missing).toEqual([]);
    spans = trace.spans;
    byId = new Map(spans.map((s) => [s.spanId, s]));
  }, 180_000);

  afterAll(async () => {
    await running?.stop();
  });

  const parentOf = (s: Span) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
  const ancestors = (s: Span) => {
    const chain: Span[] = [];
    for (let p = parentOf(s); p; p = parentOf(p)) chain.push(p);
    return chain;
  };

  it('holds spans of the gateway, orders, inventory, payments, shipping and users, under the x-trace-id', () => {
    expect([...new Set(spans.map((s) => s.service))].sort()).toEqual(expect.arrayContaining(SERVICES));
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    // HTTP in and out, gRPC in and out, SQL, and the broker.
    expect(spans.some((s) => s.attributes['db.query.text'] !== undefined)).toBe(true);
    expect(spans.some((s) => s.attributes['rpc.system'] === 'grpc')).toBe(true);
  });

  it('starts at the gateway’s server span, and every other span’s parent is in the trace', () => {
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ service: 'gateway', kind: SERVER, name: 'POST /api/orders' });
    const orphans = spans.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId));
    expect(orphans.map((s) => `${s.service} ${s.name}`)).toEqual([]);
  });

  it('has the orders server span under the gateway, and inventory and payments under orders’ gRPC calls', () => {
    // One order alone is its own batch: orders' ReserveMany and CommitMany (and CaptureMany when captures are
    // batched), and the callees' side, are in its trace.
    const ordersServer = spans.find(
      (s) => s.service === 'orders' && s.kind === SERVER && s.name === 'POST /api/orders',
    )!;
    expect(ordersServer).toBeDefined();
    expect(parentOf(ordersServer)?.service).toBe('gateway');
    expect([CLIENT, SERVER]).toContain(parentOf(ordersServer)?.kind);

    for (const [service, calls] of [
      ['inventory', ['ReserveMany', 'CommitMany']],
      ['payments', ['Authorize', capture]],
    ] as const) {
      const served = spans.filter((s) => s.service === service && s.kind === SERVER);
      expect(served.map((s) => s.name)).toEqual(expect.arrayContaining(calls.map((c) => `grpc ${c}`)));
      for (const s of served) {
        const caller = parentOf(s)!;
        expect(caller, `${service} ${s.name}`).toMatchObject({ service: 'orders', kind: CLIENT });
        expect(caller.name).toBe(`grpc ${service}/${s.name.replace('grpc ', '')}`);
        expect(ancestors(s)).toContain(ordersServer);
      }
    }
    // Payments' call to the provider (the JazzCash sandbox) is a client span under its Authorize.
    const provider = spans.find((s) => s.service === 'payments' && s.kind === CLIENT && s.name === 'POST jazzcash');
    expect(provider?.attributes['http.response.status_code']).toBe(200);
    expect(ancestors(provider!).map((s) => s.name)).toContain('grpc Authorize');
    const batch = spans.find((s) => s.service === 'orders' && s.name === 'inventory/Reserve batch');
    expect(batch?.attributes['batch.size']).toBe(1);
    expect(parentOf(batch!)?.name).toBe('inventory/Reserve');
  });

  it('shows, in the trace of an order whose Reserve rode in another order’s batch, that batch and inventory’s work for it', async () => {
    const shopper = new Shopper(running.gatewayUrl);
    await shopper.signUp();
    // Orders placed at once: a Reserve that arrives while batches are in flight waits and goes in the next one, whose
    // span sits in the trace of its first order. Up to three rounds, until one order was not first in its batch.
    let found: { trace: { linked: Span[] }; reserve: Span } | undefined;
    for (let round = 0; round < 3 && !found; round++) {
      const placed = await Promise.all(
        Array.from({ length: 8 }, () => shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' })),
      );
      for (const p of placed) {
        expect(p.status).toBe(201);
        const res = await admin.call('GET', `/api/ops/traces/${p.headers.get('x-trace-id')}`);
        const own = res.body.spans as Span[];
        const reserve = own.find((s) => s.service === 'orders' && s.name === 'inventory/Reserve');
        const batchHere = own.some((s) => s.name === 'inventory/Reserve batch');
        if (reserve && !batchHere) found = { trace: res.body, reserve };
      }
    }
    expect(found, 'an order whose Reserve went in a batch of another order').toBeDefined();
    const { trace, reserve } = found!;
    const batch = trace.linked.find((s) => s.name === 'inventory/Reserve batch')!;
    expect(batch.links).toContainEqual({ traceId: reserve.traceId, spanId: reserve.spanId });
    expect(batch.traceId).not.toBe(reserve.traceId);
    expect(Number(batch.attributes['batch.size'])).toBeGreaterThan(1);
    // Under the batch: orders' gRPC call and inventory's side of it, one transaction for the whole batch.
    const linkedById = new Map(trace.linked.map((s) => [s.spanId, s]));
    const served = trace.linked.find((s) => s.service === 'inventory' && s.name === 'grpc ReserveMany')!;
    expect(served).toBeDefined();
    let up: Span | undefined = served;
    while (up && up !== batch) up = up.parentSpanId ? linkedById.get(up.parentSpanId) : undefined;
    expect(up).toBe(batch);
  });

  it('continues the order’s trace in the shipping and users consumers, across the broker', () => {
    const root = spans.find((s) => !s.parentSpanId)!;
    const shipping = spans.find(
      (s) => s.service === 'shipping' && s.kind === CONSUMER && s.name === 'consume OrderConfirmed',
    );
    expect(shipping).toBeDefined();
    const users = spans.filter((s) => s.service === 'users' && s.kind === CONSUMER);
    expect(users.length).toBeGreaterThan(0);
    for (const consumer of [shipping!, ...users]) {
      const chain = ancestors(consumer);
      expect(chain.at(-1), `${consumer.service} ${consumer.name}`).toBe(root);
      // The event was written by orders inside the order's trace; the consumer's parent chain passes through it.
      expect(chain.some((s) => s.service === 'orders')).toBe(true);
    }
    // The consumer hangs under the relay's PRODUCER span of the publish, itself under the writing transaction.
    const publish = spans.find((s) => s.spanId === shipping!.parentSpanId);
    expect(publish).toMatchObject({ service: 'orders', kind: PRODUCER, name: 'publish OrderConfirmed' });
  });

  it('finds the log lines of every one of those services under the trace id', async () => {
    const lines = await eventually(async () => {
      const res = await admin.call('GET', `/api/ops/logs?traceId=${traceId}`);
      const items = (res.body?.items ?? []) as Line[];
      const services = new Set(items.map((l) => l.service));
      return SERVICES.every((s) => services.has(s)) ? items : undefined;
    }, 'log lines from every service');
    for (const line of lines) {
      expect(line.traceId).toBe(traceId);
      expect(line.spanId, `${line.service}: ${line.msg}`).toMatch(/^[0-9a-f]{16}$/);
    }
    // A consumer may log for a later event of this trace than the spans read above: read them again.
    const current = await eventually(async () => {
      const res = await admin.call('GET', `/api/ops/traces/${traceId}`);
      const ids = new Map(((res.body?.spans ?? []) as Span[]).map((s) => [s.spanId, s]));
      return lines.every((l) => ids.has(l.spanId!)) ? ids : undefined;
    }, 'the span of every log line');
    for (const line of lines) {
      // Written inside one of the trace's spans, of that service.
      expect(current.get(line.spanId!)?.service, `${line.service}: ${line.msg}`).toBe(line.service);
    }
    // The request's id goes along with it: the gateway's line and orders' carry the x-request-id the client got.
    const request = lines.filter((l) => l.msg === 'request completed' && ['gateway', 'orders'].includes(l.service!));
    expect(request.map((l) => l.service).sort()).toEqual(['gateway', 'orders']);
    for (const l of request) expect(l.requestId).toBe(requestId);
  });
});
