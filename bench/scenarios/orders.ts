// Order placement, the full saga through the gateway: embedded mode, cluster mode on PostgreSQL and RabbitMQ, and
// the seed tutorial's naive Express order → payment chain, all driven the same way (the same POST, the same
// connections); orders/s, p50/p99, CPU time per order, and p50/p99 at 80 % of each one's peak. The parts live in
// orders/: what is driven (targets.ts), how one system is measured (measure.ts), the tables (report.ts), profiles.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { clusterUnavailable, dropNamespace, startBazaar } from '../lib/platform.ts';
import { type BenchSettings, emptyResult, type Scenario } from '../lib/types.ts';
import { type Measured, measure } from './orders/measure.ts';
import { profileBazaar } from './orders/profile.ts';
import { report } from './orders/report.ts';
import { bazaarTarget, naiveTarget, prepareShop, type Target } from './orders/targets.ts';

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

    report(result, { measured, labels }, s);

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
