// `bazaar load` for a few seconds against the embedded platform: the command runs end to end, orders go through.
import { spawn } from 'node:child_process';
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

it('runs the shop mix for 3 s with no 5xx and some orders placed', async () => {
  const main = join(import.meta.dirname, '../main.ts');
  const child = spawn(
    process.execPath,
    [main, 'load', '--url', platform.gatewayUrl, '--rate', '40', '--duration', '3s', '--customers', '3', '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, stderr).toBe(0);
  const summary = JSON.parse(stdout) as LoadSummary;
  expect(summary.model).toBe('open');
  expect(summary.total.count).toBeGreaterThan(60);
  const fivexx = Object.keys(summary.errors).filter((k) => /^5\d\d/.test(k));
  expect(fivexx, JSON.stringify(summary.errors)).toEqual([]);
  expect(summary.actions.order?.ok ?? 0).toBeGreaterThan(0);
  expect(summary.actions.browse?.count ?? 0).toBeGreaterThan(0);
  expect(summary.total.p99).toBeGreaterThan(0);
  expect(stderr).toContain('req/s');
}, 60_000);
