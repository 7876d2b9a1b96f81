import { randomUUID } from 'node:crypto';
import { type Envelope, envelope, InProcessBroker } from '@bazaar/kit/messaging';
import { money } from '@bazaar/kit/server';
import type { OrderCancelledData, OrderConfirmedData } from '@bazaar/orders/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShipmentStatusChangedData } from './contracts.ts';
import { courierFor } from './domain/shipment.ts';
import { start } from './main.ts';

const key = 'test-key';
type Service = Awaited<ReturnType<typeof start>>;

/** A shipping service on PGlite in memory with its own broker, recording every ShipmentStatusChanged it publishes. */
async function shipping(courierStepMs: number) {
  const broker = new InProcessBroker();
  const events: Envelope<ShipmentStatusChangedData>[] = [];
  await broker.subscribe(
    'test',
    ['ShipmentStatusChanged'],
    async (e) => void events.push(e as Envelope<ShipmentStatusChangedData>),
  );
  const svc = await start(
    { broker, internalKey: key, dataRoot: 'memory://', logLevel: 'silent' },
    { port: 0, courierStepMs },
  );
  return { svc, broker, events, eventsOf: (orderId: string) => events.filter((e) => e.data.orderId === orderId) };
}

const orderConfirmed = (orderId: string, city = 'Karachi'): Envelope<OrderConfirmedData> => {
  const now = new Date().toISOString();
  return envelope('orders', {
    type: 'OrderConfirmed',
    subject: orderId,
    data: {
      orderId,
      userId: 'usr_ayesha',
      status: 'CONFIRMED',
      subtotal: money(299800),
      shippingFee: money(45000),
      total: money(344800),
      itemCount: 2,
      items: [{ sku: 'KURTA-1', name: 'Lawn kurta', quantity: 2, unitPrice: money(149900) }],
      payment: { method: 'cod' },
      shipping: { city, address: 'House 12, Block 7, Clifton', phone: '03001234567' },
      placedAt: now,
      updatedAt: now,
    },
  });
};

const orderCancelled = (orderId: string): Envelope<OrderCancelledData> => {
  const now = new Date().toISOString();
  const data = {
    orderId,
    userId: 'usr_ayesha',
    status: 'CANCELLED' as const,
    total: money(344800),
    itemCount: 2,
    payment: { method: 'cod' as const },
    placedAt: now,
    updatedAt: now,
  };
  return envelope('orders', { type: 'OrderCancelled', subject: orderId, data });
};

const get = (svc: Service, url: string, headers: Record<string, string> = {}) =>
  svc.app.inject({ url, headers: { 'x-internal-key': key, ...headers } });
const cancel = (svc: Service, orderId: string) =>
  svc.app.inject({
    method: 'POST',
    url: `/internal/shipments/by-order/${orderId}/cancel`,
    headers: { 'x-internal-key': key },
  });

async function eventually<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 150));
const newOrderId = () => `ord_${randomUUID()}`;

