// The JavaScript heap's growth, bounded. Under load most of what a service allocates dies young, but requests in
// flight keep it alive past the young generation; V8 then lets the old generation grow up to 4× what its last full
// GC kept before collecting again. Embedded mode under a steady stream of orders reached 1.08 GB resident that way,
// with a live heap under 100 MB; growing by half kept it near 840 MB at the same orders/s (`bazaar load --users 32
// --mix order=100 --duration 60s`, three runs without it, five with it). Cluster mode's services are left to V8: each
// holds a small heap, and there the bound saved about 4 % of resident memory for more CPU per order in an A/B run.
import { setFlagsFromString } from 'node:v8';

/** Applies the growth bound unless it is 0 or node was started with its own --heap-growing-percent (execArgv). */
export function boundHeapGrowth(percent: number, nodeFlags: string[]): boolean {
  if (percent <= 0 || nodeFlags.some((f) => f.includes('heap-growing-percent'))) return false;
  // Read by V8 at every full GC, so setting it now, at start-up, takes effect for the whole process.
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
