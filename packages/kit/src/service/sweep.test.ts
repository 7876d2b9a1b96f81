import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { startSweep } from './sweep.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startSweep', () => {
  it('runs one sweep at a time, logs a failed run and goes on, and stop() waits for the run in progress', async () => {
    const lines: { msg: string; err?: string }[] = [];
    const log = createLogger('test', { level: 'info', sink: { write: (l: string) => lines.push(JSON.parse(l)) } });
    let runs = 0;
    let overlapping = 0;
    let inFlight = 0;
    let finished = 0;
    const sweep = startSweep(
      10,
      async () => {
        runs++;
        inFlight++;
        if (inFlight > 1) overlapping++;
        await sleep(35);
        inFlight--;
        finished++;
        if (runs === 1) throw new Error('database away');
      },
      log,
      'test sweep failed; the next one retries',
    );
    await sleep(150);
    await sweep.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(overlapping).toBe(0);
    expect(finished).toBe(runs);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'test sweep failed; the next one retries', err: 'Error: database away' }),
    );
    const after = runs;
    await sleep(40);
    expect(runs).toBe(after);
  });
});
