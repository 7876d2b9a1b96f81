// PGlite's WebAssembly, optimised later. V8 first compiles each WASM function with its baseline compiler, then
// recompiles it with TurboFan on background threads once it has run for a budget of work. PostgreSQL's start runs much
// of its code just long enough to spend V8's default budget, so a start-up on 2 cores shared the CPU with about 1 s of
// recompiling code it would not run again. A budget 15× larger leaves start-up code at baseline (0.4-0.7 s off a warm
// start here) and still optimises what a workload keeps hot, later: a tight loop of transactions reached full speed
// after a few seconds, but the whole platform under a steady order load, its work spread over more of PostgreSQL,
// placed about 15 % fewer orders a second after a minute (one run each, 2026-12-06). Start-up has a budget and
// embedded throughput has none; BAZAAR_WASM_TIERING_BUDGET=0 gives V8's own where sustained load matters more.
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
