// Order event streams on two orders replicas sharing one PostgreSQL database: a change made through either replica
// wakes the streams of both (LISTEN/NOTIFY), an idle stream costs the database nothing, and a replica holds no more
// streams than ORDERS_MAX_STREAMS. Inventory, payments and shipping are played by a small server of their REST routes.
import { envelope, InProcessBroker } from '@bazaar/kit/messaging';
import { postgresOrSkip, scratchDatabases } from '@bazaar/kit/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_CHANNEL } from './data/history-signal.ts';
import { start } from './main.ts';

const server = await postgresOrSkip();
const key = 'test-key';
const customer = { 'x-internal-key': key, 'x-user-id': 'usr_zainab', 'x-user-role': 'customer' };
const pkr = (amount: number) => ({ amount, currency: 'PKR' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Replica = Awaited<ReturnType<typeof start>>;
type Event = { status: string; ms: number };

/** An open event stream: the statuses it has sent, each with when it came, and whether it has ended. */
async function openStream(replica: Replica, orderId: string) {
  const abort = new AbortController();
  const res = await fetch(`${replica.url}/api/orders/${orderId}/events`, { headers: customer, signal: abort.signal });
  const stream = { res, events: [] as Event[], ended: false, close: () => abort.abort() };
  if (res.status !== 200) return stream;
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!)
        for (const m of decoder.decode(chunk, { stream: true }).matchAll(/^data: (.*)$/gm))
          stream.events.push({ status: JSON.parse(m[1]).status, ms: Date.now() });
    } catch {} // aborted by close()
    stream.ended = true;
  })();
  return stream;
}

async function until(probe: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !probe(); await sleep(10)) if (Date.now() > end) throw new Error('gave up waiting');
}

describe.skipIf(!server)('order event streams on two replicas of one PostgreSQL database', () => {
  const scratch = scratchDatabases(server!);
  const database = scratch.reserve('bazaar_orders_streams');
  // A broker per replica: an event published to one is consumed by that replica alone.
  const brokers = [new InProcessBroker(), new InProcessBroker()];
  let fake: FastifyInstance;
  let replicas: Replica[];
  /** The history reads of each replica, by order id. */
  const historyReads: Map<string, number>[] = [new Map(), new Map()];

  beforeAll(async () => {
    fake = Fastify();
    fake.get('/internal/rates/:city', async (req) => ({
      city: (req.params as { city: string }).city,
      fee: pkr(25_000),
    }));
    fake.post('/internal/reservations', async (req) => ({
      lines: (req.body as { lines: { sku: string; quantity: number }[] }).lines.map((l) => ({
        ...l,
        name: `Product ${l.sku}`,
        unitPrice: pkr(100_000),
      })),
    }));
    fake.post('/internal/reservations/:id/commit', async () => ({ status: 'COMMITTED' }));
    fake.post('/internal/payments/authorize', async () => ({ status: 'AUTHORIZED', outcome: 'approved' }));
    fake.post('/internal/payments/:id/capture', async () => ({ status: 'CAPTURED' }));
    const url = await fake.listen({ port: 0, host: '127.0.0.1' });
    const upstreams = { port: 0, transport: 'rest' as const, inventoryUrl: url, paymentsUrl: url, shippingUrl: url };
    replicas = await Promise.all(
      brokers.map((broker, i) =>
        start(
          { broker, internalKey: key, databaseUrl: server, databaseName: database, logLevel: 'silent' },
          { ...upstreams, maxStreams: i === 1 ? 1 : 2000 },
        ),
      ),
    );
    for (const [i, replica] of replicas.entries()) {
      const query = replica.db.query;
      replica.db.query = (sql, params) => {
        if (/FROM order_history/.test(sql))
          historyReads[i].set(String(params?.[0]), (historyReads[i].get(String(params?.[0])) ?? 0) + 1);
        return query(sql, params);
      };
    }
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await fake?.close();
    await scratch.drop();
  });

  /** A confirmed cash-on-delivery order, placed through replica 0: not final, so its streams stay open. */
  const confirmedOrder = async (): Promise<string> => {
    const placed = await replicas[0].app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: customer,
      payload: {
        items: [{ sku: 'CHAI-001', quantity: 1 }],
        payment: { method: 'cod' },
        shipping: { city: 'Karachi', address: '7 Clifton Block 5', phone: '03001234567' },
      },
    });
    expect(placed.json()).toMatchObject({ status: 'CONFIRMED' });
    return placed.json().id;
  };
  const shipmentMoved = (orderId: string, status: string, version: number) =>
    envelope('shipping', {
      type: 'ShipmentStatusChanged',
      subject: orderId,
      data: { orderId, courier: 'TCS', trackingNumber: 'TRK-S1', status, version },
    });

  it('a stream on one replica sees a change made through the other at once, not at its resync interval', async () => {
    expect(replicas[0].config.streamResyncMs).toBe(15_000);
    const id = await confirmedOrder();
    const stream = await openStream(replicas[0], id);
    await until(() => stream.events.length === 2);

    const shippedAt = Date.now();
    await brokers[1].publish(shipmentMoved(id, 'PICKED_UP', 2));
    await until(() => stream.events.length === 3);
    const deliveredAt = Date.now();
    await brokers[1].publish(shipmentMoved(id, 'DELIVERED', 5));
    await until(() => stream.ended);

    expect(stream.events.map((e) => e.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    expect(stream.events[2].ms - shippedAt).toBeLessThan(2000);
    expect(stream.events[3].ms - deliveredAt).toBeLessThan(2000);
  });

  it('an idle stream on an order that is not final reads its history once, not again and again', async () => {
    const id = await confirmedOrder();
    await sleep(300); // the CONFIRMED notification of the placement has come and gone
    const stream = await openStream(replicas[0], id);
    await until(() => stream.events.length === 2);
    await sleep(3000);
    expect(stream.ended).toBe(false);
    expect(historyReads[0].get(id)).toBe(1);
    stream.close();
  });

  it('a stream woken by a lost listening connection reads its history once more, and hears changes after', async () => {
    const id = await confirmedOrder();
    await sleep(300);
    const stream = await openStream(replicas[0], id);
    await until(() => stream.events.length === 2);
    const [{ n }] = await replicas[1].db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = $1`,
      [`listen ${HISTORY_CHANNEL}`],
    );
    expect(n).toBe(2); // one listening connection per replica
    await until(() => historyReads[0].get(id) === 2);

    await brokers[1].publish(shipmentMoved(id, 'PICKED_UP', 2));
    await until(() => stream.events.length === 3, 2000);
    expect(stream.events[2].status).toBe('SHIPPED');
    stream.close();
  });

  it('over ORDERS_MAX_STREAMS, a replica answers 503 SERVICE_UNAVAILABLE with Retry-After, and takes one again once a stream ends', async () => {
    const id = await confirmedOrder();
    const first = await openStream(replicas[1], id);
    expect(first.res.status).toBe(200);

    const refused = await openStream(replicas[1], id);
    expect(refused.res.status).toBe(503);
    expect(refused.res.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.res.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    // The other replica has room of its own.
    const elsewhere = await openStream(replicas[0], id);
    expect(elsewhere.res.status).toBe(200);

    first.close();
    elsewhere.close();
    await sleep(100);
    const again = await openStream(replicas[1], id);
    expect(again.res.status).toBe(200);
    again.close();
  });
});
