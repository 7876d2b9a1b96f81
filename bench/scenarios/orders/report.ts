// The orders scenario's part of bench/RESULTS.md: the systems side by side, and for cluster mode its database work,
// its CPU and wake-ups per order by process; the budgets, the metrics for results.json and the chart.
import { availableParallelism } from 'node:os';
import { fmt } from '../../lib/report.ts';
import type { BenchSettings, emptyResult } from '../../lib/types.ts';
import { MAX_WARMUP_S, type Measured } from './measure.ts';
import { CONNECTIONS, type Target } from './targets.ts';

export type Systems = {
  measured: Partial<Record<Target['id'], Measured>>;
  labels: Partial<Record<Target['id'], string>>;
};

/** Adds the systems' tables, metrics, budgets and chart to the scenario's result. */
export function report(result: ReturnType<typeof emptyResult>, { measured, labels }: Systems, s: BenchSettings): void {
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
        ['all', fmt(total('xacts'), 1), fmt(total('returned'), 0), fmt(total('fetched'), 0), fmt(total('written'), 1)],
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
      // The reference's own figure beside it: on 2 cores shared with the load generator, its tail is long too.
      actual: cluster
        ? `${fmt(cluster.at80.p99, 1)} ms at ${fmt(cluster.at80.rps, 0)} orders/s${
            measured.naive
              ? ` (the naive chain at 80 % of its own peak: ${fmt(measured.naive.at80.p99, 1)} ms at ${fmt(measured.naive.at80.rps, 0)}/s)`
              : ''
          }`
        : 'not measured',
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
}

/** The sentence saying how many orders the saga's gathered calls carried per batch, when the run read it. */
function batchNote(items?: Record<string, number>): string {
  const calls = Object.entries(items ?? {});
  if (calls.length === 0) return '';
  const list = calls.map(([call, n]) => `${call} ${fmt(n, 2)}`).join(', ');
  return ` Orders per batch of the calls the saga gathers while one is in flight (mean over the run, from the orders replicas' batch_items histograms): ${list}.`;
}
