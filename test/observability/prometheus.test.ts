// A real Prometheus (Debian's package) scrapes every service of the embedded platform; the key series must exist.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@bazaar/cli/services';
import { envelope } from '@bazaar/kit/messaging';
import { freePorts } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';
import { selectors, type Types, typeErrors } from './promql.ts';

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
const deploy = join(import.meta.dirname, '../../deploy');
const rules = join(deploy, 'prometheus/rules.yml');
// The scrape job deploy/ names (Compose), so that what the dashboard and the rules ask of `job` is tried too.
const job: string = parseYaml(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8')).scrape_configs[0]
  .job_name;

let release = () => {};
const stalled = new Promise<void>((resolve) => {
  release = resolve;
});
const stalledEvent = () => envelope('prometheus-test', { type: 'PrometheusStalled', data: {} });

const query = async (promql: string) => {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
    .data.result;
};

/** Every metric's type, from the metadata Prometheus scraped. */
const metricTypes = async (): Promise<Types> => {
  const res = await fetch(`${api}/api/v1/metadata`);
  const { data } = (await res.json()) as { data: Record<string, { type: string }[]> };
  return new Map(Object.entries(data).map(([name, [m]]) => [name, m.type]));
};

/** The matchers of an expression that no scraped series meets: a label the metric lacks, or (values) an exact value
 * no series has. */
async function unmatched(expr: string, types: Types, options: { values: boolean }): Promise<string[]> {
  const misses: string[] = [];
  for (const { metric, matchers } of selectors(expr, types))
    for (const { label, op, value } of matchers) {
      const exact = op === '=' && options.values;
      const probe = exact ? `${metric}{${label}="${value}"}` : `${metric}{${label}!=""}`;
      if ((await query(`count(${probe})`)).length === 0) misses.push(probe);
    }
  return misses;
}

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
    // A consumer that has stopped: a handler of inventory's queue that does not return while the test runs.
    await platform.platform.broker.subscribe('inventory', ['PrometheusStalled'], () => stalled);
    void platform.platform.broker.publish(stalledEvent());
    const targets = { gateway: platform.gatewayUrl, ...platform.urls };
    const hosts = ['gateway', ...SERVICE_NAMES].map((s) => `'${new URL(targets[s as keyof typeof targets]).host}'`);
    // Shipping twice, as two replicas of it: both report the same queue's dead letters, as replicas do.
    const replica = `\n      - targets: [${hosts.at(-1)}]\n        labels: { replica: '2' }`;
    const jobs = `  - job_name: ${job}\n    static_configs:\n      - targets: [${hosts.join(', ')}]${replica}`;
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
      // Two scrapes of each at least, so that rate() has something to say.
      const up = await query('count_over_time(up[1m]) > 1 and up == 1').catch(() => []);
      if (up.length === 7) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('Prometheus did not scrape all six services and the second shipping');
  }, 90_000);

  afterAll(async () => {
    release();
    prometheus?.kill();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every service up', async () => {
    const up = await query('up');
    expect(up.map((r) => r.metric.job)).toEqual(Array(7).fill(job));
    const services = await query('count by (service) (process_start_time_seconds)');
    expect(services.map((r) => r.metric.service).sort()).toEqual(['gateway', ...SERVICE_NAMES].sort());
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

  it("has the depth of each queue a service consumes, read from the broker: 0 at rest, the stopped one's events", async () => {
    const depths = async () =>
      (await query('broker_queue_messages'))
        .map((r) => `${r.metric.service}/${r.metric.consumer}/${r.metric.queue}/${r.metric.state}=${r.value[1]}`)
        .sort();
    const atRest = ['orders', 'payments', 'shipping', 'users'].flatMap((s) =>
      ['ready', 'unacked'].map((state) => `${s}/${s}/${s}/${state}=0`),
    );
    // Shipping's replica reports the same queue: its series differ by `replica` alone.
    const shipping = atRest.filter((d) => d.startsWith('shipping/'));
    const expected = [
      ...atRest,
      ...shipping,
      'inventory/inventory/inventory/ready=0',
      'inventory/inventory/inventory/unacked=1',
    ];
    // Until the poison event's redeliveries are over.
    for (let i = 0; i < 50 && (await depths()).join() !== expected.sort().join(); i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await depths()).toEqual(expected.sort());
  });

  it("alerts on the stopped consumer's queue, and on it growing, and on no other", async () => {
    type Alert = { labels: Record<string, string>; state: string };
    const alerts = async (name: string) =>
      ((await (await fetch(`${api}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } }).data.alerts.filter(
        (a) => a.labels.alertname === name,
      );
    // One more event waits: the queue grows.
    void platform.platform.broker.publish(stalledEvent());
    const names = ['BazaarConsumerStopped', 'BazaarQueueGrowing'];
    for (let i = 0; i < 100; i++) {
      if ((await Promise.all(names.map(alerts))).every((found) => found.length > 0)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const name of names)
      expect(
        (await alerts(name)).map((a) => [a.labels, a.state]),
        name,
      ).toEqual([
        [
          expect.objectContaining({ service: 'inventory', consumer: 'inventory', queue: 'inventory' }),
          expect.stringMatching(/pending|firing/),
        ],
      ]);
  });

  it('shows data in every panel of the Grafana dashboard: metrics of the right type, label values that exist', async () => {
    const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards/bazaar.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) =>
      (p.targets ?? []).map((t) => t.expr),
    );
    expect(exprs.length).toBeGreaterThan(30);
    // The queue depths: a consumer that has stopped shows nowhere else.
    expect(exprs.filter((e) => e.includes('broker_queue_messages'))).toHaveLength(1);
    const types = await metricTypes();
    const problems: string[] = [];
    for (const expr of exprs) {
      const promql = expr.replaceAll('$__rate_interval', '1m').replaceAll('$service', '.*');
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      if (body.status !== 'success') problems.push(`${expr}: ${body.error}`);
      // An empty answer is a panel that says "No data" on a platform that has taken orders.
      else if (body.data!.result.length === 0) problems.push(`${expr}: no series`);
      for (const error of typeErrors(promql, types)) problems.push(`${expr}: ${error}`);
      for (const miss of await unmatched(promql, types, { values: true })) problems.push(`${expr}: no ${miss}`);
    }
    expect(problems).toEqual([]);
  });

  it("names each value of the dashboard's state panels as the metric's help text does", async () => {
    const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards/bazaar.json'), 'utf8'));
    const { data } = (await (await fetch(`${api}/api/v1/metadata`)).json()) as {
      data: Record<string, { help: string }[]>;
    };
    type Panel = { title: string; targets?: { expr: string }[]; fieldConfig?: { defaults?: { mappings?: Mapping[] } } };
    type Mapping = { type: string; options: Record<string, { text: string }> };
    const mapped = (dashboard.panels as Panel[]).filter((p) => p.fieldConfig?.defaults?.mappings?.length);
    expect(mapped.length).toBeGreaterThanOrEqual(2);
    for (const panel of mapped) {
      const metric = Object.keys(data).find((m) => panel.targets!.some((t) => new RegExp(`\\b${m}\\b`).test(t.expr)))!;
      // "…: 0 closed, 1 half-open, 2 open"
      const told = Object.fromEntries(
        [...data[metric][0].help.matchAll(/\b(\d+) ([a-z-]+)/g)].map((m) => [m[1], m[2]]),
      );
      const shown = Object.fromEntries(
        panel.fieldConfig!.defaults!.mappings!.flatMap((m) => Object.entries(m.options).map(([v, o]) => [v, o.text])),
      );
      expect(shown, `${panel.title} (${metric})`).toEqual(told);
    }
  });

  it("loads deploy/'s alert rules, each over series the services export, and alerts on the dead letter", async () => {
    type Alert = { labels: Record<string, string> };
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
    // One alert for the one queue, however many replicas of its service report it.
    const alerts = ((await (await fetch(`${api}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } }).data.alerts;
    expect(alerts.filter((a) => a.labels.alertname === 'BazaarDeadLetters').map((a) => a.labels)).toEqual([
      expect.objectContaining({ service: 'shipping', consumer: 'shipping' }),
    ]);
    // A metric name no service exports would make its alert silently never fire.
    const names = new Set(
      loaded.flatMap((r) => [...r.query.matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(?!\s*\()/g)].map((m) => m[1])),
    );
    for (const name of names) expect((await query(`count(${name})`)).length, name).toBe(1);
    // Nor would a label the metric lacks; a value the test does not produce (PAYMENT_UNAVAILABLE) is not asked for.
    const types = await metricTypes();
    for (const rule of loaded) {
      expect(typeErrors(rule.query, types), rule.name).toEqual([]);
      expect(await unmatched(rule.query, types, { values: false }), rule.name).toEqual([]);
    }
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
