// The orders service through its HTTP surface, on a real database, with inventory, payments and shipping played by a
// small server of their internal REST routes (INTERNAL_TRANSPORT=rest). Log lines are captured at the default level.
import { type Envelope, envelope, InProcessBroker } from '@bazaar/kit/messaging';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { start } from './main.ts';

const key = 'test-key';
const customer = { 'x-internal-key': key, 'x-user-id': 'usr_ayesha', 'x-user-role': 'customer' };
const pkr = (amount: number) => ({ amount, currency: 'PKR' });
type Line = { level: string; msg: string; traceId?: string; [field: string]: unknown };

/** What the other services answer; `shipping` is how the shipping service behaves right now. */
const upstream = {
  shipping: 'up' as 'up' | 'failing' | 'unreachable',
  /**
   * How shipping answers a cancel: the parcel called back, picked up already, or a 503 (the answer lost); `event-first`
   * calls it back with its ShipmentStatusChanged delivered before the answer, as the in-process broker may.
   */
  callBack: 'yes' as 'yes' | 'picked-up' | 'failing' | 'event-first',
};
const broker = new InProcessBroker();
const lines: Line[] = [];
/** The bodies payments was asked to authorise, in order. */
const authorized: { orderId: string; wallet?: string; cnic?: string }[] = [];
/** The trace id of each authorisation payments was asked for, by order, in order. */
const authorizeTraces = new Map<string, string[]>();
/** The x-request-id of each authorisation payments was asked for, by order, in order. */
const authorizeRequests = new Map<string, string[]>();
const walletOf = (orderId: string) => authorized.find((a) => a.orderId === orderId)?.wallet;
/** Order ids whose reservation was released, in order. */
const released: string[] = [];
/** What inventory and payments saw of orders paid with 03000000009, in order. */
const calls: string[] = [];
/** 03000000009: inventory takes its time, so a payments call that waited for it would come after. */
async function slowInventory(call: string, orderId: string): Promise<void> {
  if (walletOf(orderId) !== '03000000009') return;
  calls.push(`${call} ${orderId} began`);
  await new Promise((r) => setTimeout(r, 200));
  calls.push(`${call} ${orderId} ended`);
}
/** Orders whose first authorisation payments answered 503 (wallet 03000000007): the saga retried it later. */
const failedOnce = new Set<string>();
let fake: FastifyInstance;
let svc: Awaited<ReturnType<typeof start>>;

/** 03000000011: payments holds the refund until this resolves, as a payments process that stopped answering would. */
let refundsHeld: Promise<void> = Promise.resolve();
/** 03000000012: payments holds the authorisation until this resolves, so the order is answered 202 PENDING. */
let authorizationsHeld: Promise<void> = Promise.resolve();
/** Orders whose void payments refused as captured (wallet 03000000001). */
const refundedAfterVoid: string[] = [];

/** Wallets as the payment sandboxes treat them: 03000000002 declined, 03000000005 and 03000000001 unavailable. */
const authorizeOutcome = (wallet?: string) =>
  wallet === '03000000002'
    ? { status: 'DECLINED', outcome: 'declined' }
    : wallet === '03000000005' || wallet === '03000000001'
      ? { status: 'FAILED', outcome: 'unavailable' }
      : { status: 'AUTHORIZED', outcome: 'approved', reference: 'ref-1' };

