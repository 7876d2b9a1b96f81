// The order saga end to end through the gateway: every outcome of API.md's Orders table, run unchanged against
// the embedded platform and against cluster mode over RabbitMQ and over NATS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { ADMIN } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';
import { e2eTargets, type Running } from '../support/targets.ts';

const targets = await e2eTargets();

describe.each(targets)('$name', (target) => {
  let platform: Running;
  let shopper: Shopper;
  let admin: Shopper;

  const stockOf = async (sku: string) => (await admin.call('GET', `/api/inventory/${sku}`)).body;

  beforeAll(async () => {
    platform = await target.start();
    shopper = new Shopper(platform.gatewayUrl);
    await shopper.signUp('Ayesha');
    admin = new Shopper(platform.gatewayUrl);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const addProduct = async (sku: string, name: string, amount: number, quantity: number) => {
      const created = await admin.call('POST', '/api/inventory', {
        sku,
        name,
        price: { amount, currency: 'PKR' },
        quantity,
      });
      expect(created.status).toBe(201);
    };
    await addProduct('E2E-LAST', 'Last units', 100000, 2);
    await addProduct('E2E-BULK', 'Bulk units', 1000, 500);
  }, 180_000);

  afterAll(() => platform?.stop(), 60_000);

  describe('placing an order', () => {
    it('with JazzCash: confirmed at once, then shipped and delivered, and found in the history', async () => {
      const placed = await shopper.order(
        [
          { sku: 'LAWN-001', quantity: 2 },
          { sku: 'TEA-001', quantity: 1 },
        ],
        { method: 'jazzcash', wallet: '03001234567' },
      );
      expect(placed.status).toBe(201);
      const order = placed.body;
      expect(order).toMatchObject({
        status: 'CONFIRMED',
        payment: { method: 'jazzcash', status: 'CAPTURED' },
        shipping: { city: 'Lahore' },
      });
      expect(order.total.amount).toBe(order.subtotal.amount + order.shippingFee.amount);
      expect(order.items.find((i: { sku: string }) => i.sku === 'LAWN-001').unitPrice.currency).toBe('PKR');

      const delivered = await shopper.until(order.id, (o) => o.status === 'DELIVERED');
      expect(delivered.status).toBe('DELIVERED');
      expect(delivered.shipping.trackingNumber).toBeTruthy();
      const tracking = await shopper.call('GET', `/api/shipments/${delivered.shipping.trackingNumber}`);
      expect(tracking.body.status).toBe('DELIVERED');

      const payments = await shopper.call('GET', `/api/payments?orderId=${order.id}`);
      expect(payments.body.items).toMatchObject([{ orderId: order.id, status: 'CAPTURED', amount: order.total }]);

      let history: any;
      for (let i = 0; i < 50; i++) {
        history = (await shopper.call('GET', '/api/users/me/orders')).body;
        if (history.items[0]?.status === 'DELIVERED') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(history.items[0]).toMatchObject({
        orderId: order.id,
        status: 'DELIVERED',
        total: order.total,
        itemCount: 3,
      });
    });

    it('when stock is short, the order is rejected with OUT_OF_STOCK and nothing is held', async () => {
      const before = await stockOf('E2E-LAST');
      const placed = await shopper.order(
        [
          { sku: 'E2E-LAST', quantity: 3 },
          { sku: 'E2E-BULK', quantity: 2 },
        ],
        { method: 'cod' },
      );
      expect(placed.status).toBe(409);
      expect(placed.body.code).toBe('OUT_OF_STOCK');
      const order = (await shopper.call('GET', `/api/orders/${placed.body.orderId}`)).body;
      expect(order.status).toBe('REJECTED');
      expect(order.payment.status).toBe('VOIDED'); // never asked for, and never will be: not PENDING
      // It still shows what it would have cost, at the catalogue's prices.
      expect(order.items).toEqual([
        { sku: 'E2E-LAST', name: 'Last units', quantity: 3, unitPrice: { amount: 100000, currency: 'PKR' } },
        { sku: 'E2E-BULK', name: 'Bulk units', quantity: 2, unitPrice: { amount: 1000, currency: 'PKR' } },
      ]);
      expect(order.subtotal.amount).toBe(302000);
      expect(order.total.amount).toBe(302000 + order.shippingFee.amount);
      expect(await stockOf('E2E-LAST')).toEqual(before);

      // No payment was ever made: its owner and an admin are told so (once payments has heard of the rejection);
      // anyone else still gets NOT_FOUND.
      const paymentsOf = (who: Shopper) => who.call('GET', `/api/payments?orderId=${order.id}`);
      let owners = await paymentsOf(shopper);
      for (let tries = 0; owners.status === 404 && tries < 50; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        owners = await paymentsOf(shopper);
      }
      expect(owners.status).toBe(200);
      expect(owners.body).toEqual({ items: [], nextCursor: null });
      expect((await paymentsOf(admin)).body).toEqual({ items: [], nextCursor: null });
      const stranger = new Shopper(platform.gatewayUrl);
      await stranger.signUp('Curious');
      expect((await paymentsOf(stranger)).body.code).toBe('NOT_FOUND');
    });

    it('when the wallet declines, the order is rejected with PAYMENT_DECLINED and its stock released', async () => {
      const before = await stockOf('LAWN-001');
      const placed = await shopper.order([{ sku: 'LAWN-001', quantity: 1 }], {
        method: 'easypaisa',
        wallet: '03000000002',
      });
      expect(placed.status).toBe(402);
      expect(placed.body.code).toBe('PAYMENT_DECLINED');
      const order = (await shopper.call('GET', `/api/orders/${placed.body.orderId}`)).body;
      expect(order).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
      expect((await stockOf('LAWN-001')).available).toBe(before.available);
    });

    it('when the provider does not answer in time, the order ends REJECTED with PAYMENT_TIMEOUT and nothing captured', async () => {
      const placed = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
        method: 'jazzcash',
        wallet: '03000000003',
      });
      // The provider's deadline (4 s) outlasts the request's window (3 s): the answer is the order, still PENDING.
      expect(placed).toMatchObject({ status: 202, body: { status: 'PENDING' } });
      const id = placed.body.id;
      // Priced as inventory reserved it, in the answer and in what is read while the provider keeps us waiting.
      const tea = (await shopper.call('GET', '/api/products/TEA-001')).body;
      const pending = (await shopper.call('GET', `/api/orders/${id}`)).body;
      for (const seen of [placed.body, pending]) {
        expect(seen.subtotal).toEqual(tea.price);
        expect(seen.items).toEqual([{ sku: 'TEA-001', name: tea.name, quantity: 1, unitPrice: tea.price }]);
        expect(seen.total.amount).toBe(tea.price.amount + seen.shippingFee.amount);
      }
      const order = await shopper.until(id, (o) => o.status !== 'PENDING');
      expect(order).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_TIMEOUT' });
      const payments = (await shopper.call('GET', `/api/payments?orderId=${id}`)).body.items;
      expect(payments.every((p: { status: string }) => p.status !== 'CAPTURED')).toBe(true);
    });

    it('when the provider fails twice then approves, the order is confirmed with exactly one capture', async () => {
      const placed = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
        method: 'easypaisa',
        wallet: '03000000004',
      });
      expect(placed.status).toBe(201);
      const payments = (await shopper.call('GET', `/api/payments?orderId=${placed.body.id}`)).body.items;
      expect(payments).toHaveLength(1);
      expect(payments[0].status).toBe('CAPTURED');
    });

    it('cash on delivery is captured when the shipment is delivered', async () => {
      const placed = await shopper.order([{ sku: 'LAWN-001', quantity: 1 }], { method: 'cod' });
      expect(placed.status).toBe(201);
      expect(placed.body.payment.status).toBe('AUTHORIZED');
      await shopper.until(placed.body.id, (o) => o.status === 'DELIVERED');
      const paid = await shopper.until(placed.body.id, (o) => o.payment.status === 'CAPTURED', 5000);
      expect(paid.payment.status).toBe('CAPTURED');
    });

    it('the same Idempotency-Key and body give the first answer again; another body gives 422', async () => {
      const key = { 'idempotency-key': `key-${Date.now()}` };
      const first = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' }, key);
      const again = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' }, key);
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(first.body);
      const other = await shopper.order([{ sku: 'TEA-001', quantity: 2 }], { method: 'cod' }, key);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('the same body with its JSON keys in another order is the same request under one Idempotency-Key', async () => {
      const key = { 'idempotency-key': `key-order-${Date.now()}` };
      const shipping = { city: 'Lahore', address: '12 Mall Road', phone: '03001234567' };
      const first = await shopper.call(
        'POST',
        '/api/orders',
        { items: [{ sku: 'TEA-001', quantity: 1 }], payment: { method: 'cod' }, shipping },
        key,
      );
      const reordered = await shopper.call(
        'POST',
        '/api/orders',
        {
          shipping: { phone: shipping.phone, address: shipping.address, city: shipping.city },
          payment: { method: 'cod' },
          items: [{ quantity: 1, sku: 'TEA-001' }],
        },
        key,
      );
      expect(first.status).toBe(201);
      expect(reordered.status).toBe(first.status);
      expect(reordered.body).toEqual(first.body);
    });

    it('a city typed in any case and with spaces is stored as shipping names it, as its shipment is', async () => {
      const placed = await shopper.call('POST', '/api/orders', {
        items: [{ sku: 'TEA-001', quantity: 1 }],
        payment: { method: 'cod' },
        shipping: { city: '  lAHORE ', address: '12 Mall Road', phone: '03001234567' },
      });
      expect(placed.status).toBe(201);
      expect(placed.body.shipping.city).toBe('Lahore');
    });

    it('a sku on several lines is held to 100 over all of them: 400, and no order is placed', async () => {
      const before = (await shopper.call('GET', '/api/orders?limit=100')).body.items.length;
      const over = await shopper.order(
        [
          { sku: 'E2E-BULK', quantity: 60 },
          { sku: 'E2E-BULK', quantity: 60 },
        ],
        { method: 'cod' },
      );
      expect(over.status).toBe(400);
      expect(over.body.code).toBe('VALIDATION_FAILED');
      expect(over.body.errors).toEqual([{ path: 'items', message: expect.stringContaining('E2E-BULK') }]);
      expect((await shopper.call('GET', '/api/orders?limit=100')).body.items.length).toBe(before);
      const atLimit = await shopper.order(
        [
          { sku: 'E2E-BULK', quantity: 40 },
          { sku: 'E2E-BULK', quantity: 60 },
        ],
        { method: 'cod' },
      );
      expect(atLimit.status).toBe(201);
      expect(atLimit.body.items).toEqual([expect.objectContaining({ sku: 'E2E-BULK', quantity: 100 })]);
    });

    it('another customer cannot see or cancel my order', async () => {
      const placed = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' });
      const stranger = new Shopper(platform.gatewayUrl);
      await stranger.signUp('Stranger');
      expect((await stranger.call('GET', `/api/orders/${placed.body.id}`)).status).toBe(404);
      expect((await stranger.call('POST', `/api/orders/${placed.body.id}/cancel`)).status).toBe(404);
      expect((await stranger.call('GET', `/api/payments?orderId=${placed.body.id}`)).status).toBe(404);
      expect((await stranger.call('GET', '/api/orders')).body.items).toEqual([]);
    });

    it('rejects bad orders with VALIDATION_FAILED and writes nothing', async () => {
      const before = (await shopper.call('GET', '/api/orders')).body.items.length;
      const bad = [
        { items: [], payment: { method: 'cod' }, shipping: { city: 'Lahore', address: 'x', phone: '03001234567' } },
        {
          items: [{ sku: 'TEA-001', quantity: 0 }],
          payment: { method: 'cod' },
          shipping: { city: 'Lahore', address: 'x', phone: '03001234567' },
        },
        {
          items: [{ sku: 'TEA-001', quantity: 1 }],
          payment: { method: 'jazzcash' },
          shipping: { city: 'Lahore', address: 'x', phone: '03001234567' },
        },
        {
          items: [{ sku: 'TEA-001', quantity: 1 }],
          payment: { method: 'cod', wallet: '03001234567' },
          shipping: { city: 'Lahore', address: 'x', phone: '03001234567' },
        },
        {
          items: [{ sku: 'TEA-001', quantity: 1 }],
          payment: { method: 'cod' },
          shipping: { city: 'Lahore', address: 'x', phone: '12345' },
        },
        {
          items: [{ sku: 'TEA-001', quantity: 1 }],
          payment: { method: 'cod' },
          shipping: { city: 'Atlantis', address: 'x', phone: '03001234567' },
        },
        // Not the form of any sku (upper-case letters, digits, hyphens): no order to reject, a field to correct.
        {
          items: [{ sku: 'tea 001', quantity: 1 }],
          payment: { method: 'cod' },
          shipping: { city: 'Lahore', address: 'x', phone: '03001234567' },
        },
        {
          items: [{ sku: 'TEA-001', quantity: 1 }],
          payment: { method: 'cod' },
          shipping: { city: 'Lahore', address: 'x', phone: '03001234567' },
          status: 'CONFIRMED',
        },
      ];
      for (const body of bad) {
        const res = await shopper.call('POST', '/api/orders', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      expect((await shopper.call('GET', '/api/orders')).body.items.length).toBe(before);
    });
  });

  describe('cancelling', () => {
    it('before pick-up: CANCELLED, stock back on the shelf, payment refunded', async () => {
      const before = await stockOf('TEA-001');
      const placed = await shopper.order([{ sku: 'TEA-001', quantity: 2 }], {
        method: 'jazzcash',
        wallet: '03001234567',
      });
      expect(placed.status).toBe(201);
      const cancelled = await shopper.call('POST', `/api/orders/${placed.body.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
      expect((await stockOf('TEA-001')).available).toBe(before.available);
      // Sent again as a client that always says its body is JSON, with no body: still the same answer.
      const again = await shopper.call('POST', `/api/orders/${placed.body.id}/cancel`, undefined, {
        'content-type': 'application/json',
      });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('CANCELLED');
    });

    it('after pick-up: 409 NOT_CANCELLABLE', async () => {
      const placed = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' });
      await shopper.until(placed.body.id, (o) => o.status === 'SHIPPED' || o.status === 'DELIVERED');
      const res = await shopper.call('POST', `/api/orders/${placed.body.id}/cancel`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('NOT_CANCELLABLE');
    });
  });

  describe('the order event stream', () => {
    it('streams CONFIRMED, SHIPPED and DELIVERED, then ends', async () => {
      const placed = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
        method: 'jazzcash',
        wallet: '03001234567',
      });
      const res = await fetch(`${platform.gatewayUrl}/api/orders/${placed.body.id}/events`, {
        headers: { authorization: `Bearer ${shopper.token}` },
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const text = await res.text();
      const statuses = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]).status);
      expect(statuses).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
      // Events of the default type: a browser's EventSource hands them to onmessage.
      expect(text).not.toMatch(/^event:/m);
    });
  });

  describe('bazaar verify', () => {
    it('finds every invariant holding after all of the above', async () => {
      const checks = await verifyPlatform(platform.gatewayUrl, 15_000, ADMIN);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    });

    it('reads the payments summary page by page: two payments a page, the same verdict', async () => {
      const checks = await verifyPlatform(platform.gatewayUrl, 15_000, ADMIN, { summaryPage: 2 });
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    });
  });
});
