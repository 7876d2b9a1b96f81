// `npm run bench`: runs each benchmark pair on this machine, in this run, and writes bench/RESULTS.md,
// bench/results.json, bench/chart.svg and the README's benchmark section.
//   npm run bench                         every scenario
//   npm run bench -- --only gateway       one (or several, comma-separated): gateway, orders, hop, lag, startup
//   npm run bench -- --quick              1 × 3 s per measurement, to try the harness
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commit, cpuSpeedMBps, load1, type Machine, machine, otherWorkPct } from './lib/machine.ts';
import { root } from './lib/proc.ts';
import { chartSvg, readmeSection, replaceBetweenMarkers, resultsMarkdown } from './lib/report.ts';
import type { BenchSettings, Scenario, ScenarioResult } from './lib/types.ts';
import { wakeupCost } from './lib/wakeup.ts';
import { opportunitiesFor } from './opportunities.ts';
import { gatewayScenario } from './scenarios/gateway.ts';
import { hopScenario } from './scenarios/hop.ts';
import { lagScenario } from './scenarios/lag.ts';
import { ordersScenario } from './scenarios/orders.ts';
import { startupScenario } from './scenarios/startup.ts';

const scenarios: Scenario[] = [gatewayScenario, ordersScenario, hopScenario, lagScenario, startupScenario];

const help = `npm run bench -- [--only ${scenarios.map((s) => s.id).join(',')}] [--systems naive,embedded,cluster] [--duration 10] [--reps 3] [--warmup 3] [--quick] [--no-profile] [--keep] [--render]

Runs each pair on this machine in one run and writes bench/RESULTS.md, bench/results.json, bench/chart.svg and the
README's benchmark section. With --only, the other scenarios' last results are kept (each says when it ran).
Needs: nginx and wrk (apt-get install nginx-light wrk) for the gateway pairs, PostgreSQL and RabbitMQ for cluster
mode (local defaults; BENCH_DATABASE_URL and BENCH_BROKER_URL point elsewhere); a pair whose tool is missing is skipped, and says so.
--keep leaves the scratch directory (raw .cpuprofile files for Chrome DevTools); --render only re-renders the
markdown, chart and README from bench/results.json. --systems measures only those systems of the orders scenario
(for a quick A/B of one mode; the rows left out read "skipped").`;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    systems: { type: 'string' },
    duration: { type: 'string' },
    reps: { type: 'string' },
    warmup: { type: 'string' },
    quick: { type: 'boolean' },
    'no-profile': { type: 'boolean' },
    keep: { type: 'boolean' },
    render: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(help);
  process.exit(0);
}

const jsonFile = join(root, 'bench/results.json');

/** Writes RESULTS.md, chart.svg and the README section from results (and the opportunities where budgets miss). */
function render(results: ScenarioResult[], meta: { machine: Machine; command: string; started: string }): void {
  for (const r of results) r.opportunities = opportunitiesFor(r);
  writeFileSync(join(root, 'bench/RESULTS.md'), resultsMarkdown(results, meta));
  writeFileSync(join(root, 'bench/chart.svg'), chartSvg(results.flatMap((r) => r.charts)));
  // The generated files are laid out as `biome format` would (aligned tables, JSON layout); in the README only
  // the generated section is: the rest of that file is not this script's.
  const section = join(root, 'bench/.readme-section.md');
  writeFileSync(section, readmeSection(results, meta));
  biomeFormat(['bench/RESULTS.md', 'bench/results.json', 'bench/.readme-section.md']);
  const formatted = readFileSync(section, 'utf8').trimEnd();
  rmSync(section, { force: true });
  if (!replaceBetweenMarkers(join(root, 'README.md'), formatted))
    console.warn('README.md has no <!-- bench:start --> / <!-- bench:end --> markers; its section was not updated');
}

function biomeFormat(files: string[]): void {
  const biome = spawnSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', ...files], { cwd: root });
  if (biome.status !== 0)
    console.warn(`biome format failed on ${files.join(', ')}: ${biome.stderr?.toString().trim()}`);
}

