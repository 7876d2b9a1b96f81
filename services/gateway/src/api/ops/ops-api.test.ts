// The admin operations API against small fake replicas: fan-out to every replica, merging, partial answers, the
// admin guard, validation, the Operations part of the OpenAPI document, and the console's static mount.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createTracing, LogStore, SpanStore } from '@bazaar/kit/telemetry';
import { SpanKind } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Upstream, upstream } from '../../clients/upstreams.ts';
import { mergeOpenApi } from '../../domain/openapi.ts';
import { type ServiceName, serviceNames } from '../../domain/routes.ts';
import type { Authenticate } from '../../use-cases/authenticate.ts';
import { createEdgeServer, type Edge } from '../edge-server.ts';
import { consoleRoutes, opsRoutes } from '../mounts.ts';
import { withOpsPaths } from './openapi.ts';
import { TraceIndex } from './trace-index.ts';

const KEY = 'internal-key-for-tests';
const TRACE = 'a'.repeat(32);
/** The trace of a batch that carried a call of TRACE's, as the first of its calls. */
const BATCH_TRACE = 'c'.repeat(32);
const authenticate: Authenticate = (header) =>
  header === 'Bearer admin'
    ? { caller: { id: 'u_admin', role: 'admin' } }
    : header === 'Bearer customer'
      ? { caller: { id: 'u_1', role: 'customer' } }
      : { caller: null };

type Seen = { url: string; headers: Record<string, unknown>; body?: unknown };

/** A replica answering the kit's /internal/ops/* for `service`, recording what it was asked. */
async function replica(service: string, n: number, seen: Seen[]): Promise<FastifyInstance> {
  const app = Fastify();
  app.addHook('onRequest', async (req, reply) => {
    seen.push({ url: req.url, headers: req.headers });
    if (req.headers['x-internal-key'] !== KEY) return reply.code(401).send({ code: 'UNAUTHENTICATED' });
  });
  const span = (id: string, parent: string | undefined, at: number, traceId = TRACE) => ({
    traceId,
    spanId: id,
    parentSpanId: parent,
    name: `${service} ${id}`,
    service,
    kind: 1,
    startTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, at)).toISOString(),
    durationMs: 5,
    status: 'unset',
    attributes: { replica: n },
  });
  // Both orders replicas answer the span `shared` (as a shared store would): it must appear once.
  // Orders' batch in BATCH_TRACE carried a call of TRACE's (orders1); inventory served the batch's call.
  const batchTrace = {
    orders: [
      {
        ...span('batch00000000001', 'first0000000001', 50, BATCH_TRACE),
        links: [{ traceId: TRACE, spanId: 'orders1' }],
      },
      span('batchcall0000001', 'batch00000000001', 51, BATCH_TRACE),
      span('first0000000001', undefined, 49, BATCH_TRACE),
    ],
    inventory: [span('batchserver00001', 'batchcall0000001', 52, BATCH_TRACE)],
  } as Record<string, ReturnType<typeof span>[]>;
  app.get('/internal/ops/spans/linking', async (req) => ({
    items:
      (req.query as { traceId: string }).traceId === TRACE && service === 'orders' && n === 1
        ? batchTrace.orders.slice(0, 1)
        : [],
  }));
  app.get('/internal/ops/spans', async (req) => ({
    items:
      (req.query as { traceId: string }).traceId === BATCH_TRACE
        ? (n === 1 && batchTrace[service]) || []
        : [
            span(`${service}${n}`, 'gw00000000000001', 10 * n + serviceNames.indexOf(service as ServiceName)),
            span('shared0000000000', undefined, 100),
          ].filter((s) => service === 'orders' || s.spanId !== 'shared0000000000'),
  }));
  app.get('/internal/ops/logs', async () => ({
    items: [
      {
        time: `2026-01-01T00:00:0${n}.000Z`,
        level: 'info',
        service,
        traceId: TRACE,
        msg: `${service} line ${n}`,
        orderId: 'o1',
      },
    ],
  }));
  app.get('/internal/ops/messaging', async () => ({
    service,
    broker: 'in-process',
    outbox: { backlog: 3 + n, oldestAgeMs: 100 * n, published: 10, failures: 0 },
    deadLetters:
      service === 'shipping'
        ? [
            {
              consumer: 'shipping',
              event: { id: 'ev1', type: 'OrderConfirmed' },
              error: 'Error: boom',
              at: '2026-01-01T00:00:00.000Z',
              attempts: 5,
            },
          ]
        : [],
  }));
  app.get('/internal/ops/sagas', async () => ({
    ordersByStatus: { CONFIRMED: 2 },
    sagasByStep: { DONE: 2 },
    inFlight: 0,
    retrying: [],
  }));
  app.get('/readyz', async () => ({ status: 'ready' }));
  app.post('/internal/ops/dead-letters/replay', async (req, reply) => {
    const body = req.body as { eventId: string; consumer: string };
    seen.push({ url: req.url, headers: req.headers, body });
    return reply.code(body.eventId === 'ev1' ? 200 : 404).send({ replayed: body.eventId === 'ev1' });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

let edge: Edge;
let fakes: FastifyInstance[];
let upstreams: Record<ServiceName, Upstream>;
let traces: TraceIndex;
const seen: Seen[] = [];
const logs = new LogStore();

const get = (url: string, token = 'admin') =>
  edge.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  fakes = [];
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const service of serviceNames) {
    const replicas = service === 'orders' ? [1, 2] : [1];
    const apps = await Promise.all(replicas.map((n) => replica(service, n, seen)));
    fakes.push(...apps);
    urls[service] = apps.map((a) => `http://127.0.0.1:${(a.server.address() as { port: number }).port}`).join(',');
  }
  // A payments replica that is down: its part is reported missing, the rest still answers.
  urls.payments += ',http://127.0.0.1:9';
  upstreams = Object.fromEntries(
    serviceNames.map((s) => [s, upstream(s, urls[s]!, { connections: 2, connectTimeoutMs: 500 })]),
  ) as Record<ServiceName, Upstream>;
  traces = new TraceIndex(new SpanStore());
  const log = createLogger('gateway', { level: 'info', sink: { write() {} }, store: logs });
  const tracing = await createTracing('gateway', traces);
  edge = createEdgeServer({
    log,
    tracer: tracing.tracer,
    registry: new Registry(),
    bodyLimit: 65_536,
    trustProxy: false,
  });
  edge.all('/api/orders', async (req, reply) => {
    const fail = (req.query as { fail?: string }).fail;
    return fail ? reply.code(Number(fail)).send({ code: 'PAYMENT_DECLINED' }) : { ok: true };
  });
  opsRoutes(edge, { authenticate, limiter: null, upstreams, internalKey: KEY, traces, logs, timeoutMs: 1_000 });
  await edge.ready();
  logs.write(
    JSON.stringify({
      time: '2026-01-01T00:00:01.500Z',
      level: 'info',
      service: 'gateway',
      traceId: TRACE,
      msg: 'gateway line',
    }),
  );
});

