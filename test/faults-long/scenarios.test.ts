// Fault scenarios under a steady order load, each ending with `bazaar verify` clean: PostgreSQL connections reset
// mid-traffic, and an orders replica paused (SIGSTOP) for 20 s. Clients keep their Idempotency-Key and retry a
// server error (5xx), as a real client would; every order must end in a final state.
import { brokerOrSkip, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { type FaultProxy, faultProxy } from '../support/fault-proxy.ts';
import { ADMIN } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';
import { startCluster } from '../support/targets.ts';

const postgres = await postgresOrSkip();
const rabbit = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;
// A client keeps its Idempotency-Key and retries any server error: the first attempt may or may not have landed.
const RETRIABLE = new Set([500, 502, 503, 504]);

type Cluster = Awaited<ReturnType<typeof startCluster>>;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
}, 60_000);

/** Shoppers order for `ms` while `fault` runs; returns every order's final HTTP answer. */
async function underLoad(cluster: Cluster, ms: number, fault: () => Promise<void>): Promise<number[]> {
  const admin = new Shopper(cluster.gatewayUrl);
  await admin.logIn(ADMIN.email, ADMIN.password);
  const sku = `FAULTS-${Date.now() % 100000}`;
  await admin.call('POST', '/api/inventory', { sku, name: 'Plenty', price: { amount: 40000, currency: 'PKR' }, quantity: 100_000 });
  const shoppers = await Promise.all(Array.from({ length: 4 }, async () => {
    const s = new Shopper(cluster.gatewayUrl);
    await s.signUp();
    return s;
  }));
  const answers: number[] = [];
  const until = Date.now() + ms;
  const load = shoppers.map(async (s, i) => {
    for (let n = 0; Date.now() < until; n++) {
      const payment = n % 2 ? { method: 'cod' } : { method: 'easypaisa', wallet: '03001234567' };
      const key = { 'idempotency-key': `fault-${i}-${n}` };
      let res = await s.order([{ sku, quantity: 1 }], payment, key).catch(() => ({ status: 599 }));
      for (let retry = 0; (RETRIABLE.has(res.status) || res.status === 599) && retry < 30; retry++) {
        await new Promise((r) => setTimeout(r, 500));
        res = await s.order([{ sku, quantity: 1 }], payment, key).catch(() => ({ status: 599 }));
      }
      answers.push(res.status);
    }
  });
  await fault();
  await Promise.all(load);
  return answers;
}

async function expectClean(cluster: Cluster, answers: number[]) {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  console.log('answers', counts);
  expect(answers.length).toBeGreaterThan(10);
  expect(answers.filter((a) => a !== 201 && a !== 202)).toEqual([]);
  const checks = await verifyPlatform(cluster.gatewayUrl, 90_000, ADMIN);
  for (const c of checks) console.log(`${c.ok ? '✓' : '✗'} ${c.name}${c.problems.length ? `\n    ${c.problems.slice(0, 10).join('\n    ')}` : ''}`);
  expect(checks.filter((c) => !c.ok)).toEqual([]);
}

describe.runIf(rabbit)('faults under load (cluster mode on PostgreSQL and RabbitMQ)', () => {
  it('PostgreSQL connections reset three times: every order ends consistent', async () => {
    const pg = new URL(postgres!);
    const proxy: FaultProxy = await faultProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    pg.port = String(proxy.port);
    const cluster = await startCluster(pg.toString(), rabbit!, { COURIER_STEP_MS: '500' });
    cleanup.push(() => proxy.close(), () => cluster.stop());
    const answers = await underLoad(cluster, 12_000, async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 3000));
        proxy.cut();
        console.log('PostgreSQL connections reset');
        await new Promise((r) => setTimeout(r, 300));
        proxy.restore();
      }
    });
    await expectClean(cluster, answers);
  }, 240_000);

  it('an orders replica paused for 20 s: every order ends consistent', async () => {
    const cluster = await startCluster(postgres!, rabbit!, { COURIER_STEP_MS: '500' });
    cleanup.push(() => cluster.stop());
    const banner = cluster.platform.output();
    const orders = [...banner.matchAll(/^\s*orders\s+pid (\d+)/gm)].map((m) => Number(m[1]));
    expect(orders).toHaveLength(2);
    const answers = await underLoad(cluster, 26_000, async () => {
      await new Promise((r) => setTimeout(r, 3000));
      process.kill(orders[0], 'SIGSTOP');
      console.log('orders replica paused');
      cleanup.push(async () => void process.kill(orders[0], 'SIGCONT'));
      await new Promise((r) => setTimeout(r, 20_000));
      process.kill(orders[0], 'SIGCONT');
      console.log('orders replica resumed');
    });
    await expectClean(cluster, answers);
  }, 240_000);
});
