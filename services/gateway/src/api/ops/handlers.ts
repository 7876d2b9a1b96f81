// What each operation of the operations API does, from the replicas' answers and the gateway's own stores.
import { AppError, notFound, unavailable, validationFailed } from '@bazaar/kit/server';
import type { StoredSpan } from '@bazaar/kit/telemetry';
import { type ServiceName, serviceNames } from '../../domain/routes.ts';
import { anyReplica, ask, everyReplica, type MissingReplica } from './replicas.ts';
import type { OpsApiDeps } from './routes.ts';
import { answerFailed } from './trace-index.ts';

export async function servicesHealth(deps: OpsApiDeps, self: string) {
  const now = () => new Date().toISOString();
  const gateway = {
    name: 'gateway',
    replicas: [{ url: self, self: true, healthy: true, ready: true, checkedAt: now(), pending: 0 }],
    process: {
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      residentBytes: process.memoryUsage.rss(),
    },
  };
  const services = await Promise.all(
    serviceNames.map(async (name) => ({
      name,
      replicas: await Promise.all(
        deps.upstreams[name].replicas.map(async (replica) => {
          const started = performance.now();
          const base = { url: replica.url, healthy: replica.healthy, pending: replica.pending };
          try {
            const { status, body } = await ask<{ failing?: Record<string, unknown> }>(replica, deps, '/readyz');
            const latencyMs = Math.round((performance.now() - started) * 10) / 10;
            return {
              ...base,
              ready: status === 200,
              status,
              ...(body?.failing ? { failing: body.failing } : {}),
              latencyMs,
              checkedAt: now(),
            };
          } catch {
            return { ...base, ready: false, checkedAt: now() };
          }
        }),
      ),
    })),
  );
  return { items: [gateway, ...services] };
}

export async function oneTrace(deps: OpsApiDeps, traceId: string) {
  const [own, linking] = await Promise.all([spansOf(deps, traceId, 'trace'), spansOf(deps, traceId, 'linking')]);
  const spans = own.spans.filter((s) => s.traceId === traceId);
  if (spans.length === 0) throw notFound('No service holds a span of this trace (any more).');
  const linked = await batchesFor(deps, linking.spans);
  const start = Date.parse(spans[0].startTime);
  const end = Math.max(...spans.map((s) => Date.parse(s.startTime) + s.durationMs));
  return {
    traceId,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    startTime: spans[0].startTime,
    durationMs: Math.round((end - start) * 1000) / 1000,
    root: rootOf(spans),
    spans,
    linked: linked.spans,
    missing: onceEach([...own.missing, ...linking.missing, ...linked.missing]),
  };
}

/**
 * The span that started the trace, the first whose parent is not in it (an API request's is the gateway's), and how
 * it was answered: its HTTP status, and whether it failed by the same rule as the list of recent traces.
 */
function rootOf(spans: StoredSpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) ?? spans[0];
  const status = root.attributes['http.response.status_code'];
  return {
    spanId: root.spanId,
    service: root.service,
    name: root.name,
    ...(typeof status === 'number' ? { status } : {}),
    error: answerFailed(root.status === 'error', status),
  };
}

/** The most batches' traces one trace view follows. */
const MAX_LINKED_TRACES = 10;

/**
 * A batch (kit/grpc's createBatcher) carries calls of many traces in one: its span and the work under it sit in the
 * first call's trace, linked from the others. batchesFor answers each linking span with the spans under it.
 */
async function batchesFor(deps: OpsApiDeps, linking: StoredSpan[]) {
  const traces = [...new Set(linking.map((s) => s.traceId))].slice(0, MAX_LINKED_TRACES);
  const gathered = await Promise.all(traces.map((t) => spansOf(deps, t, 'trace')));
  const spans = gathered.flatMap((g) => g.spans);
  const under = new Map<string, StoredSpan[]>();
  for (const s of spans) if (s.parentSpanId) under.set(s.parentSpanId, [...(under.get(s.parentSpanId) ?? []), s]);
  const subtree: StoredSpan[] = [];
  const queue = linking.filter((s) => traces.includes(s.traceId));
  for (let span = queue.shift(); span; span = queue.shift()) {
    subtree.push(span);
    queue.push(...(under.get(span.spanId) ?? []));
  }
  return { spans: byStart(subtree), missing: gathered.flatMap((g) => g.missing) };
}

/**
 * One trace's spans, or the spans of other traces that link to it, from the gateway and every replica: each once, in
 * order of start.
 */
async function spansOf(deps: OpsApiDeps, traceId: string, which: 'trace' | 'linking') {
  const own = (which === 'trace' ? deps.traces.trace(traceId) : deps.traces.linkingTo(traceId)).filter(
    (s) => s.service === 'gateway',
  );
  const path = which === 'trace' ? '/internal/ops/spans' : '/internal/ops/spans/linking';
  const { answers, missing } = await everyReplica<{ items: StoredSpan[] }>(deps, `${path}?traceId=${traceId}`);
  const byId = new Map<string, StoredSpan>();
  for (const span of [...own, ...answers.flatMap((a) => a.body?.items ?? [])])
    if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  return { spans: byStart([...byId.values()]), missing };
}

