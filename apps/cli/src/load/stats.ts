// Latency statistics for the load generator: a log-bucketed histogram (1 % wide buckets), constant memory however
// long the run, mergeable, exact enough for p50/p95/p99 (within 1 %).

const MIN_MS = 0.01;
const MAX_MS = 600_000;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 1;

/** Histogram of latencies in milliseconds. Values below 10 µs count as 10 µs; above 10 min as 10 min. */
export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.counts[bucketOf(ms)]++;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** The value at percentile p (0..100): the upper edge of its bucket, clamped to the observed min and max. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank)
        return i === BUCKETS - 1 ? this.max : Math.min(this.max, Math.max(this.min, MIN_MS * GROWTH ** i));
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  merge(other: Histogram): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  if (ms >= MAX_MS) return BUCKETS - 1;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH - 1e-9));
}

/**
 * One action's tally: successes, failures by status and code, and the latencies of every attempt that got an answer
 * (one that got none, refused or timed out, would make the percentiles look fast or slow for what never happened).
 */
export class ActionStats {
  readonly latency = new Histogram();
  ok = 0;
  /** Attempts that ended within the run's duration: the rate's numerator (the last answers waited for come after). */
  withinRun = 0;
  readonly errors = new Map<string, number>();

  get count(): number {
    return this.ok + this.failed;
  }

  get failed(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  success(ms: number): void {
    this.latency.record(ms);
    this.ok++;
  }

  failure(ms: number, key: string, answered = true): void {
    if (answered) this.latency.record(ms);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }
}

/** A moving count over the last second, for the progress line. */
export class RateWindow {
  private readonly stamps: number[] = [];
  private head = 0;

  mark(now: number): void {
    this.stamps.push(now);
  }

  /** Events per second over the last `windowMs` before now. */
  rate(now: number, windowMs = 1000): number {
    while (this.head < this.stamps.length && this.stamps[this.head] < now - windowMs) this.head++;
    if (this.head > 4096) {
      this.stamps.splice(0, this.head);
      this.head = 0;
    }
    return ((this.stamps.length - this.head) * 1000) / windowMs;
  }
}

/** Median of a list of numbers (the mean of the middle two for an even count); 0 for none. */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
