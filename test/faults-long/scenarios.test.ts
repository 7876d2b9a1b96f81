// Fault scenarios, each ending with `bazaar verify` clean: under a steady order load, PostgreSQL connections reset
// mid-traffic and an orders replica paused (SIGSTOP) for 20 s; and the payments service paused while an order waits
// on it, whose saga must give the stock back without it.
import { describe, expect, it } from 'vitest';
import { expectInvariants, newProduct, stockOf } from '../support/books.ts';
import { type FaultProxy, faultProxy } from '../support/fault-proxy.ts';
import { Shopper } from '../support/shop.ts';
import { startCluster } from '../support/targets.ts';
import { clusterFaultSetup, EASYPAISA, expectClean, pidsOf, sleep, underLoad } from '../support/under-load.ts';

const { postgres, rabbit, cleanup } = await clusterFaultSetup();
const PAUSE_MS = 20_000;
// The gateway's GATEWAY_UPSTREAM_TIMEOUT_MS default.
const UPSTREAM_TIMEOUT_MS = 10_000;

describe.runIf(rabbit)('faults under load (cluster mode on PostgreSQL and RabbitMQ)', () => {
  it('PostgreSQL connections reset three times: every order ends consistent', async () => {
    const pg = new URL(postgres!);
    const proxy: FaultProxy = await faultProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    pg.port = String(proxy.port);
    const cluster = await startCluster(pg.toString(), rabbit!, { COURIER_STEP_MS: '500' });
    cleanup.push(
      () => proxy.close(),
      () => cluster.stop(),
    );
    const answers = await underLoad(cluster.gatewayUrl, 12_000, async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(3000);
        proxy.cut();
        console.log('PostgreSQL connections reset');
        await sleep(300);
        proxy.restore();
      }
    });
    await expectClean(cluster.gatewayUrl, answers);
  }, 240_000);

  it('an orders replica paused for 20 s: every order ends consistent', async () => {
    const cluster = await startCluster(postgres!, rabbit!, { COURIER_STEP_MS: '500' });
    cleanup.push(() => cluster.stop());
    const orders = pidsOf(cluster.platform.output(), 'orders');
    expect(orders).toHaveLength(2);
    // A replica paused inside an order's first transaction holds that Idempotency-Key's row until it resumes, so a
    // client's retry on the other replica waits out the pause, and the attempt before it the gateway's 10 s upstream
    // timeout: clients keep retrying for the pause and two timeouts, not the default 15 s (which failed once here).
    const answers = await underLoad(
      cluster.gatewayUrl,
      26_000,
      async () => {
        await sleep(3000);
        process.kill(orders[0], 'SIGSTOP');
        console.log('orders replica paused');
        cleanup.push(async () => void process.kill(orders[0], 'SIGCONT'));
        await sleep(PAUSE_MS);
        process.kill(orders[0], 'SIGCONT');
        console.log('orders replica resumed');
      },
      { retryForMs: PAUSE_MS + 2 * UPSTREAM_TIMEOUT_MS },
    );
    await expectClean(cluster.gatewayUrl, answers);
  }, 240_000);

  it('payments paused: an order waiting on it gets its stock back once the saga gives up, and ends REJECTED when payments answers', async () => {
    const GIVE_UP_MS = 4000;
    const cluster = await startCluster(postgres!, rabbit!, {
      SAGA_GIVE_UP_MS: String(GIVE_UP_MS),
      // Each call to the paused payments ends at this deadline; the order answers 202 after a second.
      ORDERS_UPSTREAM_TIMEOUT_MS: '2000',
      ORDER_SYNC_WINDOW_MS: '1000',
    });
    cleanup.push(() => cluster.stop());
    const [payments] = pidsOf(cluster.platform.output(), 'payments');
    const admin = await Shopper.admin(cluster.gatewayUrl);
    const shopper = await Shopper.signedUp(cluster.gatewayUrl, 'Patient');
    const sku = await newProduct(admin, 5);
    process.kill(payments, 'SIGSTOP');
    cleanup.push(async () => void process.kill(payments, 'SIGCONT'));
    const placedAt = Date.now();
    const placed = await shopper.order([{ sku, quantity: 2 }], EASYPAISA);
    expect([placed.status, placed.body.status]).toEqual([202, 'PENDING']);
    expect((await stockOf(admin, sku)).reserved).toBe(2);
    // Nobody but the saga releases a reservation: it must do so with payments still silent.
    let level = await stockOf(admin, sku);
    while (level.reserved > 0 && Date.now() - placedAt < 60_000) {
      await sleep(200);
      level = await stockOf(admin, sku);
    }
    console.log(`payments paused: the stock came back ${Date.now() - placedAt} ms after the order was placed`);
    expect(level).toMatchObject({ reserved: 0, available: 5 });
    expect((await shopper.call('GET', `/api/orders/${placed.body.id}`)).body.status).toBe('PENDING');
    process.kill(payments, 'SIGCONT');
    const ended = await shopper.until(placed.body.id, (o) => o.status !== 'PENDING', 60_000);
    expect(ended).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_UNAVAILABLE' });
    await expectInvariants(cluster.gatewayUrl, 'payments paused');
  }, 240_000);
});
