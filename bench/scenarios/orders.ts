// Order placement, the full saga through the gateway: embedded mode, cluster mode on PostgreSQL and RabbitMQ, and
// the seed tutorial's naive Express order → payment chain, all driven the same way (the same POST, the same
// connections); orders/s, p50/p99, CPU time per order, and p50/p99 at 80 % of each one's peak.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@bazaar/kit/testing';
import { Shop } from '../../apps/cli/src/load/shop.ts';
import { adminApi } from '../../apps/cli/src/verify.ts';
import { type DriveResult, runAutocannon, runPaced } from '../lib/drive.ts';
import { tailBreakdown } from '../lib/latency.ts';
import {
  ADMIN,
  clusterUnavailable,
  type DbCounters,
  dropNamespace,
  postgresBackends,
  postgresCounters,
  type Running,
  startBazaar,
} from '../lib/platform.ts';
import {
  type CpuSnapshot,
  cpuDelta,
  cpuSnapshot,
  type Proc,
  pidsByName,
  processTree,
  root,
  sleep,
  spawnNode,
  switchesSnapshot,
  treeRss,
  waitFor,
} from '../lib/proc.ts';
import { monotonicUs, summarizeProfile } from '../lib/profile.ts';
import { fmt, median } from '../lib/report.ts';
import { type BenchSettings, emptyResult, type ProfileSummary, type Scenario, type Table } from '../lib/types.ts';

const CONNECTIONS = 32;
const CUSTOMERS = 20;
const SKUS = ['LAWN-001', 'CHAPPAL-001', 'RICE-001', 'AJRAK-001', 'APRICOT-001', 'TEA-001', 'TOPI-001', 'SALT-001'];

