// The request-duration histogram, by method, route and status, counted where a request ends. prom-client's
// Histogram hashes its label object on every observation, a cost on every request; this one finds its series
// through two maps (route and status, then method) and adds to plain numbers. prom-client's registry still
// formats it at each scrape: `get` answers in the shape its own histograms do.
import type { Metric, Registry } from 'prom-client';

type Series = { labels: { method: string; route: string; status: number }; counts: number[]; sum: number };

type Labels = Record<string, string | number>;
type Sample = { labels: Labels; sharedLabels: Labels; value: number; metricName: string };
type Exposed = { name: string; help: string; type: string; aggregator: string; values: Sample[] };

export class RequestDurations {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: number[];
  // route → status → method → series
  private series = new Map<string, Map<number, Map<string, Series>>>();

  constructor(name: string, help: string, bounds: number[]) {
    this.name = name;
    this.help = help;
    this.bounds = [...bounds].sort((a, b) => a - b);
  }

  /** register adds the histogram to a registry, which formats it with prom-client's own metrics. */
  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byStatus = this.series.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.series.set(route, byStatus);
    }
    let byMethod = byStatus.get(status);
    if (byMethod === undefined) {
      byMethod = new Map();
      byStatus.set(status, byMethod);
    }
    let one = byMethod.get(method);
    if (one === undefined) {
      one = { labels: { method, route, status }, counts: new Array(this.bounds.length + 1).fill(0), sum: 0 };
      byMethod.set(method, one);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]) i++;
    one.counts[i]++;
    one.sum += seconds;
  }

  /** getForPromString answers the samples as prom-client's Histogram does for the text format: cumulative buckets
   * with `le` first, then sum and count, each series' labels shared by its samples. */
  async getForPromString(): Promise<Exposed> {
    const values: Sample[] = [];
    for (const byStatus of this.series.values())
      for (const byMethod of byStatus.values())
        for (const { labels, counts, sum } of byMethod.values()) {
          let seen = 0;
          for (let i = 0; i <= this.bounds.length; i++) {
            seen += counts[i];
            const le = i < this.bounds.length ? this.bounds[i] : '+Inf';
            values.push({ labels: { le }, sharedLabels: labels, value: seen, metricName: `${this.name}_bucket` });
          }
          values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
          values.push({ labels: {}, sharedLabels: labels, value: seen, metricName: `${this.name}_count` });
        }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** get answers the same with each sample's labels in one object, as prom-client's get does (JSON). */
  async get(): Promise<Exposed> {
    const exposed = await this.getForPromString();
    for (const v of exposed.values) v.labels = { ...v.labels, ...v.sharedLabels };
    return exposed;
  }

  reset(): void {
    this.series = new Map();
  }
}
