import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { switchesSnapshot } from './proc.ts';
import { wakeupCost } from './wakeup.ts';

describe('the wake-up check', () => {
  it('measures a server CPU cost per request, kept busy and after idle', async () => {
    const cost = await wakeupCost();
    expect(cost.gapMs).toBeGreaterThan(0);
    // A request costs the server some CPU either way, and never a whole gap of idle time.
    for (const us of [cost.hotUs, cost.afterIdleUs]) {
      expect(us).toBeGreaterThan(0);
      expect(us).toBeLessThan(cost.gapMs * 1000);
    }
  });
});

describe.runIf(existsSync('/proc/self/status'))('context switches of a process', () => {
  it('grow by at least one for each time its event loop sleeps and wakes', async () => {
    const child = spawn(process.execPath, [
      '-e',
      `process.stdin.resume(); process.stdout.write('ready\\n');
       process.stdin.once('data', () => { let n = 0;
         const t = setInterval(() => { if (++n === 30) { clearInterval(t); process.stdout.write('done\\n'); } }, 10); });`,
    ]);
    const said = (word: string) =>
      new Promise<void>((resolve) => {
        const listen = (chunk: Buffer) => {
          if (!String(chunk).includes(word)) return;
          child.stdout.off('data', listen);
          resolve();
        };
        child.stdout.on('data', listen);
      });
    const pid = child.pid!;
    await said('ready');
    const before = switchesSnapshot([pid]).get(pid)!;
    const done = said('done');
    child.stdin.write('go\n');
    await done;
    const after = switchesSnapshot([pid]).get(pid)!;
    child.kill();
    expect(after - before).toBeGreaterThanOrEqual(30);
    expect(switchesSnapshot([999_999_999]).size).toBe(0);
  });
});
