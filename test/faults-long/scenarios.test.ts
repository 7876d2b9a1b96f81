// Fault scenarios under a steady order load, each ending with `bazaar verify` clean: PostgreSQL connections reset
// mid-traffic, and an orders replica paused (SIGSTOP) for 20 s.
import { describe, expect, it } from 'vitest';
import { type FaultProxy, faultProxy } from '../support/fault-proxy.ts';
import { startCluster } from '../support/targets.ts';
import { clusterFaultSetup, expectClean, pidsOf, sleep, underLoad } from '../support/under-load.ts';

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
});
