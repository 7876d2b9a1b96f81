// A real Prometheus (Debian's package) scrapes every service of the embedded platform; the key series must exist.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../support/platform.ts';
import { freePorts } from '../support/process.ts';
import { Shopper } from '../support/shop.ts';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
if (!hasPrometheus) {
  if (process.env.CI === 'true') throw new Error('prometheus is not installed; CI requires it (apt-get install prometheus)');
  console.warn('skipping: the prometheus binary is not installed (apt-get install prometheus)');
}

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let prometheus: ChildProcess;
let api: string;
const dir = mkdtempSync(join(tmpdir(), 'bazaar-prometheus-'));

const query = async (promql: string) => {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
};

describe.runIf(hasPrometheus)('Prometheus scraping every service', () => {
  beforeAll(async () => {
    platform = await startTestPlatform();
    const shopper = new Shopper(platform.gatewayUrl);
    await shopper.signUp();
    await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'jazzcash', wallet: '03001234567' });
    const targets = { gateway: platform.gatewayUrl, ...platform.urls };
    const jobs = ['gateway', 'users', 'inventory', 'orders', 'payments', 'shipping']
      .map((job) => `  - job_name: ${job}\n    static_configs:\n      - targets: ['${new URL(targets[job as keyof typeof targets]).host}']`)
      .join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n${jobs}\n`);
    const [port] = await freePorts(1);
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    for (let i = 0; i < 300; i++) {
      const up = await query('up').catch(() => []);
      if (up.length === 6 && up.every((r) => r.value[1] === '1')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('Prometheus did not scrape all six services');
  }, 90_000);

  afterAll(async () => {
    prometheus?.kill();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every service up', async () => {
    const up = await query('up');
    expect(up.map((r) => r.metric.job).sort()).toEqual(['gateway', 'inventory', 'orders', 'payments', 'shipping', 'users']);
  });

  it('has request rate, errors and latency per route for every service', async () => {
    const series = await query('sum by (service) (http_server_request_duration_seconds_count)');
    expect(series.map((r) => r.metric.service).sort()).toEqual(['gateway', 'inventory', 'orders', 'payments', 'shipping', 'users']);
    const routes = await query('http_server_request_duration_seconds_bucket{service="orders",route="/api/orders",le="0.5"}');
    expect(routes.length).toBeGreaterThan(0);
  });

  it('has outbox backlog, dead letters, breaker state and process figures', async () => {
    for (const name of ['outbox_backlog_events', 'outbox_oldest_age_seconds', 'payments_circuit_breaker_state', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect((await query(name)).length, name).toBeGreaterThan(0);
    }
  });
});
