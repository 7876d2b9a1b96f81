// Profiling a Bazaar run: every Node process under node --cpu-prof, driven as the measured runs are.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runAutocannon } from '../../lib/drive.ts';
import { startBazaar } from '../../lib/platform.ts';
import { sleep } from '../../lib/proc.ts';
import { monotonicUs, summarizeProfile } from '../../lib/profile.ts';
import { fmt } from '../../lib/report.ts';
import type { BenchSettings, ProfileSummary } from '../../lib/types.ts';
import { CONNECTIONS, orderRequest, servicesByPid } from './targets.ts';

/** Profiles every Node process of a Bazaar run under the same load; answers one summary per busy process. */
export async function profileBazaar(
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
