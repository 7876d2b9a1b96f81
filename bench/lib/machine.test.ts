import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { otherWorkPct } from './machine.ts';

describe.runIf(existsSync('/proc/stat'))('the other-work check', () => {
  it('sees a core kept busy by someone else as that core’s share of the machine', async () => {
    const spinner = new Worker('const until = Date.now() + 1500; while (Date.now() < until);', { eval: true });
    await new Promise((r) => spinner.once('online', r));
    const pct = await otherWorkPct(600);
    await spinner.terminate();
    expect(pct).toBeGreaterThanOrEqual((100 / availableParallelism()) * 0.8);
    expect(pct).toBeLessThanOrEqual(100);
  });
});