type Target = {
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

type Measured = {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerOrder: number;
  sharedCpuMsPerOrder?: number;
  /** CPU per order of each part of the system (a service's replicas together, its database backends apart). */
  cpuByPart: Record<string, number>;
  /** Main-thread context switches per order of each part: how often its event loop slept and was woken. */
  switchesByPart?: Record<string, number>;
  non2xx: number;
  at80: { rate: number; rps: number; p50: number; p99: number; non2xx: number };
  rssMiB?: number;
  /** Where the time of the slowest answers at 80 % of peak went, from their traces (Bazaar only). */
  tail?: Table;
  /** Cluster mode: database work per order in each service's database (pg_stat_database, first repetition). */
  dbPerOrder?: Record<string, { xacts: number; returned: number; fetched: number; written: number }>;
  /** Bazaar: mean orders per batch of each call the saga gathers (inventory/Reserve...), over the whole run. */
  batchItems?: Record<string, number>;
};

function orderRequest(tokens: string[], path: string) {
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

async function prepareShop(base: string): Promise<string[]> {
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

async function measure(target: Target, s: BenchSettings): Promise<Measured> {
  const url = `${target.base}${target.path}`;
  const request = orderRequest(target.tokens, target.path);
  const drive = (durationS: number): Promise<DriveResult> =>
    runAutocannon({ url, connections: CONNECTIONS, durationS, request });
  await warmUp(drive, s);
  const reps: {
    rps: number;
    p50: number;
    p99: number;
    cpu: number;
    byPart: Map<string, number>;
    switchesByPart: Map<string, number>;
    shared?: number;
    non2xx: number;
  }[] = [];
  let rss = 0;
  let dbPerOrder: Measured['dbPerOrder'];
  for (let i = 0; i < s.reps; i++) {
    const parts = await target.processes();
    const before: CpuSnapshot = cpuSnapshot([...parts.keys()]);
    const switchesBefore = switchesSnapshot([...parts.keys()]);
    const sharedBefore = target.sharedPids ? cpuSnapshot(target.sharedPids()) : undefined;
    const countersBefore = i === 0 && target.counters ? await target.counters() : undefined;
    const r = await drive(s.durationS);
    if (countersBefore) {
      await sleep(1500); // backends flush their statistics about once a second
      const after = await target.counters!();
      dbPerOrder = Object.fromEntries(
        Object.entries(after).map(([db, a]: [string, DbCounters[string]]) => {
          const b = countersBefore[db] ?? { xacts: 0, returned: 0, fetched: 0, written: 0 };
          const per = (k: 'xacts' | 'returned' | 'fetched' | 'written') => (a[k] - b[k]) / Math.max(r.ok, 1);
          return [
            db,
            { xacts: per('xacts'), returned: per('returned'), fetched: per('fetched'), written: per('written') },
          ];
        }),
      );
      const xacts = Object.entries(dbPerOrder).map(([db, d]) => `${db} ${fmt(d.xacts, 1)}`);
      const all = Object.values(dbPerOrder).reduce((sum, d) => sum + d.xacts, 0);
      s.log(`    transactions per order: ${xacts.join(', ')}; all ${fmt(all, 1)}`);
    }
    for (const [pid, part] of await target.processes()) parts.set(pid, part);
    // CPU ms per order of each part (their sum is the whole system's), and main-thread context switches per order.
    const byPart = perOrderByPart(parts, before, cpuSnapshot([...parts.keys()]), r.ok, 1000);
    const switchesByPart = perOrderByPart(parts, switchesBefore, switchesSnapshot([...parts.keys()]), r.ok);
    const cpu = [...byPart.values()].reduce((sum, ms) => sum + ms, 0);
    const shared = sharedBefore ? cpuDelta(sharedBefore, cpuSnapshot(target.sharedPids!())) : undefined;
    if (target.rssPid) rss = Math.max(rss, treeRss(target.rssPid));
    reps.push({
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      cpu,
      byPart,
      switchesByPart,
      shared: shared === undefined ? undefined : (shared * 1000) / Math.max(r.ok, 1),
      non2xx: r.non2xx + r.errors,
    });
    s.log(
      `    rep ${i + 1}: ${fmt(r.rps, 0)} orders/s, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, CPU ${fmt(cpu, 2)} ms/order, ${r.non2xx + r.errors} non-2xx/errors`,
    );
  }
  const peak = median(reps.map((r) => r.rps));
  const rate = Math.max(1, peak * 0.8);
  s.log(`    at 80 % of peak: ${fmt(rate, 0)} orders/s for ${s.durationS} s, evenly paced, after ${s.warmupS} s at it`);
  // The peak run's last answers and its consumers' backlog drain in the warm-up, not in the measured steady state.
  const pace = (durationS: number) => runPaced({ url, connections: CONNECTIONS, durationS, request, rate });
  await pace(s.warmupS);
  const at80 = await pace(s.durationS);
  s.log(`      ${fmt(at80.rps, 0)} orders/s, p50 ${fmt(at80.p50, 1)} ms, p99 ${fmt(at80.p99, 1)} ms`);
  const batchItems = await target.batchItems?.().catch((err) => {
    s.log(`    batch sizes not read: ${err instanceof Error ? err.message : err}`);
    return undefined;
  });
  if (batchItems && Object.keys(batchItems).length > 0)
    s.log(
      `    orders per batch: ${Object.entries(batchItems)
        .map(([call, n]) => `${call} ${fmt(n, 2)}`)
        .join(', ')}`,
    );
  const tail =
    target.id === 'naive'
      ? undefined
      : // A failed admin login, too, costs the table and not the run.
        await adminApi(target.base, ADMIN)
          .then((api) =>
            tailBreakdown(
              api.get,
              at80.traced ?? [],
              `${target.label}: where the time of the slowest orders at 80 % of peak went, from their traces (GET /api/ops/traces/:id), against orders around the median of the same run.`,
            ),
          )
          .catch((err) => {
            s.log(`    traces of the slowest orders not read: ${err instanceof Error ? err.message : err}`);
            return undefined;
          });
  return {
    rps: peak,
    p50: median(reps.map((r) => r.p50)),
    p99: median(reps.map((r) => r.p99)),
    cpuMsPerOrder: median(reps.map((r) => r.cpu)),
    sharedCpuMsPerOrder: reps[0].shared === undefined ? undefined : median(reps.map((r) => r.shared!)),
    cpuByPart: medianByPart(reps.map((r) => r.byPart)),
    switchesByPart: medianByPart(reps.map((r) => r.switchesByPart)),
    non2xx: reps.reduce((sum, r) => sum + r.non2xx, 0) + at80.non2xx + at80.errors,
    at80: { rate, rps: at80.rps, p50: at80.p50, p99: at80.p99, non2xx: at80.non2xx + at80.errors },
    rssMiB: rss ? rss / 2 ** 20 : undefined,
    tail,
    dbPerOrder,
    batchItems,
  };
}

/** Longest warm-up: a system still speeding up after it is measured as it stands, and the log says so. */
const MAX_WARMUP_S = 30;

/**
 * Drives the load in turns of twice the warm-up until two turns in a row agree within 5 % (JIT, caches and pools
 * settled), at most MAX_WARMUP_S. Nine processes on 2 cores kept speeding up for tens of seconds: after a fixed 6 s,
 * the cluster's first repetition took 38 ms of CPU per order and its third 24.
 */
async function warmUp(drive: (durationS: number) => Promise<DriveResult>, s: BenchSettings): Promise<void> {
  const turnS = s.warmupS * 2;
  const turns = [(await drive(turnS)).rps];
  while ((turns.length + 1) * turnS <= MAX_WARMUP_S) {
    const last = turns[turns.length - 1];
    const rps = (await drive(turnS)).rps;
    turns.push(rps);
    if (Math.abs(rps - last) <= 0.05 * last) break;
  }
  const spent = turns.length * turnS;
  s.log(`    warm-up: ${spent} s, turns of ${turnS} s at ${turns.map((r) => fmt(r, 0)).join(' → ')} orders/s`);
}

/**
 * A counter's growth between two snapshots (keyed by pid) per order answered, times `unit`, summed by part: pids that
 * came up meanwhile count from zero.
 */
function perOrderByPart(
  parts: Map<number, string>,
  before: Map<number, number>,
  after: Map<number, number>,
  orders: number,
  unit = 1,
): Map<string, number> {
  const byPart = new Map<string, number>();
  for (const [pid, value] of after) {
    const part = parts.get(pid)!;
    byPart.set(part, (byPart.get(part) ?? 0) + ((value - (before.get(pid) ?? 0)) * unit) / Math.max(orders, 1));
  }
  return byPart;
}

/** Each part's median over the repetitions (a part missing from one counts 0 there). */
function medianByPart(reps: Map<string, number>[]): Record<string, number> {
  const parts = new Set(reps.flatMap((r) => [...r.keys()]));
  return Object.fromEntries([...parts].map((part) => [part, median(reps.map((r) => r.get(part) ?? 0))]));
}

async function naiveTarget(): Promise<Target> {
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

/** The sentence saying how many orders the saga's gathered calls carried per batch, when the run read it. */
function batchNote(items?: Record<string, number>): string {
  const calls = Object.entries(items ?? {});
  if (calls.length === 0) return '';
  const list = calls.map(([call, n]) => `${call} ${fmt(n, 2)}`).join(', ');
  return ` Orders per batch of the calls the saga gathers while one is in flight (mean over the run, from the orders replicas' batch_items histograms): ${list}.`;
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

function bazaarTarget(mode: 'embedded' | 'cluster', running: Running, tokens: string[]): Target {
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
function servicesByPid(banner: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of banner.split('\n')) {
    const m = /^\s+(\w+)\s+pid (\d+)\s+(\S+)/.exec(line);
    if (m) names.set(Number(m[2]), `${m[1]} ${m[3].replace('http://127.0.0.1', '')}`);
  }
  return names;
}

/** Profiles every Node process of a Bazaar run under the same load; answers one summary per busy process. */
async function profileBazaar(
  mode: 'embedded' | 'cluster',
  s: BenchSettings,
  reuse: { dataDir: string; namespace?: string; tokens: string[] },
): Promise<ProfileSummary[]> {
  const dir = join(s.tmp, `profile-${mode}`);
  mkdirSync(dir, { recursive: true });
  const running = await startBazaar(mode, {
    tmp: s.tmp,
    dataDir: reuse.dataDir,
    namespace: reuse.namespace,
    nodeOptions: `--cpu-prof --cpu-prof-dir=${dir}`,
  });
  const names = new Map<number, string>();
  const window = { fromUs: 0, toUs: 0 };
  try {
    const request = orderRequest(reuse.tokens, '/api/orders');
    await runAutocannon({ url: `${running.url}/api/orders`, connections: CONNECTIONS, durationS: s.warmupS, request });
    window.fromUs = monotonicUs();
    await runAutocannon({
      url: `${running.url}/api/orders`,
      connections: CONNECTIONS,
      durationS: s.durationS,
      request,
    });
    window.toUs = monotonicUs();
  } finally {
    // Read now, not at ready: the banner naming each pid is printed just after the gateway answers /readyz.
    for (const [pid, name] of servicesByPid(running.proc.output())) names.set(pid, name);
    await running.proc.stop();
  }
  await sleep(500);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const summaries = files.map((f) => {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const pid = Number(f.split('.')[3]);
    const name =
      names.get(pid) ?? (mode === 'embedded' ? 'bazaar up (every service)' : `pid ${pid} (bazaar up --cluster itself)`);
    return summarizeProfile(join(dir, f), `${mode}: ${name}, under order placement load`, window);
  });
  // The busiest processes first; for cluster mode, a line with every process's busy time.
  summaries.sort((a, b) => (b.busyS ?? 0) - (a.busyS ?? 0));
  return summaries.slice(0, mode === 'embedded' ? 1 : 3).map((p, i) =>
    i === 0 && mode === 'cluster'
      ? {
          ...p,
          process: `${p.process}. Seconds not idle (wall clock, waiting for a CPU included) of every Node process in the same ${fmt(s.durationS, 0)} s: ${summaries
            .map(
              (q) =>
                `${q.process.replace(/^cluster: /, '').replace(/, under order placement load$/, '')} ${fmt(q.busyS ?? 0, 1)} s`,
            )
            .join(', ')}`,
        }
      : p,
  );
}

export const ordersScenario: Scenario = {
  id: 'orders',
  title: 'Order placement (full saga through the gateway)',
  async run(s: BenchSettings) {
    const result = emptyResult();
    const measured: Partial<Record<Target['id'], Measured>> = {};
    const labels: Partial<Record<Target['id'], string>> = {};
    const keep: Partial<Record<'embedded' | 'cluster', { dataDir: string; namespace?: string; tokens: string[] }>> = {};

    const wanted = (id: Target['id']) => !s.systems || s.systems.includes(id);

    // The naive chain first: it needs nothing but Node.
    if (wanted('naive')) {
      const naive = await naiveTarget();
      labels.naive = naive.label;
      try {
        measured.naive = await measure(naive, s);
      } finally {
        await naive.stop();
      }
    }

    for (const mode of (['embedded', 'cluster'] as const).filter(wanted)) {
      if (mode === 'cluster') {
        const why = await clusterUnavailable();
        if (why) {
          s.log(`  cluster mode: skipped, ${why}`);
          result.notes.push(`Cluster mode skipped: ${why}.`);
          continue;
        }
      }
      s.log(`  starting Bazaar (${mode})…`);
      const namespace = mode === 'cluster' ? `bench_${randomUUID().slice(0, 8)}` : undefined;
      try {
        const running = await startBazaar(mode, { tmp: s.tmp, namespace });
        try {
          const tokens = await prepareShop(running.url);
          const target = bazaarTarget(mode, running, tokens);
          labels[mode] = target.label;
          measured[mode] = await measure(target, s);
          keep[mode] = { dataDir: running.dataDir, namespace: running.namespace, tokens };
        } finally {
          // Keep the cluster's databases for the profiling run; drop them after it.
          await running.proc.stop();
        }
      } catch (err) {
        // One mode failing (e.g. a service that does not start) leaves the other rows measured.
        const message = (err as Error).message;
        const logFile = /see (\S+\.log)/.exec(message)?.[1];
        const tail =
          logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
        s.log(`  ${mode} mode failed: ${message.split('\n')[0]}${tail ? `\n${tail}` : ''}`);
        result.notes.push(
          `${mode === 'cluster' ? 'Cluster' : 'Embedded'} mode failed and was not measured: ${message.split('\n').find((l) => /exited|Error/.test(l)) ?? message.split('\n')[0]}`,
        );
        if (namespace && !keep.cluster) await dropNamespace(namespace).catch(() => {});
      }
    }

    const naiveRps = measured.naive?.rps;
    const row = (id: Target['id']) => {
      const m = measured[id];
      if (!m) return [labels[id] ?? id, 'skipped', '', '', '', '', '', '', ''];
      return [
        labels[id]!,
        fmt(m.rps, 0),
        `${fmt(m.p50, 1)} ms`,
        `${fmt(m.p99, 1)} ms`,
        `${fmt(m.cpuMsPerOrder, 2)} ms${m.sharedCpuMsPerOrder !== undefined ? ` (+ RabbitMQ ${fmt(m.sharedCpuMsPerOrder, 2)} ms)` : ''}`,
        id === 'naive' ? '1' : naiveRps ? `${fmt(m.rps / naiveRps, 3)}×` : '–',
        `${fmt(m.at80.p50, 1)} / ${fmt(m.at80.p99, 1)} ms (${fmt(m.at80.rps, 0)}/s)`,
        m.rssMiB ? `${fmt(m.rssMiB, 0)} MiB` : '',
        m.non2xx,
      ];
    };
    result.tables.push({
      caption: `POST an order of one item paid by an approving wallet, with a bearer token and an Idempotency-Key, over ${CONNECTIONS} keep-alive connections (autocannon); orders/s counts 2xx answers (Bazaar's 201 CONFIRMED, or 202 when the saga outlasts the sync window). Median of ${s.reps} × ${s.durationS} s after a warm-up in turns of ${s.warmupS * 2} s until two in a row agree within 5 % (at most ${MAX_WARMUP_S} s); then ${s.warmupS} s and ${s.durationS} s measured at a fixed 80 % of that peak, one order every 1/rate s (open model; latency counted from when each order was due). CPU per order: user + system time of every process involved (for cluster mode the 9 Node processes and the PostgreSQL backends of its databases; RabbitMQ's beam.smp shown apart, as other users of this machine share it). It includes what follows an order at once (OrderConfirmed → shipment created, the order history read model); the courier simulator is parked (COURIER_STEP_MS=1 h), so delivery steps do not count.`,
      columns: [
        'system',
        'orders/s (peak)',
        'p50',
        'p99',
        'CPU per order',
        'vs naive',
        'p50 / p99 at 80 % of peak',
        'RSS under load',
        'non-2xx/errors',
      ],
      rows: (['naive', 'embedded', 'cluster'] as const).map(row),
    });
    const tail = measured.cluster?.tail;
    if (tail) result.tables.push(tail);
    const db = measured.cluster?.dbPerOrder;
    if (db && Object.keys(db).length > 0) {
      const services = Object.keys(db).sort();
      const total = (k: 'xacts' | 'returned' | 'fetched' | 'written') => services.reduce((sum, d) => sum + db[d][k], 0);
      result.tables.push({
        caption:
          "Cluster mode: database work per placed order in each service's own database (pg_stat_database deltas over the first repetition, divided by the orders answered; what follows an order at once, such as the shipment and the history read model, counts). Rows returned are rows scanned by sequential scans and index scans; a large number means a scan that grows with the tables." +
          batchNote(measured.cluster?.batchItems),
        columns: ['database', 'transactions', 'rows returned', 'rows fetched', 'rows written'],
        rows: [
          ...services.map((d) => [
            d,
            fmt(db[d].xacts, 1),
            fmt(db[d].returned, 0),
            fmt(db[d].fetched, 0),
            fmt(db[d].written, 1),
          ]),
          [
            'all',
            fmt(total('xacts'), 1),
            fmt(total('returned'), 0),
            fmt(total('fetched'), 0),
            fmt(total('written'), 1),
          ],
        ],
      });
      result.metrics['cluster.dbTransactionsPerOrder'] = total('xacts');
      const batches = Object.entries(measured.cluster?.batchItems ?? {});
      for (const [call, n] of batches) result.metrics[`cluster.batchItems.${call}`] = n;
      result.metrics['cluster.dbRowsReturnedPerOrder'] = total('returned');
    }
    const byPart = measured.cluster?.cpuByPart;
    if (byPart) {
      const parts = Object.entries(byPart).sort((a, b) => b[1] - a[1]);
      const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
      const rabbit = measured.cluster!.sharedCpuMsPerOrder;
      const switches = measured.cluster!.switchesByPart ?? {};
      const allSwitches = Object.values(switches).reduce((sum, n) => sum + n, 0);
      result.tables.push({
        caption:
          "Cluster mode: where the CPU per order goes, by process (median of the repetitions; a service's replicas together, each service's PostgreSQL backends apart; RabbitMQ's beam.smp is shared with this machine's other users). Wake-ups per order: context switches of each process's main thread, each one an event loop (or a backend) put to sleep and woken again; see the wake-up check under the machine for what one costs on this host.",
        columns: ['process', 'CPU per order', 'share', 'wake-ups per order', 'CPU per wake-up'],
        rows: [
          ...parts.map(([part, ms]) => [
            part,
            `${fmt(ms, 2)} ms`,
            `${fmt((100 * ms) / total, 0)} %`,
            switches[part] === undefined ? '' : fmt(switches[part], 1),
            // A process that hardly woke (the launcher) has no meaningful price per wake-up.
            switches[part] >= 0.1 ? `${fmt((1000 * ms) / switches[part], 0)} µs` : '',
          ]),
          [
            'all of the above',
            `${fmt(total, 2)} ms`,
            '100 %',
            fmt(allSwitches, 1),
            allSwitches ? `${fmt((1000 * total) / allSwitches, 0)} µs` : '',
          ],
          ...(rabbit === undefined ? [] : [['RabbitMQ (beam.smp)', `${fmt(rabbit, 2)} ms`, '', '', '']]),
        ],
      });
      for (const [part, ms] of parts) result.metrics[`cluster.cpuMsPerOrder.${part}`] = ms;
      for (const [part, n] of Object.entries(switches)) result.metrics[`cluster.wakeupsPerOrder.${part}`] = n;
      result.metrics['cluster.wakeupsPerOrder'] = allSwitches;
    }
    for (const id of ['naive', 'embedded', 'cluster'] as const) {
      const m = measured[id];
      result.metrics[`${id}.ordersPerS`] = m?.rps ?? null;
      result.metrics[`${id}.p50Ms`] = m?.p50 ?? null;
      result.metrics[`${id}.p99Ms`] = m?.p99 ?? null;
      result.metrics[`${id}.cpuMsPerOrder`] = m?.cpuMsPerOrder ?? null;
      result.metrics[`${id}.at80.p99Ms`] = m?.at80.p99 ?? null;
      result.metrics[`${id}.rssMiB`] = m?.rssMiB ?? null;
    }
    // The CPU the runs shared: throughput on a saturated machine is this ÷ CPU per order.
    result.metrics.cores = availableParallelism();
    const cluster = measured.cluster;
    const clusterRatio = cluster && naiveRps ? cluster.rps / naiveRps : null;
    result.metrics['ratio.clusterVsNaive'] = clusterRatio;
    result.metrics['ratio.embeddedVsNaive'] = measured.embedded && naiveRps ? measured.embedded.rps / naiveRps : null;
    result.budgets.push(
      {
        name: 'Order placement, cluster vs naive chain (orders/s)',
        target: '≥ 0.25×',
        actual:
          clusterRatio === null
            ? 'not measured'
            : `${fmt(clusterRatio, 3)}× (${fmt(cluster!.rps, 0)} vs ${fmt(naiveRps, 0)} orders/s)`,
        met: clusterRatio === null ? null : clusterRatio >= 0.25,
      },
      {
        name: 'Order placement, cluster p99 at 80 % of peak',
        target: '< 150 ms',
        actual: cluster ? `${fmt(cluster.at80.p99, 1)} ms at ${fmt(cluster.at80.rps, 0)} orders/s` : 'not measured',
        met: cluster ? cluster.at80.p99 < 150 : null,
      },
    );
    result.charts.push({
      title: 'Order placement (orders/s, higher is better)',
      unit: 'orders/s',
      bars: (['naive', 'embedded', 'cluster'] as const)
        .filter((id) => measured[id])
        .map((id) => ({
          label: id === 'naive' ? 'naive Express chain' : `Bazaar ${id}`,
          value: measured[id]!.rps,
          highlight: id !== 'naive',
        })),
    });

    if (s.profile) {
      for (const mode of ['embedded', 'cluster'] as const) {
        const reuse = keep[mode];
        if (!reuse) continue;
        s.log(`  profiling Bazaar ${mode} (node --cpu-prof in every process) for ${s.durationS} s`);
        try {
          result.profiles.push(...(await profileBazaar(mode, s, reuse)));
        } catch (err) {
          result.notes.push(`Profiling ${mode} mode failed: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
    if (keep.cluster?.namespace) await dropNamespace(keep.cluster.namespace).catch(() => {});
    return result;
  },
};
