import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth } from './heap.ts';

// A process holding about 130 MB of live objects in a ring while it allocates around them, as requests in flight do;
// it bounds its heap growth at run time, as `bazaar start` does, and prints the largest heap V8 reserved meanwhile,
// in MiB. Its GC runs on the main thread only, so when it collects depends on what it allocates, not on how busy the
// machine is. Left alone, V8 picks the growth from how fast it collects against how fast the process allocates, up
// to 4× (+300 %): a figure that moves with the machine's load (186 to 337 MiB here on the same code), so the test
// compares two fixed bounds instead, +50 % against V8's own ceiling of +300 %.
const busyProcess = (percent: number): number =>
  Number(
    execFileSync(
      process.execPath,
      [
        '--single-threaded-gc',
        '--input-type=module',
        '-e',
        `const { boundHeapGrowth } = await import(${JSON.stringify(new URL('./heap.ts', import.meta.url).href)});
         boundHeapGrowth(${percent}, []);
         const ring = new Array(130_000);
         let peak = 0;
         for (let i = 0; i < 1_500_000; i++) {
           ring[i % ring.length] = { id: i, payload: 'x'.repeat(900 + (i % 7)), more: [i, i + 1, i + 2] };
           if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
         }
         console.log(Math.round(peak / 2 ** 20));`,
      ],
      { encoding: 'utf8' },
    ),
  );

describe('bounding the heap growth', () => {
  it('takes effect when set at run time: a busy heap grown by half stays well under one grown 4×', () => {
    const loose = busyProcess(300);
    const bounded = busyProcess(50);
    expect(bounded).toBeLessThan(loose * 0.8);
  }, 60_000);

  it('leaves the heap to V8 at 0, and to Node flags that set the growth themselves', () => {
    expect(boundHeapGrowth(0, [])).toBe(false);
    expect(boundHeapGrowth(50, ['--max-old-space-size=512', '--heap-growing-percent=20'])).toBe(false);
  });
});
