import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestDurations } from './request-durations.ts';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const observations: [string, string, number, number][] = [
  ['GET', '/api/products', 200, 0.0004],
  ['GET', '/api/products', 200, 0.001], // on a bound: counted in it, as prom-client does
  ['GET', '/api/products', 200, 0.05],
  ['POST', '/api/orders', 201, 0.3],
  ['POST', '/api/orders', 409, 7], // past the last bound: +Inf only
  ['GET', '/api/products', 404, 0.002],
];

/** The exposition text of prom-client's own Histogram and of ours, after the same observations. */
async function bothTexts() {
  const theirs = new Registry();
  const ours = new Registry();
  for (const r of [theirs, ours]) r.setDefaultLabels({ service: 'shop' });
  const histogram = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP requests served, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [theirs],
  });
  const durations = new RequestDurations(
    'http_server_request_duration_seconds',
    'HTTP requests served, by method, route and status',
    BUCKETS,
  ).register(ours);
  for (const [method, route, status, seconds] of observations) {
    histogram.observe({ method, route, status }, seconds);
    durations.observe(method, route, status, seconds);
  }
  return { theirs: await theirs.metrics(), ours: await ours.metrics(), durations, registry: ours };
}

const lines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('request durations', () => {
  it('exposes the same samples as a prom-client Histogram fed the same observations', async () => {
    const { theirs, ours } = await bothTexts();
    expect(lines(ours)).toEqual(lines(theirs));
    expect(ours).toContain(
      'http_server_request_duration_seconds_bucket{le="0.001",service="shop",method="GET",route="/api/products",status="200"} 2',
    );
    expect(ours).toContain(
      'http_server_request_duration_seconds_count{service="shop",method="POST",route="/api/orders",status="409"} 1',
    );
  });

  it('answers JSON as the registry gives it, and starts again from nothing when reset', async () => {
    const { durations, registry } = await bothTexts();
    const [metric] = await registry.getMetricsAsJSON();
    expect(metric).toMatchObject({ name: 'http_server_request_duration_seconds', type: 'histogram' });
    registry.resetMetrics();
    expect((await durations.get()).values).toEqual([]);
    durations.observe('GET', '/x', 200, 0.5);
    expect((await durations.get()).values.at(-1)).toMatchObject({ value: 1 });
  });
});
