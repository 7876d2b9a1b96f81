// Killing one replica under load loses no order: the gateway routes around an orders or an inventory replica that
// is SIGKILLed while shoppers keep ordering, and every order ends consistent with stock and money. `up --cluster`
// restarts the killed replica, as Kubernetes would.
import { randomUUID } from 'node:crypto';
import { brokerOrSkip, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { ADMIN } from '../support/platform.ts';
import type { PlatformProcess } from '../support/process.ts';
import { Shopper } from '../support/shop.ts';
import { type Running, startCluster } from '../support/targets.ts';

const postgres = await postgresOrSkip();
const broker = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;

const SHOPPERS = 10;
const LOAD_MS = 10_000;
// What a client that keeps its Idempotency-Key may retry: the gateway could not finish, the service may have.
const RETRIABLE = new Set([502, 503, 504]);
const FINAL = new Set([201, 202, 402, 409]);

type Replica = { name: string; pid: number; url: string };
type Outcome = { status: number; attempts: number };

/** The `up --cluster` banner: `  orders     pid 1234     http://127.0.0.1:20102`. */
function replicasOf(banner: string): Replica[] {
  return [...banner.matchAll(/^\s*(\w+)\s+pid (\d+)\s+(http:\/\/\S+)/gm)].map((m) => ({
    name: m[1],
    pid: Number(m[2]),
    url: m[3],
  }));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!postgres || !broker)('a replica killed under load (cluster mode)', () => {
  let cluster: Running & { platform: PlatformProcess };
  let replicas: Replica[];
  let shoppers: Shopper[];
  const sku = `FAULT-${randomUUID().slice(0, 6).toUpperCase()}`;

  beforeAll(async () => {
    cluster = await startCluster(postgres!, broker!);
    for (let i = 0; i < 100 && replicasOf(cluster.platform.output()).length < 9; i++)
      await new Promise((r) => setTimeout(r, 100));
    replicas = replicasOf(cluster.platform.output());
    expect(replicas.filter((r) => r.name === 'orders')).toHaveLength(2);
    expect(replicas.filter((r) => r.name === 'inventory')).toHaveLength(2);
    const admin = new Shopper(cluster.gatewayUrl);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const created = await admin.call('POST', '/api/inventory', {
      sku,
      name: 'Fault-test chai',
      price: { amount: 50000, currency: 'PKR' },
      quantity: 1_000_000,
    });
    expect(created.status).toBe(201);
    shoppers = await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, i) => {
        const s = new Shopper(cluster.gatewayUrl);
        await s.signUp(`Shopper ${i}`);
        return s;
      }),
    );
  }, 180_000);

  afterAll(async () => {
    if (!cluster) return;
    const stopping = cluster.stop();
    // `up --cluster` waits for every child's exit event, and the killed one sent its own already: once the rest
    // are gone, end the CLI so the namespace is dropped.
    const pids = replicas?.map((r) => r.pid) ?? [];
    for (let i = 0; i < 300 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    cluster.platform.child.kill('SIGKILL');
    await stopping;
  }, 90_000);

  /** One customer placing orders back to back, each retried with its key until it gets a final answer. */
  async function shop(shopper: Shopper, until: number, outcomes: Outcome[]): Promise<void> {
    for (let n = 0; Date.now() < until; n++) {
      const key = randomUUID();
      const payment = n % 3 === 0 ? { method: 'cod' } : { method: 'jazzcash', wallet: '03001234567' };
      let outcome: Outcome = { status: 0, attempts: 0 };
      for (let attempt = 1; attempt <= 20; attempt++) {
        const status = await shopper
          .order([{ sku, quantity: 1 }], payment, { 'idempotency-key': key })
          .then((r) => r.status)
          .catch(() => 0); // the connection itself failed: as retriable as a 502
        outcome = { status, attempts: attempt };
        if (status !== 0 && !RETRIABLE.has(status)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      outcomes.push(outcome);
    }
  }

  async function killUnderLoad(service: 'orders' | 'inventory') {
    const victim = replicas.find((r) => r.name === service && alive(r.pid))!;
    const outcomes: Outcome[] = [];
    const until = Date.now() + LOAD_MS;
    const load = Promise.all(shoppers.map((s) => shop(s, until, outcomes)));
    await new Promise((r) => setTimeout(r, LOAD_MS / 2));
    const before = outcomes.length;
    process.kill(victim.pid, 'SIGKILL');
    await load;
    expect(alive(victim.pid)).toBe(false);
    return { outcomes, afterKill: outcomes.length - before, victim };
  }

  function report(service: string, outcomes: Outcome[], afterKill: number) {
    const statuses: Record<number, number> = {};
    for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    const retried = outcomes.filter((o) => o.attempts > 1).length;
    console.log(
      `${service} replica killed: ${outcomes.length} orders (${afterKill} after the kill), statuses ${JSON.stringify(statuses)}, ${retried} retried by the client`,
    );
  }

  async function expectConsistent() {
    const checks = await verifyPlatform(cluster.gatewayUrl, 90_000, ADMIN);
    for (const c of checks)
      console.log(
        `${c.ok ? '✓' : '✗'} ${c.name}${c.problems.length ? `\n    ${c.problems.slice(0, 10).join('\n    ')}` : ''}`,
      );
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  }

  it.each(['orders', 'inventory'] as const)(
    'killing an %s replica: every order gets a final answer, and none is lost or left pending',
    async (service) => {
      const { outcomes, afterKill, victim } = await killUnderLoad(service);
      report(service, outcomes, afterKill);
      expect(afterKill).toBeGreaterThan(SHOPPERS);
      expect(outcomes.filter((o) => !FINAL.has(o.status))).toEqual([]);
      await expectConsistent();
      // Restarted on its own port, under a new pid, and ready again.
      const restarted = () =>
        replicasOf(cluster.platform.output()).find((r) => r.url === victim.url && r.pid !== victim.pid);
      for (let i = 0; i < 300 && !restarted(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(restarted()).toBeDefined();
      expect((await fetch(`${victim.url}/readyz`)).status).toBe(200);
    },
    120_000,
  );
});
