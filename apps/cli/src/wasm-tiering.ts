// PGlite's WebAssembly, optimised later. V8 first compiles each WASM function with its baseline compiler, then
// recompiles it with TurboFan on background threads once it has run for a budget of work. PostgreSQL's start runs much
// of its code just long enough to spend V8's default budget, so a start-up on 2 cores shared the CPU with about 1 s of
// recompiling code it would not run again. A budget 15× larger leaves start-up code at baseline and still optimises
// what a workload keeps hot: a steady stream of transactions reached its full speed after a few seconds here
// (bench/RESULTS.md, start-up).
import { setFlagsFromString } from 'node:v8';

/** V8's own budget, for reference (`node --v8-options`: --wasm-tiering-budget). */
export const V8_DEFAULT_TIERING_BUDGET = 13_000_000;

/** Sets the budget unless it is 0 or node was started with its own --wasm-tiering-budget (execArgv). */
export function raiseWasmTieringBudget(budget: number, nodeFlags: string[]): boolean {
  if (budget <= 0 || nodeFlags.some((f) => f.includes('wasm-tiering-budget'))) return false;
  // Read when a WASM instance is made: set before the first PGlite starts, it holds for every one of this process.
  setFlagsFromString(`--wasm-tiering-budget=${budget}`);
  return true;
}
