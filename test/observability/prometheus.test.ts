// A real Prometheus (Debian's package) scrapes every service of the embedded platform; the key series must exist.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@bazaar/cli/services';
import { freePorts } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
if (!hasPrometheus) {
  if (process.env.CI === 'true')
    throw new Error('prometheus is not installed; CI requires it (apt-get install prometheus)');
  console.warn('skipping: the prometheus binary is not installed (apt-get install prometheus)');
}

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let prometheus: ChildProcess;
let api: string;
const dir = mkdtempSync(join(tmpdir(), 'bazaar-prometheus-'));
const rules = join(import.meta.dirname, '../../deploy/prometheus/rules.yml');

const query = async (promql: string) => {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
    .data.result;
};

describe.runIf(hasPrometheus)('Prometheus scraping every service', () => {
  beforeAll(async () => {
    platform = await startTestPlatform();
    const shopper = new Shopper(platform.gatewayUrl);
    await shopper.signUp();
    await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'jazzcash', wallet: '03001234567' });
    // A declined wallet: a rejected saga, with its reason.
    await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'jazzcash', wallet: '03000000002' });
    // An event shipping cannot handle: it ends in the dead-letter queue, and broker_dead_letters counts it.
    await platform.platform.broker.publish({
      specversion: '1.0',
      id: randomUUID(),
      source: 'prometheus-test',
      type: 'OrderConfirmed',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { orderId: 'ord_poison' },
    });
    const targets = { gateway: platform.gatewayUrl, ...platform.urls };
    const jobs = ['gateway', ...SERVICE_NAMES]
      .map(
        (job) =>
          `  - job_name: ${job}\n    static_configs:\n      - targets: ['${new URL(targets[job as keyof typeof targets]).host}']`,
      )
      .join('\n');
    // The alert rules deploy/ ships, evaluated every second here.
    const config = `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${rules}\nscrape_configs:\n${jobs}\n`;
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const [port] = await freePorts(1);
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
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
    expect(up.map((r) => r.metric.job).sort()).toEqual([
      'gateway',
      'inventory',
      'orders',
      'payments',
      'shipping',
      'users',
    ]);
  });

  it('has request rate, errors and latency per route for every service', async () => {
    const series = await query('sum by (service) (http_server_request_duration_seconds_count)');
    expect(series.map((r) => r.metric.service).sort()).toEqual([
      'gateway',
      'inventory',
      'orders',
      'payments',
      'shipping',
      'users',
    ]);
    const routes = await query(
      'http_server_request_duration_seconds_bucket{service="orders",route="/api/orders",le="0.5"}',
    );
    expect(routes.length).toBeGreaterThan(0);
  });

  it('has saga outcomes (with the rejection reason) and saga step durations', async () => {
    const outcomes = await query('orders_saga_outcomes_total');
    const found = outcomes.map(
      (r) => `${r.metric.outcome}${r.metric.reason ? `:${r.metric.reason}` : ''}=${r.value[1]}`,
    );
    expect(found).toEqual(expect.arrayContaining(['confirmed=1', 'rejected:PAYMENT_DECLINED=1', 'cancelled=0']));
    const steps = await query('sum by (step) (orders_saga_step_duration_seconds_count)');
    expect(steps.map((r) => r.metric.step).sort()).toEqual(
      expect.arrayContaining(['AUTHORIZE', 'CONFIRM', 'COMPENSATE', 'RESERVE']),
    );
  });

  it('has consumer lag and outcomes, dead letters, the gRPC breakers and database pool use', async () => {
    const lag = await query('sum by (service, type) (event_consumer_lag_seconds_count)');
    expect(lag.some((r) => r.metric.service === 'shipping' && r.metric.type === 'OrderConfirmed')).toBe(true);
    const consumed = await query('events_consumed_total{outcome="failed"}');
    expect(consumed.some((r) => r.metric.service === 'shipping')).toBe(true);
    const dead = await query('broker_dead_letters');
    expect(dead.map((r) => `${r.metric.service}/${r.metric.consumer}=${r.value[1]}`)).toContain('shipping/shipping=1');
    const breakers = await query('grpc_client_circuit_breaker_state');
    expect(breakers.map((r) => r.metric.upstream).sort()).toEqual(['inventory', 'payments']);
    const pools = await query('db_pool_connections');
    const states = new Set(pools.map((r) => r.metric.state));
    expect([...states].sort()).toEqual(['idle', 'total', 'waiting']);
    expect(new Set(pools.map((r) => r.metric.service))).toEqual(new Set(SERVICE_NAMES));
  });

  it('answers every query of the Grafana dashboard (each is valid PromQL over the series the services export)', async () => {
    const dashboard = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../deploy/grafana/dashboards/bazaar.json'), 'utf8'),
    );
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) =>
      (p.targets ?? []).map((t) => t.expr),
    );
    expect(exprs.length).toBeGreaterThan(30);
    for (const expr of exprs) {
      const promql = expr.replaceAll('$__rate_interval', '1m').replaceAll('$service', '.*');
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; error?: string };
      expect(body.status, `${expr}: ${body.error ?? ''}`).toBe('success');
    }
  });

  it("loads deploy/'s alert rules, each over series the services export, and alerts on the dead letter", async () => {
    type Rule = { name: string; query: string; health: string; lastError?: string; state?: string };
    const read = async () =>
      (
        (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: { rules: Rule[] }[] } }
      ).data.groups.flatMap((g) => g.rules);
    let loaded: Rule[] = [];
    for (let i = 0; i < 50 && !loaded.some((r) => r.name === 'BazaarDeadLetters' && r.state !== 'inactive'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      loaded = await read();
    }
    expect(loaded.length).toBeGreaterThanOrEqual(9);
    for (const rule of loaded) expect(rule.health, `${rule.name}: ${rule.lastError ?? ''}`).toBe('ok');
    expect(loaded.find((r) => r.name === 'BazaarDeadLetters')?.state).toMatch(/pending|firing/);
    // A metric name no service exports would make its alert silently never fire.
    const names = new Set(
      loaded.flatMap((r) => [...r.query.matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(?!\s*\()/g)].map((m) => m[1])),
    );
    for (const name of names) expect((await query(`count(${name})`)).length, name).toBe(1);
  });

  it('has outbox backlog, dead letters, breaker state and process figures', async () => {
    for (const name of [
      'outbox_backlog_events',
      'outbox_oldest_age_seconds',
      'outbox_published_events_total',
      'broker_dead_letters',
      'payments_circuit_breaker_state',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect((await query(name)).length, name).toBeGreaterThan(0);
    }
  });
});
