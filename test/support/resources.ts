// Samples a process's resident memory and open file descriptors from /proc, and judges whether a series stayed flat.
import { readdirSync, readFileSync } from 'node:fs';

export type Sample = { rssMiB: number; fds: number };

/** sample reads /proc/<pid>: VmRSS and the fd directory (Linux only; undefined once the process is gone). */
export function sample(pid: number): Sample | undefined {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { rssMiB: Number(rss?.[1] ?? 0) / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export type Trend = { first: number; last: number; bound: number; flat: boolean };

/**
 * trend drops the warm-up (the first quarter), then compares the medians of the first and last thirds of the rest:
 * flat when the last is within `factor` × first + `slack`. Medians ignore a GC pause or a burst at one sample.
 */
export function trend(series: number[], factor: number, slack: number): Trend {
  const steady = series.slice(Math.floor(series.length / 4));
  const third = Math.max(1, Math.floor(steady.length / 3));
  const first = median(steady.slice(0, third));
  const last = median(steady.slice(-third));
  const bound = first * factor + slack;
  return { first, last, bound, flat: last <= bound };
}