describe('shipments from order events (courier idle)', () => {
  let s: Awaited<ReturnType<typeof shipping>>;
  beforeAll(async () => {
    s = await shipping(3_600_000);
  });
  afterAll(() => s.svc.stop());

  it('when an order is confirmed, one shipment is created with the city courier, a tracking number and a CREATED event', async () => {
    const orderId = newOrderId();
    await s.broker.publish(orderConfirmed(orderId, '  karachi '));
    const shipment = (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json();
    expect(shipment).toMatchObject({
      orderId,
      userId: 'usr_ayesha',
      city: 'Karachi',
      status: 'CREATED',
      history: [{ status: 'CREATED' }],
    });
    expect(['TCS', 'Leopards', 'M&P', 'Trax', 'BlueEx']).toContain(shipment.courier);
    expect(shipment.courier).toBe(courierFor('Karachi').name); // however the customer typed the city
    expect(shipment.trackingNumber).toMatch(/^[A-Z]{3}\d{12}$/);

    const tracking = await get(s.svc, `/api/shipments/${shipment.trackingNumber.toLowerCase()}`);
    expect(tracking.statusCode).toBe(200);
    expect(tracking.json()).toEqual({
      trackingNumber: shipment.trackingNumber,
      courier: shipment.courier,
      city: 'Karachi',
      status: 'CREATED',
      history: shipment.history,
    });

    const events = await eventually(
      () => s.eventsOf(orderId),
      (e) => e.length > 0,
    );
    expect(events.map((e) => e.data)).toEqual([
      {
        trackingNumber: shipment.trackingNumber,
        orderId,
        userId: 'usr_ayesha',
        courier: shipment.courier,
        city: 'Karachi',
        status: 'CREATED',
        at: shipment.history[0].at,
        version: 1,
      },
    ]);
  });

  it('when the same OrderConfirmed is delivered twice, or a second one for the order arrives, there is still exactly one shipment', async () => {
    const orderId = newOrderId();
    const event = orderConfirmed(orderId, 'Lahore');
    await s.broker.publish(event);
    await s.broker.publish(event);
    await s.broker.publish(orderConfirmed(orderId, 'Quetta'));
    await settle();
    const shipment = (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json();
    expect(shipment).toMatchObject({ city: 'Lahore', status: 'CREATED' });
    expect(s.eventsOf(orderId).map((e) => e.data.status)).toEqual(['CREATED']);
    const all = (
      await get(s.svc, '/api/shipments?limit=100', { 'x-user-id': 'usr_admin', 'x-user-role': 'admin' })
    ).json();
    expect(all.items.filter((i: { orderId: string }) => i.orderId === orderId)).toHaveLength(1);
  });

  it('when the shipment is cancelled before pick-up, it becomes CANCELLED with an event, and cancelling again changes nothing', async () => {
    const orderId = newOrderId();
    await s.broker.publish(orderConfirmed(orderId));
    const first = await cancel(s.svc, orderId);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ orderId, cancelled: true });
    const again = await cancel(s.svc, orderId);
    expect(again.json()).toEqual({ orderId, cancelled: true });

    const shipment = (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json();
    expect(shipment.status).toBe('CANCELLED');
    expect(shipment.history.map((h: { status: string }) => h.status)).toEqual(['CREATED', 'CANCELLED']);
    const events = await eventually(
      () => s.eventsOf(orderId),
      (e) => e.length >= 2,
    );
    expect(events.map((e) => [e.data.status, e.data.version])).toEqual([
      ['CREATED', 1],
      ['CANCELLED', 2],
    ]);
  });

  it('when OrderCancelled arrives for a shipment not yet picked up, the shipment is cancelled', async () => {
    const orderId = newOrderId();
    await s.broker.publish(orderConfirmed(orderId));
    await s.broker.publish(orderCancelled(orderId));
    expect((await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json().status).toBe('CANCELLED');
    expect(
      (
        await eventually(
          () => s.eventsOf(orderId),
          (e) => e.length >= 2,
        )
      ).map((e) => e.data.status),
    ).toEqual(['CREATED', 'CANCELLED']);
  });

  it('when the order is cancelled before OrderConfirmed arrives, no shipment is ever dispatched', async () => {
    const orderId = newOrderId();
    expect((await cancel(s.svc, orderId)).json()).toEqual({ orderId, cancelled: true });
    await s.broker.publish(orderConfirmed(orderId));
    await settle();
    const record = (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json();
    expect(record).toMatchObject({ orderId, status: 'CANCELLED', trackingNumber: null, courier: null });
    expect(s.eventsOf(orderId)).toEqual([]);
    expect((await cancel(s.svc, orderId)).statusCode).toBe(200);
  });

  it('answers an unknown tracking number or order with NOT_FOUND', async () => {
    const tracking = await get(s.svc, '/api/shipments/TCS000000000000');
    expect(tracking.statusCode).toBe(404);
    expect(tracking.json().code).toBe('NOT_FOUND');
    expect((await get(s.svc, '/internal/shipments/by-order/ord_nope')).json().code).toBe('NOT_FOUND');
  });

  it('lists at least twenty city rates in PKR, Lahore the cheapest, and prices a city case-insensitively', async () => {
    const rates = await get(s.svc, '/api/shipping/rates');
    expect(rates.statusCode).toBe(200);
    const items: { city: string; fee: { amount: number; currency: string } }[] = rates.json().items;
    expect(items.length).toBeGreaterThanOrEqual(20);
    expect(items[0]).toEqual({ city: 'Lahore', fee: money(20000) });
    for (const city of [
      'Karachi',
      'Islamabad',
      'Rawalpindi',
      'Faisalabad',
      'Multan',
      'Peshawar',
      'Quetta',
      'Rahim Yar Khan',
    ])
      expect(items.map((i) => i.city)).toContain(city);
    for (const item of items) {
      expect(item.fee.currency).toBe('PKR');
      expect(item.fee.amount).toBeGreaterThanOrEqual(20000);
      expect(item.fee.amount).toBeLessThanOrEqual(45000);
    }

    const ryk = await get(s.svc, `/internal/rates/${encodeURIComponent('  rahim   yar KHAN ')}`);
    expect(ryk.json()).toEqual({ city: 'Rahim Yar Khan', fee: money(40000) });
    const unknown = await get(s.svc, '/internal/rates/Atlantis');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('UNKNOWN_CITY');
  });

  it('lets only admins list shipments, and refuses requests without the internal key', async () => {
    const customer = await get(s.svc, '/api/shipments', { 'x-user-id': 'usr_1', 'x-user-role': 'customer' });
    expect(customer.json().code).toBe('FORBIDDEN');
    const page = await get(s.svc, '/api/shipments?limit=2', { 'x-user-id': 'usr_admin', 'x-user-role': 'admin' });
    expect(page.json().items).toHaveLength(2);
    const next = await get(s.svc, `/api/shipments?limit=2&cursor=${page.json().nextCursor}`, {
      'x-user-id': 'usr_admin',
      'x-user-role': 'admin',
    });
    expect(next.json().items[0].orderId).not.toBe(page.json().items[1].orderId);
    expect((await s.svc.app.inject({ url: '/api/shipping/rates' })).statusCode).toBe(401);
    expect((await s.svc.app.inject({ method: 'POST', url: '/internal/shipments/by-order/x/cancel' })).statusCode).toBe(
      401,
    );
  });
});

describe('the courier simulator', () => {
  const stepMs = 30;
  let s: Awaited<ReturnType<typeof shipping>>;
  beforeAll(async () => {
    s = await shipping(stepMs);
  });
  afterAll(() => s.svc.stop());

  it('walks a shipment to DELIVERED one step at a time, with one ShipmentStatusChanged per step, in order', async () => {
    const orderId = newOrderId();
    await s.broker.publish(orderConfirmed(orderId, 'Peshawar'));
    const shipment = await eventually(
      async () => (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json(),
      (sh) => sh.status === 'DELIVERED',
    );
    const road = ['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'];
    expect(shipment.history.map((h: { status: string }) => h.status)).toEqual(road);
    const times = shipment.history.map((h: { at: string }) => Date.parse(h.at));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(stepMs);

    await settle();
    const events = s.eventsOf(orderId).map((e) => e.data);
    expect(events.map((e) => e.status)).toEqual(road);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((e) => e.at)).toEqual(shipment.history.map((h: { at: string }) => h.at));
  });

  it('when OrderCancelled comes before its OrderConfirmed, nothing is dispatched however long the courier runs', async () => {
    const orderId = newOrderId();
    const confirmed = orderConfirmed(orderId);
    await s.broker.publish(orderCancelled(orderId));
    await s.broker.publish(confirmed);
    await s.broker.publish(confirmed); // redelivered
    await new Promise((r) => setTimeout(r, stepMs * 10));
    const record = (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json();
    expect(record).toMatchObject({ status: 'CANCELLED', trackingNumber: null, history: [{ status: 'CANCELLED' }] });
    expect(s.eventsOf(orderId)).toEqual([]);
  });

  it('refuses to cancel a shipment once it is picked up, with NOT_CANCELLABLE', async () => {
    const orderId = newOrderId();
    await s.broker.publish(orderConfirmed(orderId));
    await eventually(
      async () => (await get(s.svc, `/internal/shipments/by-order/${orderId}`)).json().status,
      (status) => status !== 'CREATED',
    );
    const refused = await cancel(s.svc, orderId);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('NOT_CANCELLABLE');
    await settle();
    expect(s.eventsOf(orderId).map((e) => e.data.status)).not.toContain('CANCELLED');
  });
});