afterAll(async () => {
  await edge?.close();
  await Promise.all(Object.values(upstreams ?? {}).map((u) => u.close()));
  await Promise.all((fakes ?? []).map((f) => f.close()));
});

describe('the operations API', () => {
  it('is for admins only: 401 without a token, 403 for a customer, 404 problems for paths it does not have', async () => {
    expect((await get('/api/ops/traces', '')).statusCode).toBe(401);
    expect((await get('/api/ops/traces', 'customer')).statusCode).toBe(403);
    const missing = await get('/api/ops/nothing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });

  it('keeps its answers out of caches, as the proxied API does: logs and traces name customers and their orders', async () => {
    for (const res of [await get('/api/ops/logs'), await get('/api/ops/traces', 'customer'), await get('/nothing')]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('gathers a trace from every replica: merged, each span once, in order of start; an unreachable replica is named', async () => {
    const res = await get(`/api/ops/traces/${TRACE}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const ids = body.spans.map((s: { spanId: string }) => s.spanId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id: string) => id === 'shared0000000000')).toHaveLength(1);
    expect(ids).toEqual(
      expect.arrayContaining(['users1', 'inventory1', 'orders1', 'orders2', 'payments1', 'shipping1']),
    );
    const starts = body.spans.map((s: { startTime: string }) => s.startTime);
    expect(starts).toEqual([...starts].sort());
    expect(body.services).toEqual(['inventory', 'orders', 'payments', 'shipping', 'users']);
    expect(body.missing).toEqual([
      { service: 'payments', replica: 'http://127.0.0.1:9', reason: expect.stringMatching(/^unreachable/) },
    ]);
    expect(body.spans[0].attributes).toEqual({ replica: 1 });
    // The services' part of the console's own work makes no spans: the context sent along is not sampled.
    const asked = seen.filter((s) => s.url.startsWith('/internal/ops/spans'));
    expect(asked.length).toBeGreaterThanOrEqual(18);
    for (const s of asked) {
      expect([
        `/internal/ops/spans?traceId=${TRACE}`,
        `/internal/ops/spans/linking?traceId=${TRACE}`,
        `/internal/ops/spans?traceId=${BATCH_TRACE}`,
      ]).toContain(s.url);
      expect(s.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    }
  });

  it('follows the links of a batch that carried one of the trace’s calls: the batch and the spans under it', async () => {
    const body = (await get(`/api/ops/traces/${TRACE}`)).json();
    expect(body.linked.map((s: { spanId: string }) => s.spanId)).toEqual([
      'batch00000000001',
      'batchcall0000001',
      'batchserver00001',
    ]);
    expect(body.linked[0]).toMatchObject({ traceId: BATCH_TRACE, links: [{ traceId: TRACE, spanId: 'orders1' }] });
    expect(body.spans.every((s: { traceId: string }) => s.traceId === TRACE)).toBe(true);
  });

  it('answers 404 for a trace nobody holds, and 400 for what is not a trace id', async () => {
    const none = await get(`/api/ops/traces/${'b'.repeat(32)}`);
    // The fakes answer the same spans for any id, tagged with their own trace id: none is of this trace.
    expect(none.statusCode).toBe(404);
    const bad = await get('/api/ops/traces/not-a-trace');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'params.traceId' }] });
    expect((await get('/api/ops/traces?limit=0')).json().errors).toEqual([
      { path: 'querystring.limit', message: 'must be >= 1' },
    ]);
  });

  it('lists the log lines of every service and the gateway’s own, oldest first, with their fields', async () => {
    const res = await get(`/api/ops/logs?traceId=${TRACE}&limit=100`);
    expect(res.statusCode).toBe(200);
    const lines = res.json().items as { msg: string; orderId?: string }[];
    expect(lines.map((l) => l.msg)).toEqual([
      'users line 1',
      'inventory line 1',
      'orders line 1',
      'payments line 1',
      'shipping line 1',
      'gateway line',
      'orders line 2',
    ]);
    expect(lines[0].orderId).toBe('o1');
    expect(
      (await get(`/api/ops/logs?traceId=${TRACE}&limit=2`)).json().items.map((l: { msg: string }) => l.msg),
    ).toEqual(['gateway line', 'orders line 2']);
  });

  it('sums the messaging figures per service, lists dead letters once, and adds the sagas', async () => {
    const body = (await get('/api/ops/messaging')).json();
    const orders = body.services.find((s: { service: string }) => s.service === 'orders');
    // One outbox table, two relays: the backlog is the table's, the published counts add up.
    expect(orders).toMatchObject({
      replicas: 2,
      outbox: { backlog: 5, oldestAgeMs: 200, published: 20 },
      deadLetters: 0,
    });
    expect(body.services.find((s: { service: string }) => s.service === 'shipping').deadLetters).toBe(1);
    expect(body.deadLetters).toEqual([
      expect.objectContaining({
        service: 'shipping',
        consumer: 'shipping',
        eventId: 'ev1',
        type: 'OrderConfirmed',
        attempts: 5,
      }),
    ]);
    expect(body.sagas).toEqual({
      ordersByStatus: { CONFIRMED: 2 },
      sagasByStep: { DONE: 2 },
      inFlight: 0,
      retrying: [],
    });
  });

  it('forwards a replay to the service, and maps its answer', async () => {
    const post = (body: object) =>
      edge.inject({
        method: 'POST',
        url: '/api/ops/dead-letters/replay',
        headers: { authorization: 'Bearer admin' },
        payload: body,
      });
    const ok = await post({ service: 'shipping', consumer: 'shipping', eventId: 'ev1' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ replayed: true, service: 'shipping', consumer: 'shipping', eventId: 'ev1' });
    expect(seen.find((s) => s.body)?.body).toEqual({ consumer: 'shipping', eventId: 'ev1' });
    expect(logs.query({ service: 'gateway' }).find((l) => l.msg === 'dead letter replayed')).toMatchObject({
      service: 'gateway',
      consumer: 'shipping',
      eventId: 'ev1',
      by: expect.any(String),
    });
    expect((await post({ service: 'shipping', consumer: 'shipping', eventId: 'nope' })).json().code).toBe('NOT_FOUND');
    const unknown = await post({ service: 'billing', consumer: 'billing', eventId: 'ev1' });
    expect(unknown.statusCode).toBe(400);
  });

  it('reports every replica’s readiness beside the gateway’s verdict', async () => {
    const items = (await get('/api/ops/services')).json().items as {
      name: string;
      replicas: { url: string; ready: boolean; healthy: boolean }[];
    }[];
    expect(items.map((i) => i.name)).toEqual(['gateway', ...serviceNames]);
    expect(items.find((i) => i.name === 'orders')!.replicas.map((r) => r.ready)).toEqual([true, true]);
    expect(items.find((i) => i.name === 'payments')!.replicas.map((r) => r.ready)).toEqual([true, false]);
  });

  it('lists the API requests the gateway served as recent traces, newest first, not its own operations', async () => {
    await edge.inject({ method: 'POST', url: '/api/orders?x=1' });
    await get('/api/ops/messaging');
    const { items, retention } = (await get('/api/ops/traces?limit=5')).json();
    expect(items).toHaveLength(1);
    // How far back traces go: the store's size, and the start of its oldest span, no later than this request's.
    expect(retention.capacity).toBeGreaterThan(0);
    expect(Date.parse(retention.since)).toBeLessThanOrEqual(Date.parse(items[0].startTime));
    expect(items[0]).toMatchObject({
      method: 'POST',
      route: '/api/orders',
      path: '/api/orders',
      status: 200,
      error: false,
    });
    expect(traces.trace(items[0].traceId).map((s) => s.kind)).toContain(SpanKind.SERVER);
  });

  it('lists only the requests that failed when asked, however many succeeded since', async () => {
    await edge.inject({ method: 'POST', url: '/api/orders?fail=402' });
    for (let i = 0; i < 5; i++) await edge.inject({ method: 'GET', url: '/api/orders' });
    expect((await get('/api/ops/traces?limit=5')).json().items.map((t: { status: number }) => t.status)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    const { items } = (await get('/api/ops/traces?limit=5&failed=true')).json();
    expect(items.map((t: { method: string; status: number }) => `${t.method} ${t.status}`)).toEqual(['POST 402']);
  });

  it('says how a trace’s request was answered: the root span’s HTTP status, and whether it failed', async () => {
    const rootOf = async (url: string) => {
      const answered = await edge.inject({ method: 'POST', url });
      return (await get(`/api/ops/traces/${answered.headers['x-trace-id']}`)).json().root;
    };
    const root = { service: 'gateway', name: 'POST /api/orders', spanId: expect.stringMatching(/^[0-9a-f]{16}$/) };
    expect(await rootOf('/api/orders?fail=503')).toEqual({ ...root, status: 503, error: true });
    // A refusal is the client's: answered as it should be, not a failure.
    expect(await rootOf('/api/orders?fail=402')).toEqual({ ...root, status: 402, error: false });
    expect(await rootOf('/api/orders')).toEqual({ ...root, status: 200, error: false });
    // Without the gateway's span, the first span whose parent is not in the trace; no HTTP status, none is made up.
    expect((await get(`/api/ops/traces/${TRACE}`)).json().root).toEqual({
      spanId: 'users1',
      service: 'users',
      name: 'users users1',
      error: false,
    });
  });
});

describe('the Operations part of /openapi.json', () => {
  it('documents each operation with its schemas, admin-only with a bearer token', async () => {
    const doc = await withOpsPaths(async () => mergeOpenApi([]))();
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/ops/dead-letters/replay',
      '/api/ops/logs',
      '/api/ops/messaging',
      '/api/ops/services',
      '/api/ops/traces',
      '/api/ops/traces/{traceId}',
      '/healthz',
      '/metrics',
      '/readyz',
    ]);
    expect(doc.paths['/readyz'].get).toMatchObject({ 'x-access': 'public', security: [] });
    const trace = doc.paths['/api/ops/traces/{traceId}'].get as Record<string, any>;
    expect(trace).toMatchObject({ tags: ['Operations'], 'x-access': 'admin', security: [{ bearerAuth: [] }] });
    expect(trace.parameters).toEqual([expect.objectContaining({ name: 'traceId', in: 'path', required: true })]);
    expect(Object.keys(trace.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '429']));
    const replay = doc.paths['/api/ops/dead-letters/replay'].post as Record<string, any>;
    expect(replay.requestBody.content['application/json'].schema.required).toEqual(['service', 'consumer', 'eventId']);
    expect((doc.tags as { name: string }[]).map((t) => t.name)).toContain('Operations');
  });
});

describe('the console at /console', () => {
  let app: Edge;
  let dist: string;
  const html = { accept: 'text/html' };
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Bazaar console</title><div id="app"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    app = createEdgeServer({
      log: createLogger('gateway', { level: 'silent' }),
      tracer: (await createTracing('gateway')).tracer,
      registry: new Registry(),
      bodyLimit: 65_536,
      trustProxy: false,
    });
    consoleRoutes(app, { consoleDir: dist });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves its page at /console and, to browsers, at its page paths, locked down by CSP', async () => {
    for (const url of ['/console', '/console/', `/console/traces/${TRACE}`, '/console/messaging']) {
      const res = await app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('Bazaar console');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const js = await app.inject({ method: 'GET', url: '/console/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
  });

  it('keeps 404 problems for missing files and clients that do not ask for a page', async () => {
    for (const [url, headers] of [
      ['/console/assets/missing.js', html],
      ['/console/favicon.ico', html],
      ['/console/traces', {}],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('says how to build it when it is not built', async () => {
    const bare = createEdgeServer({
      log: createLogger('gateway', { level: 'silent' }),
      tracer: (await createTracing('gateway')).tracer,
      registry: new Registry(),
      bodyLimit: 65_536,
      trustProxy: false,
    });
    consoleRoutes(bare, { consoleDir: join(dist, 'nowhere') });
    const res = await bare.inject({ method: 'GET', url: '/console', headers: html });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:apps');
    await bare.close();
  });
});