beforeAll(async () => {
  fake = Fastify();
  fake.post('/internal/reservations', async (req) => ({
    lines: (req.body as { lines: { sku: string; quantity: number }[] }).lines.map((l) => ({
      ...l,
      name: `Product ${l.sku}`,
      unitPrice: pkr(100_000),
    })),
  }));
  fake.post('/internal/reservations/:id/commit', async (req) => {
    await slowInventory('commit', (req.params as { id: string }).id);
    return { status: 'COMMITTED' };
  });
  fake.post('/internal/reservations/:id/release', async (req) => {
    const { id } = req.params as { id: string };
    released.push(id);
    await slowInventory('release', id);
    return { status: 'RELEASED' };
  });
  fake.post('/internal/payments/authorize', async (req, reply) => {
    const body = req.body as { orderId: string; wallet?: string; cnic?: string };
    const { wallet } = body;
    authorized.push(body);
    const traceId = String(req.headers.traceparent).split('-')[1];
    authorizeTraces.set(body.orderId, [...(authorizeTraces.get(body.orderId) ?? []), traceId]);
    const requestId = String(req.headers['x-request-id']);
    authorizeRequests.set(body.orderId, [...(authorizeRequests.get(body.orderId) ?? []), requestId]);
    if (wallet === '03000000012') await authorizationsHeld;
    // 03000000006: payments refuses the request itself, as it would one it cannot validate.
    if (wallet === '03000000006') return reply.code(400).send({ code: 'VALIDATION_FAILED', status: 400 });
    // 03000000010: payments is down for this order's authorisation every time; the saga keeps retrying it.
    if (wallet === '03000000010') return reply.code(503).send({ code: 'NOT_READY', status: 503 });
    // 03000000007: payments fails once (a transient error), so the saga's recovery sends the authorisation again.
    if (wallet === '03000000007' && !failedOnce.has(body.orderId)) {
      failedOnce.add(body.orderId);
      return reply.code(503).send({ code: 'NOT_READY', status: 503 });
    }
    return authorizeOutcome(wallet);
  });
  fake.post('/internal/payments/:id/capture', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (walletOf(id) === '03000000009') calls.push(`capture ${id}`);
    // 03000000008: payments refuses the capture (the authorisation is no longer good).
    if (walletOf(id) === '03000000008') return reply.code(409).send({ code: 'PAYMENT_NOT_CAPTURABLE', status: 409 });
    return { status: 'CAPTURED' };
  });
  fake.post('/internal/payments/:id/void', async (req, reply) => {
    const { id } = req.params as { id: string };
    // 03000000001: captured already (the capture went through, its answer lost), so payments refuses the void.
    if (walletOf(id) === '03000000001') {
      refundedAfterVoid.push(id);
      return reply.code(409).send({ code: 'PAYMENT_ALREADY_CAPTURED', status: 409 });
    }
    return { status: 'VOIDED' };
  });
  fake.post('/internal/payments/:id/refund', async (req) => {
    const { id } = req.params as { id: string };
    if (walletOf(id) === '03000000009') calls.push(`refund ${id}`);
    if (walletOf(id) === '03000000011') await refundsHeld;
    return { status: 'REFUNDED' };
  });
  fake.get('/internal/rates/:city', async (req, reply) => {
    if (upstream.shipping === 'unreachable') return req.raw.socket.destroy();
    if (upstream.shipping === 'failing') return reply.code(503).send({ code: 'NOT_READY' });
    return { city: (req.params as { city: string }).city, fee: pkr(25_000) };
  });
  fake.post('/internal/shipments/by-order/:id/cancel', async (req, reply) => {
    if (upstream.callBack === 'failing') return reply.code(503).send({ code: 'NOT_READY', status: 503 });
    if (upstream.callBack === 'picked-up') return reply.code(409).send({ code: 'NOT_CANCELLABLE', status: 409 });
    const { id } = req.params as { id: string };
    if (upstream.callBack === 'event-first') await broker.publish(shipmentCancelled(id));
    return { orderId: id, cancelled: true };
  });
  const url = await fake.listen({ port: 0, host: '127.0.0.1' });

  svc = await start(
    {
      broker,
      internalKey: key,
      dataRoot: 'memory://',
      logSink: { write: (line) => lines.push(JSON.parse(line)) },
    },
    { port: 0, transport: 'rest', inventoryUrl: url, paymentsUrl: url, shippingUrl: url },
  );
});
afterAll(async () => {
  await svc?.stop();
  await fake?.close();
});

const shipmentCancelled = (orderId: string) =>
  envelope('shipping', {
    type: 'ShipmentStatusChanged',
    subject: orderId,
    data: { orderId, courier: 'TCS', trackingNumber: 'TRK-C', status: 'CANCELLED', version: 2 },
  });

const order = (wallet: string, city = 'Lahore') => ({
  items: [{ sku: 'TEA-001', quantity: 2 }],
  payment: { method: 'jazzcash', wallet },
  shipping: { city, address: '12 Mall Road', phone: '03001234567' },
});
const place = (wallet: string, city?: string) =>
  svc.app.inject({ method: 'POST', url: '/api/orders', payload: order(wallet, city), headers: customer });
