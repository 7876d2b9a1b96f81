import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { V8_DEFAULT_TIERING_BUDGET } from './wasm-tiering.ts';

// (func (export "f") (param $n i32) (result i32) (local $s i32)
//   (loop (s += n) (n -= 1) (br_if 0 (n))) (s))
const LOOP_MODULE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x1d, 0x01, 0x1b, 0x01, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x01,
  0x20, 0x00, 0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x01,
  0x0b,
];

/** Whether a WASM loop run for a while is TurboFan code afterwards, in a process that set the budget (0: left as is). */
const optimisedAfterAWhile = (budget: number): boolean =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        // Tier-up runs at once on the calling thread, so the answer does not depend on background threads.
        '--wasm-sync-tier-up',
        '--allow-natives-syntax',
        '--input-type=module',
        '-e',
        `const { raiseWasmTieringBudget } = await import(${JSON.stringify(new URL('./wasm-tiering.ts', import.meta.url).href)});
         raiseWasmTieringBudget(${budget}, []);
         const { instance } = await WebAssembly.instantiate(new Uint8Array(${JSON.stringify(LOOP_MODULE)}));
         const f = instance.exports.f;
         if (f(4) !== 10) throw new Error('the test module does not sum');
         for (let i = 0; i < 3; i++) f(1_000_000);
         console.log(JSON.stringify(%IsTurboFanFunction(f)));`,
      ],
      { encoding: 'utf8' },
    ),
  );

describe('the WASM tiering budget of the embedded process', () => {
  it("with V8's own budget, a loop that runs a few million times is recompiled by TurboFan", () => {
    expect(optimisedAfterAWhile(0)).toBe(true);
  });

  it('with the raised budget, the same loop stays at baseline: the flag reaches V8', () => {
    expect(optimisedAfterAWhile(15 * V8_DEFAULT_TIERING_BUDGET)).toBe(false);
  });
});
