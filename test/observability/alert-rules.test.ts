// deploy/'s alert rules against the series their unit tests feed them (promtool, Debian's prometheus package): each
// alert fires where it should, after its `for`, and nowhere else.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) {
  if (process.env.CI === 'true')
    throw new Error('promtool is not installed; CI requires it (apt-get install prometheus)');
  console.warn('skipping: the promtool binary is not installed (apt-get install prometheus)');
}

describe.runIf(hasPromtool)("deploy/'s alert rules", () => {
  it('pass their unit tests (rules.test.yml): a stopped consumer and a growing queue alert, a busy one does not', () => {
    const tests = join(import.meta.dirname, '../../deploy/prometheus/rules.test.yml');
    const run = spawnSync('promtool', ['test', 'rules', tests], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
