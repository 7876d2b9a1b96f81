// Outages of what Bazaar depends on, under a steady order load, each ending with `bazaar verify` clean: the broker
// cut off for 30 s (events wait in the outboxes), the database server cut off for 20 s (consumers hold their events,
// none dead-lettered), and the payment providers slow, then failing, then timing out (a fault proxy sits in front of
// both sandboxes, through JAZZCASH_URL and EASYPAISA_URL).
import { freePorts } from '@bazaar/kit/testing';
import { describe, expect, it } from 'vitest';
import { faultProxy } from '../support/fault-proxy.ts';
import { ADMIN } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';
import { startCluster } from '../support/targets.ts';
import { clusterFaultSetup, EASYPAISA, expectClean, JAZZCASH, sleep, underLoad } from '../support/under-load.ts';

const { postgres, rabbit, cleanup } = await clusterFaultSetup();

describe.runIf(rabbit)('outages under load (cluster mode on PostgreSQL and RabbitMQ)', () => {
  /**
   * Starts a cluster whose link to `which` (RabbitMQ or PostgreSQL) goes through a fault proxy, cuts that link for
   * `cutMs` under `loadMs` of order load, and expects every order answered and `bazaar verify` clean.
   */
  async function cutUnderLoad(which: 'broker' | 'database', cutMs: number, loadMs: number) {
    const server = new URL(which === 'broker' ? rabbit! : postgres!);
    const proxy = await faultProxy({
      host: server.hostname,
      port: Number(server.port || (which === 'broker' ? 5672 : 5432)),
    });
    server.port = String(proxy.port);
    const [postgresUrl, brokerUrl] = which === 'broker' ? [postgres!, server.toString()] : [server.toString(), rabbit!];
    const cluster = await startCluster(postgresUrl, brokerUrl, { COURIER_STEP_MS: '500' });
    cleanup.push(
      () => proxy.close(),
      () => cluster.stop(),
      async () => proxy.restore(),
    );
    const answers = await underLoad(
      cluster.gatewayUrl,
      loadMs,
      async () => {
        await sleep(3000);
        proxy.cut();
        console.log(`${which} cut off`);
        await sleep(cutMs);
        proxy.restore();
        console.log(`${which} back`);
      },
      { retryForMs: 45_000 },
    );
    await expectClean(cluster.gatewayUrl, answers);
    return cluster;
  }

  it('the broker cut off for 30 s: orders go on, the outboxes hold the events, and the relays catch up', async () => {
    await cutUnderLoad('broker', 30_000, 40_000);
  }, 400_000);

  it('the database server cut off for 20 s: orders wait and go on, consumers hold their events, none dead-lettered', async () => {
    // Longer than a consumer's whole retry budget (5 attempts, 7.5 s): counted, its events would be dead letters.
    const cluster = await cutUnderLoad('database', 20_000, 36_000);
    const admin = new Shopper(cluster.gatewayUrl);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const { body } = await admin.call('GET', '/api/ops/messaging');
    expect(body.deadLetters).toEqual([]);
  }, 400_000);

  it('the payment providers slow, then failing, then timing out: every order is paid once or rejected', async () => {
    const [jazzcash, easypaisa] = await freePorts(2);
    const proxies = await Promise.all([jazzcash, easypaisa].map((port) => faultProxy({ host: '127.0.0.1', port })));
    const cluster = await startCluster(postgres!, rabbit!, {
      COURIER_STEP_MS: '500',
      PAYMENT_RECONCILE_MS: '1000',
      JAZZCASH_SANDBOX_PORT: String(jazzcash),
      EASYPAISA_SANDBOX_PORT: String(easypaisa),
      JAZZCASH_URL: `http://127.0.0.1:${proxies[0].port}`,
      EASYPAISA_URL: `http://127.0.0.1:${proxies[1].port}`,
    });
    cleanup.push(
      async () => void (await Promise.all(proxies.map((p) => p.close()))),
      () => cluster.stop(),
    );
    const each = (fn: (p: (typeof proxies)[number]) => void) => proxies.forEach(fn);
    const answers = await underLoad(
      cluster.gatewayUrl,
      24_000,
      async () => {
        await sleep(3000);
        each((p) => p.latency(2500));
        console.log('providers slow (2.5 s a chunk)');
        await sleep(6000);
        each((p) => {
          p.latency(0);
          p.cut();
        });
        console.log('providers failing (connections reset)');
        await sleep(5000);
        each((p) => {
          p.restore();
          p.stall();
        });
        console.log('providers timing out (nothing answers)');
        await sleep(6000);
        each((p) => p.restore());
        console.log('providers back');
      },
      { payments: [JAZZCASH, EASYPAISA] },
    );
    // A failed or timed-out payment rejects its order (402); nothing may stay charged for it.
    await expectClean(cluster.gatewayUrl, answers, [201, 202, 402]);
  }, 400_000);
});
