// `bazaar load` for a few seconds against the embedded platform: the command runs end to end, orders go through.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPlatform } from '../../../../test/support/platform.ts';
import type { Embedded } from '../embedded.ts';
import type { LoadSummary } from './runner.ts';

let platform: Embedded;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform?.stop());

/** Runs `bazaar load` with these arguments against the url; `during` runs while it does. */
async function load(url: string, args: string[], during?: (child: ChildProcess) => Promise<void>) {
  const main = join(import.meta.dirname, '../main.ts');
  const child = spawn(process.execPath, [main, 'load', '--url', url, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': the last of its output can still be on the way when it exits.
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await during?.(child);
  return { code: await exited, stdout, stderr };
}

it('runs the shop mix for 3 s with no 5xx and some orders placed', async () => {
  const { code, stdout, stderr } = await load(platform.gatewayUrl, [
    '--rate',
    '40',
    '--duration',
    '3s',
    '--customers',
    '3',
  ]);
  expect(code, stderr).toBe(0);
  const summary = JSON.parse(stdout) as LoadSummary;
  expect(summary.model).toBe('open');
  expect(summary.total.count).toBeGreaterThan(60);
  const fivexx = Object.keys(summary.errors).filter((k) => /^5\d\d/.test(k));
  expect(fivexx, JSON.stringify(summary.errors)).toEqual([]);
  expect(summary.actions.order?.ok ?? 0).toBeGreaterThan(0);
  expect(summary.actions.browse?.count ?? 0).toBeGreaterThan(0);
  expect(summary.total.p99).toBeGreaterThan(0);
  expect(stderr).toContain('actions/s');
}, 60_000);

it('exits 1 and says so when the target goes away mid-run; what got no answer is left out of the latencies', async () => {
  const doomed = await startTestPlatform();
  const run = await load(doomed.gatewayUrl, ['--rate', '40', '--duration', '4s', '--customers', '2'], async (child) => {
    // Once the measured run has begun: a fixed wait from the spawn lost the race on a busy machine.
    await runBegun(child);
    await new Promise((r) => setTimeout(r, 1_000));
    await doomed.stop();
  });
  expect(run.code, run.stderr).toBe(1);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  expect(summary.unanswered).toBeGreaterThan(0);
  // Named by the network error (ECONNREFUSED, ECONNRESET…), not by a status.
  expect(
    Object.keys(summary.errors).some((k) => /^E[A-Z]+$/.test(k)),
    JSON.stringify(summary.errors),
  ).toBe(true);
  expect(summary.total.count - summary.unanswered).toBeGreaterThan(0);
  expect(run.stderr).toContain('got no answer at all');
}, 60_000);

it('Ctrl-C stops a long run early and still prints the summary of what ran, exit 130', async () => {
  const run = await load(
    platform.gatewayUrl,
    ['--rate', '20', '--duration', '5m', '--customers', '2'],
    async (child) => {
      await runBegun(child);
      await new Promise((r) => setTimeout(r, 1_500));
      child.kill('SIGINT');
    },
  );
  expect(run.code, run.stderr).toBe(130);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  expect(summary.interrupted).toBe(true);
  expect(summary.total.count).toBeGreaterThan(10);
  // Rates are over the time it ran, not the five minutes asked for.
  expect(summary.total.rps).toBeGreaterThan(5);
  expect(run.stderr).toContain('stopped by Ctrl-C');
}, 60_000);

/** Resolves once the measured run has begun (its progress line says so). */
function runBegun(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      if (d.toString().includes('actions/s')) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
  });
}
