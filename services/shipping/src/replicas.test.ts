import { randomUUID } from 'node:crypto';
import { type Envelope, envelope, InProcessBroker } from '@bazaar/kit/messaging';
import { money } from '@bazaar/kit/server';
import { postgresOrSkip, scratchDatabases } from '@bazaar/kit/testing';
import type { OrderConfirmedData } from '@bazaar/orders/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShipmentStatusChangedData } from './contracts.ts';
import { start } from './main.ts';
import { advanceShipments } from './use-cases/advance-shipments.ts';

const server = await postgresOrSkip();
const key = 'test-key';
const stepMs = 40;
const road = ['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'];

const orderConfirmed = (orderId: string): Envelope<OrderConfirmedData> => {
  const now = new Date().toISOString();
  return envelope('orders', {
    type: 'OrderConfirmed',
    subject: orderId,
    data: {
      orderId,
      userId: 'usr_bilal',
      status: 'CONFIRMED',
      subtotal: money(100000),
      shippingFee: money(32500),
      total: money(132500),
      itemCount: 1,
      items: [{ sku: 'CHAI-1', name: 'Chai set', quantity: 1, unitPrice: money(100000) }],
      payment: { method: 'jazzcash' },
      shipping: { city: 'Islamabad', address: 'Street 5, F-7/2', phone: '03111234567' },
      placedAt: now,
      updatedAt: now,
    },
  });
};

async function eventually<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!server)('two shipping replicas on PostgreSQL', () => {
  const scratch = scratchDatabases(server!);
  // Not created here: both replicas create it as they start, at once.
  const database = scratch.reserve('bazaar_shipping_test');
  const broker = new InProcessBroker();
  const events: ShipmentStatusChangedData[] = [];
  let replicas: Awaited<ReturnType<typeof start>>[];

  const shipment = async (orderId: string) =>
    (
      await replicas[0].app.inject({
        url: `/internal/shipments/by-order/${orderId}`,
        headers: { 'x-internal-key': key },
      })
    ).json();
  const cancel = (replica: number, orderId: string) =>
    replicas[replica].app.inject({
      method: 'POST',
      url: `/internal/shipments/by-order/${orderId}/cancel`,
      headers: { 'x-internal-key': key },
    });
  const statusesOf = (orderId: string) =>
    events
      .filter((e) => e.orderId === orderId)
      .sort((a, b) => a.version - b.version)
      .map((e) => e.status);

  beforeAll(async () => {
    await broker.subscribe(
      'test',
      ['ShipmentStatusChanged'],
      async (e) => void events.push(e.data as ShipmentStatusChangedData),
    );
    const platform = { broker, internalKey: key, databaseUrl: server, databaseName: database, logLevel: 'silent' };
    replicas = await Promise.all([
      start(platform, { port: 0, courierStepMs: stepMs }),
      start(platform, { port: 0, courierStepMs: stepMs }),
    ]);
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await scratch.drop();
  });

  it('a cancel racing the courier pick-up has exactly one outcome: cancelled, or picked up and refused', async () => {
    const orders = Array.from({ length: 40 }, () => `ord_${randomUUID()}`);
    await Promise.all(orders.map((id) => broker.publish(orderConfirmed(id))));
    // Both replicas' couriers step everything at once while cancels arrive at both replicas.
    const [answers] = await Promise.all([
      Promise.all(orders.map((id, i) => cancel(i % 2, id))),
      advanceShipments(replicas[0].db, 0, 40),
      advanceShipments(replicas[1].db, 0, 40),
    ]);
    const finals = await eventually(
      () => Promise.all(orders.map(shipment)),
      (all) => all.every((s) => s.status === 'CANCELLED' || s.status === 'DELIVERED'),
    );
    await eventually(() => orders.every((id, i) => statusesOf(id).at(-1) === finals[i].status), Boolean);

    let cancelled = 0;
    orders.forEach((id, i) => {
      const answer = answers[i];
      const history = finals[i].history.map((h: { status: string }) => h.status);
      if (answer.statusCode === 200) {
        cancelled++;
        expect(history).toEqual(['CREATED', 'CANCELLED']);
      } else {
        expect(answer.json().code).toBe('NOT_CANCELLABLE');
        expect(history).toEqual(road);
      }
      expect(statusesOf(id)).toEqual(history); // one event per change, none twice
    });
    console.info(`cancel vs courier: ${cancelled} cancelled, ${orders.length - cancelled} refused after pick-up`);
  });

  it('a cancel racing a late OrderConfirmed leaves the order either unshipped or cancelled, never on the road', async () => {
    const orders = Array.from({ length: 30 }, () => `ord_${randomUUID()}`);
    const answers = await Promise.all(
      orders.map(async (id, i) => {
        // Staggered by a few milliseconds either way, so both sides of the race win some.
        const late = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const lag = i % 6;
        const [answer] = await Promise.all([
          late(i % 2 ? lag : 0).then(() => cancel(i % 2, id)),
          late(i % 2 ? 0 : lag).then(() => broker.publish(orderConfirmed(id))),
        ]);
        return answer;
      }),
    );
    await new Promise((r) => setTimeout(r, 4 * stepMs));
    let unshipped = 0;
    let refused = 0;
    for (const [i, id] of orders.entries()) {
      const s = await shipment(id);
      if (answers[i].statusCode === 409) {
        // Under load the courier may pick the new shipment up before the cancel is served: then it stays on the road.
        refused++;
        expect(answers[i].json().code).toBe('NOT_CANCELLABLE');
        expect(s.trackingNumber).not.toBeNull();
        expect(s.status).not.toBe('CANCELLED');
        expect(statusesOf(id)).not.toContain('CANCELLED');
        continue;
      }
      expect(answers[i].statusCode).toBe(200);
      expect(s.status).toBe('CANCELLED');
      if (s.trackingNumber === null) unshipped++;
      expect(statusesOf(id)).toEqual(s.trackingNumber === null ? [] : ['CREATED', 'CANCELLED']);
    }
    console.info(
      `cancel vs OrderConfirmed: ${unshipped} never shipped, ${orders.length - unshipped - refused} created then cancelled, ${refused} picked up first`,
    );
  });

  it('both replicas walk shipments to DELIVERED with each step taken once', async () => {
    const orders = Array.from({ length: 20 }, () => `ord_${randomUUID()}`);
    await Promise.all(orders.map((id) => broker.publish(orderConfirmed(id))));
    const finals = await eventually(
      () => Promise.all(orders.map(shipment)),
      (all) => all.every((s) => s.status === 'DELIVERED'),
    );
    await eventually(() => orders.every((id) => statusesOf(id).length === road.length), Boolean);
    for (const [i, id] of orders.entries()) {
      expect(finals[i].history.map((h: { status: string }) => h.status)).toEqual(road);
      expect(statusesOf(id)).toEqual(road);
      const times = finals[i].history.map((h: { at: string }) => Date.parse(h.at));
      for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(stepMs);
    }
  });
});