/** CNIC: the last six digits of a customer's national identity card number, which no log line may show. */
const CNIC = '345678';
const placeWith = (payment: Record<string, unknown>) =>
  svc.app.inject({ method: 'POST', url: '/api/orders', payload: { ...order(''), payment }, headers: customer });
const linesOf = (orderId: string) => lines.filter((l) => l.orderId === orderId);
/** The order as its owner reads it once its payment is REFUNDED (a saga run by the sweep), or when ms have passed. */
async function untilRefunded(id: string, ms = 5000) {
  const read = async () => (await svc.app.inject({ url: `/api/orders/${id}`, headers: customer })).json();
  let order = await read();
  for (const end = Date.now() + ms; order.payment.status !== 'REFUNDED' && Date.now() < end; order = await read())
    await new Promise((r) => setTimeout(r, 100));
  return order;
}
const sagaStep = async (orderId: string) =>
  (await svc.db.query<{ step: string }>('SELECT step FROM sagas WHERE order_id = $1', [orderId]))[0].step;
const countOrders = async () => (await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders'))[0].n;

describe('what an operator reads in the logs at the default level', () => {
  it('a confirmed order logs that it was placed and confirmed, once each, under the request trace', async () => {
    const placed = await place('03001234567');
    expect(placed.statusCode).toBe(201);
    const { id } = placed.json();
    const traceId = placed.headers['x-trace-id'];
    expect(linesOf(id).map((l) => [l.level, l.msg])).toEqual([
      ['info', 'order placed'],
      ['info', 'order confirmed'],
    ]);
    for (const line of linesOf(id)) expect(line.traceId).toBe(traceId);
    expect(linesOf(id)[1]).toMatchObject({ total: 225_000, method: 'jazzcash', service: 'orders' });
  });

  it('a declined payment logs the compensation and the rejection with its reason', async () => {
    const placed = await place('03000000002');
    expect(placed.json()).toMatchObject({ code: 'PAYMENT_DECLINED' });
    const { orderId } = placed.json();
    expect(linesOf(orderId).map((l) => [l.level, l.msg, l.reason])).toEqual([
      ['info', 'order placed', undefined],
      ['info', 'saga compensated', 'PAYMENT_DECLINED'],
      ['info', 'order rejected', 'PAYMENT_DECLINED'],
    ]);
    for (const line of linesOf(orderId)) expect(line.traceId).toBe(placed.headers['x-trace-id']);
  });

  it('an order rejected because payments is unavailable is a warning', async () => {
    const placed = await place('03000000005');
    expect(placed.json()).toMatchObject({ code: 'PAYMENT_UNAVAILABLE' });
    const rejected = linesOf(placed.json().orderId).find((l) => l.msg === 'order rejected');
    expect(rejected).toMatchObject({ level: 'warn', reason: 'PAYMENT_UNAVAILABLE' });
  });

  it('an authorisation payments refuses as invalid rejects the order at once, logged as an error', async () => {
    const placed = await place('03000000006');
    expect(placed.statusCode).toBe(402);
    expect(placed.json()).toMatchObject({ code: 'PAYMENT_UNAVAILABLE' });
    const refused = linesOf(placed.json().orderId).find((l) => l.msg === 'payment request refused');
    expect(refused).toMatchObject({ level: 'error', code: 'VALIDATION_FAILED', status: 400 });
  });

  it('a cancellation logs the order cancelled and the stock and payment given back', async () => {
    const { id } = (await place('03001234567')).json();
    const cancelled = await svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED' });
    expect(linesOf(id).map((l) => [l.msg, l.step])).toEqual([
      ['order placed', undefined],
      ['order confirmed', undefined],
      ['order cancelled', undefined],
      ['saga compensated', 'CANCEL'],
    ]);
  });

  it('a JazzCash order with a CNIC logs that it was placed and confirmed, as any other', async () => {
    const placed = await placeWith({ method: 'jazzcash', wallet: '03001234567', cnic: CNIC });
    expect(placed.statusCode).toBe(201);
    expect(linesOf(placed.json().id).map((l) => l.msg)).toEqual(['order placed', 'order confirmed']);
  });

  it('logs nothing about the password, wallet, address or CNIC of a customer', () => {
    const text = JSON.stringify(lines);
    expect(text).not.toContain('03001234567');
    expect(text).not.toContain('Mall Road');
    expect(text).not.toContain(CNIC);
  });
});

describe('confirming and cancelling an order', () => {
  it('commits the stock and captures the payment at the same time, not one after the other', async () => {
    const placed = await place('03000000009');
    expect(placed.statusCode).toBe(201);
    const { id } = placed.json();
    expect(calls).toEqual([`commit ${id} began`, `capture ${id}`, `commit ${id} ended`]);
  });

  it('once cancelled, puts the goods back and refunds at the same time', async () => {
    const { id } = (await place('03000000009')).json();
    calls.length = 0;
    const cancelled = await svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    expect(calls).toEqual([`release ${id} began`, `refund ${id}`, `release ${id} ended`]);
  });

  it('a cancel shipping does not answer is kept: 503, then the saga asks again and the order ends CANCELLED', async () => {
    const { id } = (await place('03001234567')).json();
    const cancel = () => svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
    upstream.callBack = 'failing';
    try {
      const first = await cancel();
      expect([first.statusCode, first.json().code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      expect(await sagaStep(id)).toBe('CANCEL_ASKED');
      // A dependency down is a warning for the operator, not an error of ours.
      expect(lines.filter((l) => l.level === 'error' && JSON.stringify(l).includes(id))).toEqual([]);
    } finally {
      upstream.callBack = 'yes';
    }
    const read = await untilRefunded(id, 8000);
    expect(read).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    expect(released).toContain(id);
  });

  it('a cancel whose refund payments holds up answers CANCELLED within the sync window, and the refund follows', async () => {
    const { id } = (await place('03000000011')).json();
    let resume = () => {};
    refundsHeld = new Promise((r) => {
      resume = r;
    });
    try {
      const started = Date.now();
      const cancelled = await svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
      expect([cancelled.statusCode, cancelled.json().status]).toEqual([200, 'CANCELLED']);
      expect(cancelled.json().payment.status).not.toBe('REFUNDED');
      // At the close of the 3 s sync window, not when the call to payments gives up (8.5 s here, 10 s over gRPC, when
      // the gateway has given up on the request already).
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      resume();
    }
    expect(await untilRefunded(id)).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
  }, 20_000);

  it('a cancel still asked of shipping for an order cancelled meanwhile goes on to give the goods and money back', async () => {
    // As when a repeated cancel had overwritten the CANCEL step another cancellation wrote: the sweep finds it.
    const { id } = (await place('03001234567')).json();
    await svc.db.query("UPDATE orders SET status = 'CANCELLED' WHERE id = $1", [id]);
    await svc.db.query(
      "UPDATE sagas SET step = 'CANCEL_ASKED', next_attempt_at = now(), lease_until = NULL WHERE order_id = $1",
      [id],
    );
    const read = await untilRefunded(id);
    expect(read).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    expect(released).toContain(id);
    expect(await sagaStep(id)).toBe('DONE');
  });

  it("a cancel whose shipment event arrives before shipping's answer is the customer's, undone at once", async () => {
    // The event's consumer used to take the cancellation over ('shipment cancelled'), leaving the undo to the sweep.
    const { id } = (await place('03001234567')).json();
    upstream.callBack = 'event-first';
    try {
      const cancelled = await svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
      expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    } finally {
      upstream.callBack = 'yes';
    }
    const history = await svc.app.inject({ url: `/api/orders/${id}/events`, headers: customer });
    expect(history.body).toContain('"detail":"cancelled by customer"');
    expect(linesOf(id).map((l) => l.msg)).toContain('order cancelled');
  });

  it('a cancel after pick-up is 409 NOT_CANCELLABLE and leaves the order and its saga as they were', async () => {
    const { id } = (await place('03001234567')).json();
    upstream.callBack = 'picked-up';
    try {
      const refused = await svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
      expect([refused.statusCode, refused.json().code]).toEqual([409, 'NOT_CANCELLABLE']);
    } finally {
      upstream.callBack = 'yes';
    }
    const read = await svc.app.inject({ url: `/api/orders/${id}`, headers: customer });
    expect(read.json()).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CAPTURED' } });
    expect(await sagaStep(id)).toBe('DONE');
    expect(released).not.toContain(id);
  });

  it('a capture payments refuses rejects the order with PAYMENT_FAILED and gives its stock back', async () => {
    const placed = await place('03000000008');
    expect(placed.statusCode).toBe(402);
    const { orderId } = placed.json();
    expect(placed.json()).toMatchObject({ code: 'PAYMENT_FAILED', orderId });
    expect(released).toContain(orderId);
    const read = await svc.app.inject({ url: `/api/orders/${orderId}`, headers: customer });
    expect(read.json()).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_FAILED' });
  });

  it('compensating a payment that payments says was captured refunds it, and the order ends REJECTED', async () => {
    const placed = await place('03000000001');
    expect(placed.statusCode).toBe(402);
    const { orderId } = placed.json();
    expect(refundedAfterVoid).toEqual([orderId]);
    expect(released).toContain(orderId);
    const read = await svc.app.inject({ url: `/api/orders/${orderId}`, headers: customer });
    expect(read.json()).toMatchObject({ status: 'REJECTED', payment: { status: 'REFUNDED' } });
    expect(await sagaStep(orderId)).toBe('DONE');
  });
});

describe('listing orders', () => {
  const admin = { ...customer, 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
  const list = async (query: string, headers = admin) => {
    const res = await svc.app.inject({ url: `/api/orders?${query}`, headers });
    return { status: res.statusCode, body: res.json() };
  };

  it('with ?status=, answers only the orders in that status, newest first and paged', async () => {
    const confirmed = (await place('03001234567')).json().id;
    const rejected = [(await place('03000000002')).json().orderId, (await place('03000000002')).json().orderId];
    const first = await list('status=REJECTED&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items.map((o: { id: string }) => o.id)).toEqual([rejected[1]]);
    const second = await list(`status=REJECTED&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((o: { id: string }) => o.id)).toEqual([rejected[0]]);
    const all = await list('status=REJECTED&limit=100');
    expect(all.body.items.every((o: { status: string }) => o.status === 'REJECTED')).toBe(true);
    expect(all.body.items.map((o: { id: string }) => o.id)).not.toContain(confirmed);
    // A customer's filter stays within their own orders.
    const own = await list('status=CONFIRMED&limit=100', customer);
    expect(own.body.items.map((o: { id: string }) => o.id)).toContain(confirmed);
    expect(own.body.items.every((o: { userId: string }) => o.userId === 'usr_ayesha')).toBe(true);
  });

  it('refuses a status that does not exist with 400 VALIDATION_FAILED', async () => {
    const res = await list('status=LOST');
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('documents ?status= in /openapi.json with the statuses it takes', async () => {
    const doc = (await svc.app.inject({ url: '/openapi.json', headers: admin })).json();
    const params: { name: string }[] = doc.paths['/api/orders'].get.parameters;
    expect(params.find((p) => p.name === 'status')).toMatchObject({
      in: 'query',
      required: false,
      schema: { enum: ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] },
    });
  });
});

describe('when shipping is down', () => {
  it.each([
    ['answers 5xx', 'failing'],
    ['cannot be reached', 'unreachable'],
  ] as const)('and %s, placing an order is 503 SERVICE_UNAVAILABLE and writes no order', async (_, state) => {
    const before = await countOrders();
    upstream.shipping = state;
    try {
      const placed = await place('03001234567', `Town ${state}`);
      expect(placed.statusCode).toBe(503);
      expect(placed.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(placed.headers['content-type']).toContain('application/problem+json');
    } finally {
      upstream.shipping = 'up';
    }
    expect(await countOrders()).toBe(before);
  });
});

describe('events', () => {
  it('are consumed through the kit: counted and measured, wallet captures turned away without an inbox row', async () => {
    const { id } = (await place('03001234567')).json();
    const inboxRows = async () => (await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox'))[0].n;
    const rowsBefore = await inboxRows();
    /** The value of the first sample of the registry's that matches, 0 if none does yet. */
    const sample = async (pattern: RegExp) =>
      Number(new RegExp(`${pattern.source} (\\d+)`).exec(await svc.registry.metrics())?.[1] ?? 0);
    const handled = /events_consumed_total\{[^}]*type="ShipmentStatusChanged",outcome="handled"[^}]*\}/;
    const declined = /events_consumed_total\{[^}]*type="PaymentCaptured",outcome="declined"[^}]*\}/;
    const lag = /event_consumer_lag_seconds_count\{[^}]*type="ShipmentStatusChanged"[^}]*\}/;
    const before = [await sample(handled), await sample(declined), await sample(lag)];
    await broker.publish(
      envelope('shipping', {
        type: 'ShipmentStatusChanged',
        subject: id,
        data: { orderId: id, courier: 'TCS', trackingNumber: 'TRK-1', status: 'PICKED_UP', version: 2 },
      }),
    );
    await broker.publish(
      envelope('payments', { type: 'PaymentCaptured', subject: id, data: { orderId: id, method: 'jazzcash' } }),
    );
    const read = await svc.app.inject({ url: `/api/orders/${id}`, headers: customer });
    expect(read.json()).toMatchObject({ status: 'SHIPPED', shipping: { trackingNumber: 'TRK-1' } });
    expect(await inboxRows()).toBe(rowsBefore + 1);
    const after = [await sample(handled), await sample(declined), await sample(lag)];
    expect(after).toEqual(before.map((n) => n + 1));
  });

  it("answers a HEAD of an order's event stream at once with the stream's headers, though the order is not final", async () => {
    const { id, status } = (await place('03001234567')).json();
    expect(status).toBe('CONFIRMED');
    const res = await svc.app.inject({ method: 'HEAD', url: `/api/orders/${id}/events`, headers: customer });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.body).toBe('');
  });

  it('resumes an event stream after its Last-Event-ID, and answers 204 once nothing can follow a final state', async () => {
    const { orderId } = (await place('03000000002')).json(); // declined: REJECTED, a final state
    const url = `/api/orders/${orderId}/events`;
    const events = (body: string) => [...body.matchAll(/^id: (\d+)\ndata: (.*)$/gm)].map((m) => [m[1], m[2]]);
    const whole = events((await svc.app.inject({ url, headers: customer })).body);
    expect(whole.map(([, data]) => JSON.parse(data).status)).toEqual(['PENDING', 'REJECTED']);
    const [[first], [last]] = whole;
    const resumed = await svc.app.inject({ url, headers: { ...customer, 'last-event-id': first } });
    expect(resumed.statusCode).toBe(200);
    expect(events(resumed.body)).toEqual([whole[1]]);
    // An EventSource reconnects whenever a stream ends; a 204 is what tells it to stop.
    const ended = await svc.app.inject({ url, headers: { ...customer, 'last-event-id': last } });
    expect([ended.statusCode, ended.body]).toEqual([204, '']);
    // An id this stream never sent is not a place to resume from: the history comes from the start.
    for (const odd of ['abc', '-1', ''])
      expect(events((await svc.app.inject({ url, headers: { ...customer, 'last-event-id': odd } })).body)).toEqual(
        whole,
      );
  });

  it('a shipment cancelled by shipping cancels its confirmed order: goods back, payment refunded', async () => {
    // As when a cancel reached shipping but its answer did not come back: the order hears it from the event.
    const { id } = (await place('03001234567')).json();
    await broker.publish(shipmentCancelled(id));
    const read = await untilRefunded(id);
    expect(read).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    expect(released).toContain(id);
  });
});

describe('shipment events out of order, twice, or late', () => {
  const moved = (orderId: string, status: string, version: number) =>
    envelope('shipping', {
      type: 'ShipmentStatusChanged',
      subject: orderId,
      data: { orderId, courier: 'TCS', trackingNumber: 'TRK-2', status, version },
    });
  const statusesOf = async (id: string) =>
    (
      await svc.db.query<{ status: string }>('SELECT status FROM order_history WHERE order_id = $1 ORDER BY seq', [id])
    ).map((r) => r.status);
  const read = async (id: string) => (await svc.app.inject({ url: `/api/orders/${id}`, headers: customer })).json();

  it('a delivery heard before the pick-up moves the order through SHIPPED to DELIVERED; late steps change nothing', async () => {
    const { id } = (await place('03001234567')).json();
    await broker.publish(moved(id, 'DELIVERED', 5));
    const pickedUp = moved(id, 'PICKED_UP', 2);
    for (const late of [pickedUp, pickedUp, moved(id, 'CREATED', 1), moved(id, 'IN_TRANSIT', 3)])
      await broker.publish(late);
    expect(await read(id)).toMatchObject({
      status: 'DELIVERED',
      shipping: { courier: 'TCS', trackingNumber: 'TRK-2', status: 'DELIVERED' },
    });
    expect(await statusesOf(id)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
  });

  it("the shipment's steps heard after its order was cancelled leave it CANCELLED, undone once", async () => {
    const { id } = (await place('03001234567')).json();
    const cancelled = await svc.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel`, headers: customer });
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    for (const late of [moved(id, 'CREATED', 1), shipmentCancelled(id), moved(id, 'CREATED', 1)])
      await broker.publish(late);
    expect(await read(id)).toMatchObject({ status: 'CANCELLED', shipping: { status: 'CANCELLED' } });
    expect(await statusesOf(id)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
    expect(await sagaStep(id)).toBe('DONE');
    expect(released.filter((r) => r === id)).toHaveLength(1);
  });
});

describe('the news of an order still PENDING', () => {
  it('once answered 202, its priced total is announced, as the answer shows it, for the customer history', async () => {
    const announced: Envelope<{ orderId: string; status: string; total: { amount: number } }>[] = [];
    await broker.subscribe('history', ['OrderStatusChanged'], async (e) => void announced.push(e as never));
    let resume = () => {};
    authorizationsHeld = new Promise((r) => {
      resume = r;
    });
    try {
      const placed = await place('03000000012');
      expect([placed.statusCode, placed.json().status, placed.json().total]).toEqual([202, 'PENDING', pkr(225_000)]);
      const { id } = placed.json();
      // The last news of it that a read model has: before, OrderPlaced's total, which is the shipping fee alone.
      await vi.waitFor(() =>
        expect(announced.filter((e) => e.data.orderId === id).at(-1)?.data).toMatchObject({
          status: 'PENDING',
          total: pkr(225_000),
        }),
      );
    } finally {
      resume();
    }
  }, 20_000);
});

describe('the last six digits of a CNIC, for JazzCash', () => {
  const problemOf = (res: Awaited<ReturnType<typeof placeWith>>) => ({ status: res.statusCode, ...res.json() });

  it.each([
    ['with cash on delivery', { method: 'cod', cnic: CNIC }],
    ['with EasyPaisa', { method: 'easypaisa', wallet: '03001234567', cnic: CNIC }],
    ['of 5 digits', { method: 'jazzcash', wallet: '03001234567', cnic: '12345' }],
    ['of 7 digits', { method: 'jazzcash', wallet: '03001234567', cnic: '1234567' }],
    ['with a letter', { method: 'jazzcash', wallet: '03001234567', cnic: '12345a' }],
    ['as a number', { method: 'jazzcash', wallet: '03001234567', cnic: 345678 }],
  ])('%s: 400 VALIDATION_FAILED on payment.cnic, and no order is placed', async (_, payment) => {
    const before = await countOrders();
    const res = problemOf(await placeWith(payment));
    expect(res).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.errors.map((e: { path: string }) => e.path.replace(/^\//, '').replaceAll('/', '.'))).toContain(
      'payment.cnic',
    );
    expect(JSON.stringify(res)).not.toContain(String(payment.cnic));
    expect(await countOrders()).toBe(before);
  });

  it('given with JazzCash: 201 CONFIRMED, the CNIC sent to payments and kept, never in an answer or an event', async () => {
    const placed = await placeWith({ method: 'jazzcash', wallet: '03001234567', cnic: '112233' });
    expect(placed.statusCode).toBe(201);
    const { id } = placed.json();
    expect(placed.json()).toMatchObject({ status: 'CONFIRMED', payment: { method: 'jazzcash' } });
    expect(placed.body).not.toContain('112233');
    expect(authorized.filter((a) => a.orderId === id)).toMatchObject([{ wallet: '03001234567', cnic: '112233' }]);
    const read = await svc.app.inject({ url: `/api/orders/${id}`, headers: customer });
    expect(read.body).not.toContain('112233');
    const listed = await svc.app.inject({ url: '/api/orders?limit=100', headers: customer });
    expect(listed.body).not.toContain('112233');
    const outbox = await svc.db.query('SELECT * FROM outbox');
    expect(JSON.stringify(outbox)).toContain(id);
    expect(JSON.stringify(outbox)).not.toContain('112233');
  });

  it('without one, JazzCash is authorised as before, with no cnic in the request', async () => {
    const { id } = (await place('03001234567')).json();
    const [sent] = authorized.filter((a) => a.orderId === id);
    expect(sent).not.toHaveProperty('cnic');
  });

  it('a saga retrying a failed step says which step failed, though its row still names the one before', async () => {
    const placed = await place('03000000010');
    const id = placed.json().id;
    let saga: { step: string; last_error: string | null } | undefined;
    for (let i = 0; i < 100 && !saga?.last_error; i++) {
      [saga] = await svc.db.query<{ step: string; last_error: string | null }>(
        'SELECT step, last_error FROM sagas WHERE order_id = $1',
        [id],
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    // The reservation is written with the next step: the row says RESERVE while AUTHORIZE is what fails.
    expect(saga).toMatchObject({ step: 'RESERVE', last_error: expect.stringMatching(/^AUTHORIZE: /) });
  });

  it('a saga resumed after a failed authorisation sends the CNIC again, read from the database', async () => {
    const placed = await placeWith({ method: 'jazzcash', wallet: '03000000007', cnic: '445566' });
    expect([201, 202]).toContain(placed.statusCode);
    const id = placed.json().id;
    for (let i = 0; i < 100; i++) {
      const read = await svc.app.inject({ url: `/api/orders/${id}`, headers: customer });
      if (read.json().status === 'CONFIRMED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const sent = authorized.filter((a) => a.orderId === id);
    expect(sent.length).toBe(2);
    expect(sent.map((a) => a.cnic)).toEqual(['445566', '445566']);
  });

  it("a step the sweep retries runs in the placing request's trace: its calls and lines carry the trace and request ids", async () => {
    const placed = await place('03000000007');
    const { id } = placed.json();
    const traceId = placed.headers['x-trace-id'];
    const requestId = placed.headers['x-request-id'];
    const written: Envelope[] = [];
    await broker.subscribe('request-id-probe', ['OrderConfirmed'], async (e) => {
      if (e.subject === id) written.push(e);
    });
    for (let i = 0; i < 100 && !linesOf(id).some((l) => l.msg === 'order confirmed'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(authorizeTraces.get(id)).toEqual([traceId, traceId]);
    expect(authorizeRequests.get(id)).toEqual([requestId, requestId]);
    const confirmed = linesOf(id).find((l) => l.msg === 'order confirmed');
    expect(confirmed).toMatchObject({ traceId, requestId });
    // The event the resumed saga wrote names the request too, so its consumers' lines do.
    for (let i = 0; i < 50 && written.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(written.map((e) => e.requestid)).toEqual([requestId]);
  });

  it('the same Idempotency-Key with another CNIC is another request: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const headers = { ...customer, 'idempotency-key': 'cnic-key-1' };
    const body = (cnic: string) => ({ ...order(''), payment: { method: 'jazzcash', wallet: '03001234567', cnic } });
    const first = await svc.app.inject({ method: 'POST', url: '/api/orders', payload: body('111111'), headers });
    expect(first.statusCode).toBe(201);
    const again = await svc.app.inject({ method: 'POST', url: '/api/orders', payload: body('111111'), headers });
    expect([again.statusCode, again.json().id]).toEqual([201, first.json().id]);
    const other = await svc.app.inject({ method: 'POST', url: '/api/orders', payload: body('222222'), headers });
    expect([other.statusCode, other.json().code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('documents payment.cnic in /openapi.json', async () => {
    const doc = (await svc.app.inject({ url: '/openapi.json', headers: customer })).json();
    const body = doc.paths['/api/orders'].post.requestBody.content['application/json'].schema;
    expect(body.properties.payment.properties.cnic).toMatchObject({ type: 'string', pattern: '^[0-9]{6}$' });
    expect(body.properties.payment.required ?? []).not.toContain('cnic');
  });

  it('logs none of these CNICs', () => {
    const text = JSON.stringify(lines);
    for (const cnic of [CNIC, '112233', '445566', '111111', '222222', '12345', '1234567', '12345a'])
      expect(text).not.toContain(cnic);
  });
});