/** A replica that failed several of the questions is named once, with its first reason. */
const onceEach = (missing: MissingReplica[]) =>
  missing.filter((m, i) => missing.findIndex((o) => o.service === m.service && o.replica === m.replica) === i);

const byStart = (spans: StoredSpan[]) => spans.sort((a, b) => a.startTime.localeCompare(b.startTime));

type LogEntry = { time?: string; service?: string; [field: string]: unknown };

export async function logLines(deps: OpsApiDeps, query: { traceId?: string; orderId?: string; limit: number }) {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.traceId) params.set('traceId', query.traceId);
  if (query.orderId) params.set('orderId', query.orderId);
  const own = deps.logs.query({ ...query, service: 'gateway' });
  const { answers, missing } = await everyReplica<{ items: LogEntry[] }>(deps, `/internal/ops/logs?${params}`);
  const lines = [...own, ...answers.flatMap((a) => a.body?.items ?? [])];
  // A stable sort: lines of one service with the same millisecond keep the order they were written in.
  lines.sort((a, b) => String(a.time ?? '').localeCompare(String(b.time ?? '')));
  return { items: lines.slice(-query.limit), missing };
}

type ServiceMessaging = {
  service: string;
  broker: string;
  outbox: { backlog: number; oldestAgeMs: number; published: number; failures: number };
  deadLetters: { consumer: string; event: { id: string; type: string }; error: string; at: string; attempts: number }[];
};
type SagaOverview = Record<string, unknown>;

export async function messaging(deps: OpsApiDeps) {
  const [{ answers, missing }, sagas] = await Promise.all([
    everyReplica<ServiceMessaging>(deps, '/internal/ops/messaging'),
    anyReplica<SagaOverview>(deps, 'orders', '/internal/ops/sagas'),
  ]);
  const services = new Map<string, Figures>();
  const letters = new Map<string, ReturnType<typeof letterOf>>();
  for (const { service, body } of answers) {
    const figures = services.get(service) ?? emptyFigures(service, body.broker);
    // The outbox is one table per service: every replica sees the same backlog; each relays its own share.
    figures.replicas++;
    figures.outbox.backlog = Math.max(figures.outbox.backlog, body.outbox?.backlog ?? 0);
    figures.outbox.oldestAgeMs = Math.max(figures.outbox.oldestAgeMs, body.outbox?.oldestAgeMs ?? 0);
    figures.outbox.published += body.outbox?.published ?? 0;
    figures.outbox.failures += body.outbox?.failures ?? 0;
    services.set(service, figures);
    for (const d of body.deadLetters ?? []) letters.set(`${d.consumer}\u0000${d.event.id}`, letterOf(service, d));
  }
  const deadLetters = [...letters.values()].sort((a, b) => b.at.localeCompare(a.at));
  const figures = serviceNames
    .map((name) => services.get(name))
    .filter((f) => f !== undefined)
    .map((f) => ({ ...f, deadLetters: deadLetters.filter((d) => d.service === f.service).length }));
  return {
    services: figures,
    sagas: sagas?.status === 200 ? sagas.body : null,
    deadLetters,
    missing,
  };
}

type Figures = ReturnType<typeof emptyFigures>;
function emptyFigures(service: string, broker: string) {
  return { service, broker, replicas: 0, outbox: { backlog: 0, oldestAgeMs: 0, published: 0, failures: 0 } };
}

function letterOf(service: string, d: ServiceMessaging['deadLetters'][number]) {
  return {
    service,
    consumer: d.consumer,
    eventId: d.event.id,
    type: d.event.type,
    error: d.error,
    at: d.at,
    attempts: d.attempts,
    event: d.event as unknown as Record<string, unknown>,
  };
}

export async function replay(deps: OpsApiDeps, body: { service: ServiceName; consumer: string; eventId: string }) {
  const { service, consumer, eventId } = body;
  if (consumer !== service && !consumer.startsWith(`${service}.`))
    throw validationFailed([{ path: 'consumer', message: `is not a consumer of ${service}` }]);
  const answer = await anyReplica<{ replayed?: boolean }>(deps, service, '/internal/ops/dead-letters/replay', {
    consumer,
    eventId,
  });
  if (!answer) throw unavailable(`The ${service} service is unavailable. Try again shortly.`);
  if (answer.status === 404) throw notFound(`${consumer} has no dead letter ${eventId}.`);
  if (answer.status !== 200) throw new AppError('BAD_GATEWAY', 502, `The ${service} service could not replay it.`);
  return { replayed: true, service, consumer, eventId };
}