if (values.render) {
  // Only re-render the last results (after editing the report or the opportunities); measures nothing.
  const saved = JSON.parse(readFileSync(jsonFile, 'utf8'));
  render(saved.scenarios, { machine: saved.machine, command: saved.command, started: saved.generatedAt });
  console.log('Re-rendered bench/RESULTS.md, bench/chart.svg and the README section from bench/results.json.');
  process.exit(0);
}

const only = values.only ? values.only.split(',').map((s) => s.trim()) : undefined;
for (const id of only ?? [])
  if (!scenarios.some((s) => s.id === id)) {
    console.error(`unknown scenario "${id}"; one of ${scenarios.map((s) => s.id).join(', ')}`);
    process.exit(2);
  }
const tmp = mkdtempSync(join(tmpdir(), 'bazaar-bench-'));
const settings: BenchSettings = {
  durationS: Number(values.duration ?? (values.quick ? 3 : 10)),
  reps: Number(values.reps ?? (values.quick ? 1 : 3)),
  warmupS: Number(values.warmup ?? (values.quick ? 1 : 3)),
  tmp,
  profile: !values['no-profile'],
  systems: values.systems?.split(',').map((s) => s.trim()),
  log: (line) => console.log(line),
};

const started = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const host = machine();
console.log(
  `Bazaar bench: ${host.cores} cores, ${host.cpu}, ${host.memoryGiB} GiB, Node ${host.node}, load ${host.load1}; commit ${host.commit.slice(0, 12)}\n` +
    `${settings.reps} × ${settings.durationS} s per measurement after ${settings.warmupS} s warm-up; scratch ${tmp}`,
);

const previous: Record<string, ScenarioResult> = {};
if (only && existsSync(jsonFile)) {
  try {
    for (const r of JSON.parse(readFileSync(jsonFile, 'utf8')).scenarios as ScenarioResult[]) previous[r.id] = r;
  } catch {
    // An unreadable old file is replaced.
  }
}

const fresh: Record<string, ScenarioResult> = {};
let failed = false;
for (const scenario of scenarios) {
  if (only && !only.includes(scenario.id)) continue;
  console.log(`\n== ${scenario.title} (${scenario.id})`);
  const before = load1();
  const otherWork = await otherWorkPct();
  const speedBefore = cpuSpeedMBps();
  const wakeup = await wakeupCost().catch((err) => console.warn(`the wake-up check failed: ${err.message}`));
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    const r = await scenario.run(settings);
    fresh[scenario.id] = {
      id: scenario.id,
      title: scenario.title,
      at,
      commit: commit(),
      load: { before, after: load1() },
      otherWorkPct: otherWork,
      speed: { before: speedBefore, after: cpuSpeedMBps() },
      wakeup: wakeup ?? undefined,
      ...r,
    };
  } catch (err) {
    failed = true;
    console.error(`${scenario.id} failed:`, err);
    fresh[scenario.id] = {
      id: scenario.id,
      title: scenario.title,
      at,
      commit: commit(),
      load: { before, after: load1() },
      otherWorkPct: otherWork,
      speed: { before: speedBefore, after: cpuSpeedMBps() },
      wakeup: wakeup ?? undefined,
      skipped: `the scenario failed: ${(err as Error).message.split('\n')[0]}`,
      tables: [],
      metrics: {},
      budgets: [],
      notes: [],
      charts: [],
      profiles: [],
    };
  }
  for (const b of fresh[scenario.id].budgets)
    console.log(`  budget ${b.met === null ? '–' : b.met ? '✓' : '✗'} ${b.name}: ${b.actual} (target ${b.target})`);
}

const results = scenarios.map((s) => fresh[s.id] ?? previous[s.id]).filter((r): r is ScenarioResult => Boolean(r));
const meta = { machine: host, command, started };
writeFileSync(
  jsonFile,
  `${JSON.stringify({ generatedAt: started, command, machine: host, settings: { ...settings, tmp: undefined, log: undefined }, scenarios: results }, null, 2)}\n`,
);
render(results, meta);
console.log('\nWrote bench/RESULTS.md, bench/results.json, bench/chart.svg and the README section.');
if (!values.keep) rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
