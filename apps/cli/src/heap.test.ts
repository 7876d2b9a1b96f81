import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth } from './heap.ts';

// A process holding about 60 MB of live objects in a ring while it allocates around them, as requests in flight do;
// it prints the largest heap V8 reserved meanwhile, in MiB. Its GC runs on the main thread only, so when it collects
// depends on what it allocates, not on how busy the machine is: with concurrent marking, a machine running other
// tests let the bounded heap outgrow the unbounded one (245 against 186 MiB in one CI run).
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
         const ring = new Array(60_000);
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
  it('keeps a busy process heap smaller than V8 alone lets it grow', () => {
    const unbounded = busyProcess(0);
    const bounded = busyProcess(50);
    expect(bounded).toBeLessThan(unbounded * 0.9);
  }, 60_000);

  it('leaves the heap to V8 at 0, and to Node flags that set the growth themselves', () => {
    expect(boundHeapGrowth(0, [])).toBe(false);
    expect(boundHeapGrowth(50, ['--max-old-space-size=512', '--heap-growing-percent=20'])).toBe(false);
  });
});
