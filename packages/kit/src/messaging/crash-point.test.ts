import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashPoint } from './crash-point.ts';

const module = join(import.meta.dirname, 'crash-point.ts');

/** Runs a child that arms `setting` and passes `point` `times` times; answers how it ended. */
function child(setting: string, point: string, times: number, onceFile?: string) {
  const script = `import { armCrashPoint, passCrashPoint } from ${JSON.stringify(module)};
armCrashPoint('orders', ${JSON.stringify(setting)}, ${JSON.stringify(onceFile)});
for (let i = 1; i <= ${times}; i++) { passCrashPoint(${JSON.stringify(point)}); console.log('passed', i); }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { signal: run.signal, passed: run.stdout.trim().split('\n').filter(Boolean).length };
}

describe('crash points', () => {
  it('SIGKILLs the process the nth time it passes its point, and only then', () => {
    expect(child('orders/outbox-published@3', 'outbox-published', 5)).toEqual({ signal: 'SIGKILL', passed: 2 });
  });

  it('ignores other points and other services', () => {
    expect(child('orders/outbox-published@1', 'consumer-handled', 3)).toEqual({ signal: null, passed: 3 });
    expect(child('users/outbox-published@1', 'outbox-published', 3)).toEqual({ signal: null, passed: 3 });
  });

  it('kills once per once-file: the first process claims it, a replica after it goes on', () => {
    const onceFile = join(mkdtempSync(join(tmpdir(), 'crash-point-')), 'crashed');
    expect(child('orders/consumer-handled@1', 'consumer-handled', 2, onceFile).signal).toBe('SIGKILL');
    expect(existsSync(onceFile)).toBe(true);
    expect(child('orders/consumer-handled@1', 'consumer-handled', 2, onceFile)).toEqual({ signal: null, passed: 2 });
  });

  it('refuses a setting it cannot read', () => {
    expect(() => crashPoint('orders', 'orders:outbox-published:3')).toThrow(/CRASH_AT/);
  });
});
