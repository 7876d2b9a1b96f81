// What the orders scenario drives: the naive chain and Bazaar (embedded or cluster), each as a Target that knows its
// processes (for CPU per order), its databases' counters and its batch sizes; and the order every one is sent.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePorts } from '@bazaar/kit/testing';
import { Shop } from '../../../apps/cli/src/load/shop.ts';
import {
  ADMIN,
  type DbCounters,
  dropNamespace,
  postgresBackends,
  postgresCounters,
  type Running,
} from '../../lib/platform.ts';
import { type Proc, pidsByName, processTree, root, spawnNode, waitFor } from '../../lib/proc.ts';

export const CONNECTIONS = 32;
const CUSTOMERS = 20;
const SKUS = ['LAWN-001', 'CHAPPAL-001', 'RICE-001', 'AJRAK-001', 'APRICOT-001', 'TEA-001', 'TOPI-001', 'SALT-001'];

export type Target = {
  id: 'naive' | 'embedded' | 'cluster';
  label: string;
  base: string;
  path: string;
  tokens: string[];
  /** Pids whose CPU counts, each with the part of the system it is (refreshed: backends come and go). */
  processes(): Promise<Map<number, string>>;
  /** Shared servers whose CPU is reported apart (RabbitMQ serves other users of this machine too). */
  sharedPids?: () => number[];
  rssPid?: number;
  counters?: () => Promise<DbCounters>;
  /** Mean items per batch of each gathered call so far, from the orders replicas' batch_items histograms. */
  batchItems?: () => Promise<Record<string, number>>;
  stop(): Promise<void>;
};

/** The order every system is sent: one item, paid by an approving wallet, a fresh Idempotency-Key each time. */
export function orderRequest(tokens: string[], path: string) {
  let n = 0;
  return {
    method: 'POST' as const,
    path,
    headers: { 'content-type': 'application/json' },
    make: () => {
      n++;
      const sku = SKUS[n % SKUS.length];
      return {
        headers: { authorization: `Bearer ${tokens[n % tokens.length]}`, 'idempotency-key': randomUUID() },
        body: JSON.stringify({
          items: [{ sku, quantity: 1 }],
          payment: { method: 'jazzcash', wallet: '03001234567' },
          shipping: { city: 'Lahore', address: '12 Mall Road', phone: '03001234567' },
        }),
      };
    },
  };
}

/** Restocks the catalogue and signs up the customers whose tokens the orders carry. */
export async function prepareShop(base: string): Promise<string[]> {
  const shop = new Shop(base, { connections: 8, timeoutMs: 30_000 });
  try {
    await shop.loadCatalogue();
    await shop.restock(ADMIN);
    for (let i = 0; i < CUSTOMERS; i += 5) {
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => shop.signUp()));
      const bad = outcomes.find((o) => !o.ok);
      if (bad && !bad.ok) throw new Error(`signing up a customer failed: ${bad.key}`);
    }
    return shop.customers.map((c) => c.token);
  } finally {
    await shop.close();
  }
}

/** The seed tutorial's naive chain: an Express order service calling an Express payment service, in memory. */
export async function naiveTarget(): Promise<Target> {
  const [orderPort, paymentPort] = await freePorts(2);
  const payment = spawnNode('naive payment service', join(root, 'bench/references/naive-payment.ts'), [], {
    PORT: String(paymentPort),
  });
  const order = spawnNode('naive order service', join(root, 'bench/references/naive-order.ts'), [], {
    PORT: String(orderPort),
    PAYMENT_SERVICE_URL: `http://127.0.0.1:${paymentPort}`,
  });
  const procs: Proc[] = [payment, order];
  await waitFor(`http://127.0.0.1:${paymentPort}/payments`, payment, 30_000, null);
  await waitFor(`http://127.0.0.1:${orderPort}/orders/1`, order, 30_000, null);
  return {
    id: 'naive',
    label: 'naive chain (Express order → Express payment, in memory)',
    base: `http://127.0.0.1:${orderPort}`,
    path: '/orders',
    tokens: ['not-checked-by-the-tutorial'],
    processes: async () =>
      new Map(procs.flatMap((p) => processTree(p.child.pid!).map((t) => [t.pid, p.name] as const))),
    stop: async () => void (await Promise.all(procs.map((p) => p.stop()))),
  };
}

export function bazaarTarget(mode: 'embedded' | 'cluster', running: Running, tokens: string[]): Target {
  return {
    id: mode,
    label:
      mode === 'embedded'
        ? 'Bazaar embedded (one process, PGlite, in-process broker)'
        : 'Bazaar cluster (9 processes, PostgreSQL, RabbitMQ)',
    base: running.url,
    path: '/api/orders',
    tokens,
    processes: async () => {
      const services = servicesByPid(running.proc.output());
      const parts = new Map<number, string>();
      for (const { pid } of processTree(running.proc.child.pid!))
        parts.set(pid, services.get(pid)?.split(' ')[0] ?? (mode === 'cluster' ? 'bazaar up --cluster' : 'bazaar up'));
      if (running.namespace)
        for (const b of await postgresBackends(running.namespace)) parts.set(b.pid, `PostgreSQL: ${b.service}`);
      return parts;
    },
    sharedPids: mode === 'cluster' ? () => pidsByName('beam.smp') : undefined,
    counters: running.namespace ? () => postgresCounters(running.namespace!) : undefined,
    batchItems: () => meanBatchItems(running.ports.orders),
    rssPid: running.proc.child.pid!,
    stop: async () => {
      await running.proc.stop();
      if (running.namespace) await dropNamespace(running.namespace).catch(() => {});
    },
  };
}

/** Cluster mode's banner lines (`  orders     pid 1234     http://127.0.0.1:8084`): pid → "orders :8084". */
export function servicesByPid(banner: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of banner.split('\n')) {
    const m = /^\s+(\w+)\s+pid (\d+)\s+(\S+)/.exec(line);
    if (m) names.set(Number(m[2]), `${m[1]} ${m[3].replace('http://127.0.0.1', '')}`);
  }
  return names;
}

/** Mean items per batch of each call, summed over the replicas' batch_items histograms (GET /metrics). */
async function meanBatchItems(ports: number[]): Promise<Record<string, number>> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const [, kind, call, value] of text.matchAll(
      /^batch_items_(sum|count)\{[^}]*\bcall="([^"]+)"[^}]*\} (\S+)$/gm,
    )) {
      const entry = sums.get(call) ?? { sum: 0, count: 0 };
      entry[kind as 'sum' | 'count'] += Number(value);
      sums.set(call, entry);
    }
  }
  return Object.fromEntries([...sums].map(([call, { sum, count }]) => [call, count > 0 ? sum / count : 0]));
}
