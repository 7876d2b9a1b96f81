// A soak: `bazaar load`'s shop mix against cluster mode for SOAK_SECONDS (default 600), sampling every process's
// memory and file descriptors. Errors must stay under 0.1% and both must stay flat; `bazaar verify` ends it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerOrSkip, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../apps/cli/src/load/index.ts';
import { parseLoadArgs } from '../../apps/cli/src/load/options.ts';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { ADMIN } from '../support/platform.ts';
import { type Sample, sample, trend } from '../support/resources.ts';
import { startCluster } from '../support/targets.ts';

const postgres = await postgresOrSkip();
const rabbit = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
// A closed model: a fixed number of shoppers, so concurrency (and with it the connections kept alive) does not
// swell with a busy machine's latency the way arrivals at a fixed rate would.
const USERS = Number(process.env.SOAK_USERS ?? 6);
const THINK_MS = 250;
// A client's patience: the machine is shared, and a slow answer is not an error unless it never comes.
const TIMEOUT_MS = 30_000;
const SAMPLE_MS = Math.max(1000, (SECONDS * 1000) / 120);
// Memory may grow by a fifth plus 32 MiB between the thirds (bounded trace and log stores still filling); fds by 20.
const RSS_FACTOR = 1.2;
const RSS_SLACK_MIB = 32;
const FD_SLACK = 20;

/** The last warn and error lines of each service's log (their folder is in the `up --cluster` banner). */
function warnings(banner: string): string {
  const dir = /Logs\s+(\S+)/.exec(banner)?.[1];
  if (!dir) return '';
  return readdirSync(dir)
    .map((f) => {
      const lines = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => /"level":"(warn|error|fatal)"|Error/.test(l));
      return lines.length
        ? `${f}: ${lines.length} lines, the last: ${lines.slice(-3).join('\n    ').slice(0, 1500)}`
        : '';
    })
    .filter(Boolean)
    .join('\n');
}

let stop: (() => Promise<void>) | undefined;
afterAll(() => stop?.(), 60_000);

describe.runIf(rabbit)(`a ${SECONDS} s soak of the shop mix (cluster mode on PostgreSQL and RabbitMQ)`, () => {
  it(
    'errors stay under 0.1%, memory and file descriptors stay flat, and every invariant holds',
    async () => {
      const cluster = await startCluster(postgres!, rabbit!, { COURIER_STEP_MS: '500' });
      stop = () => cluster.stop();
      const processes = [...cluster.platform.output().matchAll(/^\s*(\w+)\s+pid (\d+)\s+http:\/\/\S+:(\d+)/gm)].map(
        (m) => ({ name: `${m[1]}:${m[3]}`, pid: Number(m[2]) }),
      );
      expect(processes.length).toBeGreaterThanOrEqual(8);
      const series = new Map<string, Sample[]>(processes.map((p) => [p.name, []]));
      const sampler = setInterval(() => {
        for (const p of processes) {
          const s = sample(p.pid);
          if (s) series.get(p.name)!.push(s);
        }
      }, SAMPLE_MS);
      const env = { BAZAAR_ADMIN_EMAIL: ADMIN.email, BAZAAR_ADMIN_PASSWORD: ADMIN.password };
      const options = parseLoadArgs(
        [
          '--url',
          cluster.gatewayUrl,
          '--users',
          String(USERS),
          '--think',
          String(THINK_MS),
          '--duration',
          `${SECONDS}s`,
          '--restock',
          '--customers',
          '20',
          '--timeout',
          String(TIMEOUT_MS),
        ],
        env,
      );
      const summary = await runLoad(options).finally(() => clearInterval(sampler));

      const { count, failed } = summary.total;
      console.log(
        `soak: ${count} actions in ${summary.elapsedS.toFixed(0)} s with ${USERS} shoppers, ${failed} failed (${((100 * failed) / count).toFixed(3)}%), errors ${JSON.stringify(summary.errors)}, dropped ${summary.dropped}, unfinished ${summary.unfinished}`,
      );
      for (const [action, a] of Object.entries(summary.actions))
        if (a?.failed) console.log(`  ${action}: ${a.failed} of ${a.count} failed ${JSON.stringify(a.errors)}`);
      if (failed) console.log(`the services' last warnings:\n${warnings(cluster.platform.output())}`);
      const unflat: string[] = [];
      for (const [name, samples] of series) {
        const rss = trend(
          samples.map((s) => s.rssMiB),
          RSS_FACTOR,
          RSS_SLACK_MIB,
        );
        const fds = trend(
          samples.map((s) => s.fds),
          1,
          FD_SLACK,
        );
        console.log(
          `${rss.flat && fds.flat ? '✓' : '✗'} ${name.padEnd(16)} rss ${rss.first.toFixed(0)} → ${rss.last.toFixed(0)} MiB (bound ${rss.bound.toFixed(0)})   fds ${fds.first} → ${fds.last} (bound ${fds.bound})   ${samples.length} samples`,
        );
        if (!rss.flat || !fds.flat) unflat.push(name);
      }
      expect(count).toBeGreaterThan(SECONDS); // at least one action a second: the load did run
      expect(failed / count).toBeLessThan(0.001);
      expect(summary.unfinished).toBe(0);
      expect(unflat).toEqual([]);

      const checks = await verifyPlatform(cluster.gatewayUrl, 90_000, ADMIN);
      for (const c of checks)
        console.log(
          `${c.ok ? '✓' : '✗'} ${c.name}${c.problems.length ? `\n    ${c.problems.slice(0, 10).join('\n    ')}` : ''}`,
        );
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    },
    (SECONDS + 300) * 1000,
  );
});
