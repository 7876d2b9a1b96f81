// Stock and money on the less-travelled paths, on the real thing: cluster mode (orders and inventory at two replicas)
// on PostgreSQL and RabbitMQ. Cash on delivery from confirmation to delivery or a cancel, admin stock adjustments
// racing orders, a price changed while an order sits between Reserve and Commit, and the largest order API.md allows.
// The EasyPaisa sandbox sits behind a fault proxy, whose latency holds an order in Authorize with its stock reserved.
// After each scenario `bazaar verify`'s invariants are checked and printed.
import { freePorts } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectInvariants, ledgerKinds, newProduct, paymentSummaryOf, statusesOf, stockOf } from '../support/books.ts';
import { type FaultProxy, faultProxy } from '../support/fault-proxy.ts';
import { type Res, Shopper } from '../support/shop.ts';
import { postgresAndRabbit, type Running, startCluster } from '../support/targets.ts';

const servers = await postgresAndRabbit();

// Slow enough that a cancel sent right after confirmation comes before the pick-up.
const COURIER_STEP_MS = 1500;
const WALLET = '03001234567';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!servers)('stock and money off the main paths, cluster mode on PostgreSQL', () => {
  let cluster: Running;
  let easypaisa: FaultProxy;
  let base: string;
  let admin: Shopper;
  let shopper: Shopper;

  const customer = (name: string) => Shopper.signedUp(base, name);
  const stock = (sku: string) => stockOf(admin, sku);
  const adjust = (sku: string, delta: number) =>
    admin.call('POST', `/api/inventory/${sku}/adjustments`, { delta, reason: 'stock count' });
  const untilStock = async (sku: string, pred: (s: { reserved: number }) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!pred(await stock(sku)) && Date.now() < deadline) await sleep(20);
    return stock(sku);
  };
  const paymentsOf = async (orderId: string) =>
    (await admin.call('GET', `/api/payments?orderId=${orderId}`)).body.items;
  const cancel = (orderId: string) => admin.call('POST', `/api/orders/${orderId}/cancel`);
  /** Each chunk to and from EasyPaisa waits 1.5 s while fn runs: a debit takes about 3 s, its saga waiting in Authorize. */
  const slowEasyPaisa = async <T>(fn: () => Promise<T>): Promise<T> => {
    easypaisa.latency(1500);
    try {
      return await fn();
    } finally {
      easypaisa.latency(0);
    }
  };
  const outcome = (r: Res) => [r.status, r.body.status, r.body.payment?.status];

  beforeAll(async () => {
    const [sandboxPort] = await freePorts(1);
    easypaisa = await faultProxy({ host: '127.0.0.1', port: sandboxPort });
    cluster = await startCluster(servers!.postgres, servers!.rabbit, {
      COURIER_STEP_MS: String(COURIER_STEP_MS),
      // Every saga decided inside the synchronous window (201, not 202), the gateway waiting for it.
      ORDER_SYNC_WINDOW_MS: '25000',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '30000',
      EASYPAISA_SANDBOX_PORT: String(sandboxPort),
      EASYPAISA_URL: `http://127.0.0.1:${easypaisa.port}`,
      // Room for a debit slowed by the proxy on a busy machine: it must not time out.
      PAYMENT_TIMEOUT_MS: '10000',
    });
    base = cluster.gatewayUrl;
    admin = await Shopper.admin(base);
    shopper = await customer('Zainab');
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await easypaisa?.close();
  }, 120_000);

  it('cash on delivery: nothing captured when confirmed, captured once at delivery; cancelled before pick-up, voided with its stock back', async () => {
    const sku = await newProduct(admin, 10);
    const kept = await shopper.order([{ sku, quantity: 2 }], { method: 'cod' });
    expect(outcome(kept)).toEqual([201, 'CONFIRMED', 'AUTHORIZED']);
    const total = kept.body.total.amount;
    expect(await ledgerKinds(admin, kept.body.id)).toEqual(['authorize']);
    expect(await paymentSummaryOf(admin, kept.body.id)).toMatchObject({
      status: 'AUTHORIZED',
      captured: 0,
      held: total,
    });

    const called = await shopper.order([{ sku, quantity: 3 }], { method: 'cod' });
    expect(outcome(called)).toEqual([201, 'CONFIRMED', 'AUTHORIZED']);
    expect(outcome(await cancel(called.body.id))).toEqual([200, 'CANCELLED', 'VOIDED']);
    expect(await ledgerKinds(admin, called.body.id)).toEqual(['authorize', 'void']);
    expect(await paymentSummaryOf(admin, called.body.id)).toMatchObject({ captured: 0, refunded: 0, held: 0 });
    expect(await stock(sku)).toMatchObject({ onHand: 8, reserved: 0, available: 8, sold: 2 });

    const delivered = await admin.until(kept.body.id, (o) => o.payment.status === 'CAPTURED', 30_000);
    expect([delivered.status, delivered.payment.status]).toEqual(['DELIVERED', 'CAPTURED']);
    expect(await ledgerKinds(admin, kept.body.id)).toEqual(['authorize', 'capture']);
    expect(await paymentSummaryOf(admin, kept.body.id)).toMatchObject({ captured: total, refunded: 0, held: 0 });
    expect(await paymentsOf(kept.body.id)).toMatchObject([
      { method: 'cod', status: 'CAPTURED', amount: { amount: total } },
    ]);
    expect(await statusesOf(admin, called.body.id)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
    await expectInvariants(base, 'cash on delivery');
  }, 90_000);

  it('admin adjustments racing orders, commits and cancels: each applied once or refused STOCK_CONFLICT, and the counts add up', async () => {
    const sku = await newProduct(admin, 30);
    const customers = await Promise.all([1, 2, 3, 4].map((i) => customer(`Adjusted ${i}`)));
    // A count that finds 5 missing and a delivery of 4, by turns, while 24 orders of one reserve and commit.
    const firstDeltas = Array.from({ length: 24 }, (_, i) => (i % 2 ? 4 : -5));
    const [orders, first] = await Promise.all([
      Promise.all(
        Array.from({ length: 24 }, (_, i) => customers[i % 4].order([{ sku, quantity: 1 }], { method: 'cod' })),
      ),
      Promise.all(firstDeltas.map((d) => adjust(sku, d))),
    ]);
    const confirmed = orders.filter((r) => r.status === 201);
    for (const r of orders.filter((o) => o.status !== 201))
      expect([r.status, r.body.code]).toEqual([409, 'OUT_OF_STOCK']);
    // Then half the confirmed orders cancelled (goods back on hand) while more adjustments go in.
    const moreDeltas = Array.from({ length: 12 }, (_, i) => (i % 2 ? -3 : 2));
    const [cancels, more] = await Promise.all([
      Promise.all(confirmed.slice(0, Math.ceil(confirmed.length / 2)).map((r) => cancel(r.body.id))),
      Promise.all(moreDeltas.map((d) => adjust(sku, d))),
    ]);
    const adjustments = [...first, ...more];
    for (const r of adjustments) {
      if (r.status === 200) expect(r.body.available).toBeGreaterThanOrEqual(0);
      else expect([r.status, r.body.code], JSON.stringify(r.body)).toEqual([409, 'STOCK_CONFLICT']);
    }
    for (const r of cancels) expect([200, 409]).toContain(r.status);
    const applied = [...firstDeltas, ...moreDeltas].reduce(
      (sum, d, i) => sum + (adjustments[i].status === 200 ? d : 0),
      0,
    );
    const sold = confirmed.length - cancels.filter((r) => r.status === 200).length;
    console.log(
      `adjustments: ${adjustments.filter((r) => r.status === 200).length} of 36 applied (net ${applied}); ${confirmed.length} of 24 orders confirmed, ${sold} kept`,
    );
    const onHand = 30 + applied - sold;
    expect(await stock(sku)).toMatchObject({ onHand, reserved: 0, available: onHand, sold, adjustments: applied });
    expect((await shopper.call('GET', `/api/products/${sku}`)).body.available).toBe(onHand);
    await expectInvariants(base, 'adjustments racing orders');
  }, 120_000);

  it('an order waiting between Reserve and Commit pays the price it reserved at, and its stock cannot be adjusted away', async () => {
    const sku = await newProduct(admin, 10, 250_000);
    const placed = await slowEasyPaisa(async () => {
      const placing = shopper.order([{ sku, quantity: 4 }], { method: 'easypaisa', wallet: WALLET });
      expect(await untilStock(sku, (s) => s.reserved === 4)).toMatchObject({ onHand: 10, reserved: 4 });
      const repriced = await admin.call('PATCH', `/api/inventory/${sku}`, {
        price: { amount: 300_000, currency: 'PKR' },
      });
      expect(repriced.body.price.amount).toBe(300_000);
      const tooMuch = await adjust(sku, -7);
      expect([tooMuch.status, tooMuch.body.code]).toEqual([409, 'STOCK_CONFLICT']);
      const allFree = await adjust(sku, -6);
      expect([allFree.status, allFree.body.available]).toEqual([200, 0]);
      // Still between Reserve and Commit: the order holds its 4, nothing sold yet.
      expect(await stock(sku)).toMatchObject({ onHand: 4, reserved: 4, sold: 0 });
      return placing;
    });
    expect(outcome(placed)).toEqual([201, 'CONFIRMED', 'CAPTURED']);
    expect(placed.body.items).toEqual([
      { sku, name: `Race ${sku}`, quantity: 4, unitPrice: { amount: 250_000, currency: 'PKR' } },
    ]);
    const total = 4 * 250_000 + placed.body.shippingFee.amount;
    expect([placed.body.subtotal.amount, placed.body.total.amount]).toEqual([1_000_000, total]);
    expect(await paymentsOf(placed.body.id)).toMatchObject([{ status: 'CAPTURED', amount: { amount: total } }]);
    expect(await paymentSummaryOf(admin, placed.body.id)).toMatchObject({ amount: total, captured: total, held: 0 });
    expect(await stock(sku)).toMatchObject({ onHand: 0, reserved: 0, sold: 4, adjustments: -6 });

    expect((await adjust(sku, 2)).body.available).toBe(2);
    const next = await shopper.order([{ sku, quantity: 1 }], { method: 'easypaisa', wallet: WALLET });
    expect(next.body.items[0].unitPrice.amount).toBe(300_000);
    await expectInvariants(base, 'price changed between Reserve and Commit');
  }, 90_000);

  it('the largest order API.md allows (50 lines of 100 at Rs 100 million): paid, refunded and collected in full', async () => {
    const price = 10_000_000_000; // the catalogue's highest price
    const skus: string[] = [];
    for (let i = 0; i < 50; i += 10)
      skus.push(...(await Promise.all(Array.from({ length: 10 }, () => newProduct(admin, 300, price)))));
    const items = skus.map((sku) => ({ sku, quantity: 100 }));
    const subtotal = 50 * 100 * price;
    for (const payment of [
      { method: 'jazzcash', wallet: WALLET },
      { method: 'easypaisa', wallet: WALLET },
    ]) {
      const placed = await shopper.order(items, payment);
      expect(outcome(placed), payment.method).toEqual([201, 'CONFIRMED', 'CAPTURED']);
      const total = subtotal + placed.body.shippingFee.amount;
      expect([placed.body.subtotal, placed.body.total]).toEqual([
        { amount: subtotal, currency: 'PKR' },
        { amount: total, currency: 'PKR' },
      ]);
      expect(await paymentsOf(placed.body.id)).toMatchObject([{ status: 'CAPTURED', amount: { amount: total } }]);
      // Refunded once, in full; a second cancel changes nothing.
      for (const _ of [1, 2]) expect(outcome(await cancel(placed.body.id))).toEqual([200, 'CANCELLED', 'REFUNDED']);
      expect(await ledgerKinds(admin, placed.body.id)).toEqual(['authorize', 'capture', 'refund']);
      expect(await paymentSummaryOf(admin, placed.body.id)).toMatchObject({
        captured: total,
        refunded: total,
        held: 0,
      });
    }
    const cash = await shopper.order(items, { method: 'cod' });
    expect(outcome(cash)).toEqual([201, 'CONFIRMED', 'AUTHORIZED']);
    const total = cash.body.total.amount;
    expect(total).toBe(subtotal + cash.body.shippingFee.amount);
    const delivered = await admin.until(cash.body.id, (o) => o.payment.status === 'CAPTURED', 30_000);
    expect([delivered.status, delivered.total.amount]).toEqual(['DELIVERED', total]);
    expect(await paymentSummaryOf(admin, cash.body.id)).toMatchObject({ amount: total, captured: total, held: 0 });
    const seen = async () =>
      (await shopper.call('GET', '/api/users/me/orders?limit=100')).body.items.find(
        (o: { orderId: string }) => o.orderId === cash.body.id,
      );
    const deadline = Date.now() + 10_000;
    while ((await seen())?.status !== 'DELIVERED' && Date.now() < deadline) await sleep(200);
    expect(await seen()).toMatchObject({ status: 'DELIVERED', total: { amount: total }, itemCount: 5000 });
    for (const sku of skus.slice(0, 3)) expect(await stock(sku)).toMatchObject({ sold: 100, available: 200 });
    await expectInvariants(base, 'the largest order');
  }, 180_000);
});
