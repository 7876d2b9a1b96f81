// Measuring one system: a warm-up until it settles, repetitions at its peak (orders/s, latency, CPU and wake-ups per
// order by part, database work per order), then a steady run at 80 % of that peak, and the slowest orders' traces.

import { adminApi } from '../../../apps/cli/src/verify.ts';
import { type DriveResult, runAutocannon, runPaced } from '../../lib/drive.ts';
import { tailBreakdown } from '../../lib/latency.ts';
import { ADMIN, type DbCounters } from '../../lib/platform.ts';
import { type CpuSnapshot, cpuDelta, cpuSnapshot, sleep, switchesSnapshot, treeRss } from '../../lib/proc.ts';
import { fmt, median } from '../../lib/report.ts';
import type { BenchSettings, Table } from '../../lib/types.ts';
import { CONNECTIONS, orderRequest, type Target } from './targets.ts';

export type Measured = {
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

export async function measure(target: Target, s: BenchSettings): Promise<Measured> {
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
export const MAX_WARMUP_S = 30;

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
