// The operations console's API under /api/ops (admins only: mounts.ts guards the scope): the services and their
// replicas, recent traces, one trace gathered from every replica, its log lines, messaging and saga figures, and the
// dead-letter replay. Each service answers for itself behind the internal key (the kit's /internal/ops/*).
import { randomBytes } from 'node:crypto';
import { AppError, notFound, unavailable, validationFailed } from '@bazaar/kit/server';
import { type LogStore, SpanStore, type StoredSpan } from '@bazaar/kit/telemetry';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Ajv } from 'ajv';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { type TSchema, Type } from 'typebox';
import type { Replica, Upstream } from '../clients/upstreams.ts';
import type { OpenApiDocument } from '../domain/openapi.ts';
import { routeTable, type ServiceName, serviceNames } from '../domain/routes.ts';
import { type Edge, sendProblem } from './edge-server.ts';

export type OpsApiDeps = {
  upstreams: Record<ServiceName, Upstream>;
  internalKey: string;
  /** The gateway's spans (shared with the services in embedded mode) and the roots of its requests. */
  traces: TraceIndex;
  /** The gateway's own log lines (the store is shared in embedded mode; each service answers only its own lines). */
  logs: LogStore;
  /** Deadline of each call to a replica. */
  timeoutMs: number;
};

// ---------------------------------------------------------------------------------------------------------------
// The gateway's span store: every request's trace starts here, so its root spans are the list of recent traces.

/** A routed request's root span at the gateway, as the traces page lists it. */
export type TraceSummary = {
  traceId: string;
  spanId: string;
  name: string;
  method: string;
  route: string;
  path: string;
  status?: number;
  error: boolean;
  startTime: string;
  durationMs: number;
};

/** The routes whose requests start traces worth listing: the proxied API (not /api/ops, pages, scrapes, probes). */
const listedRoutes = new Set(routeTable.map((r) => r.path));
const toMs = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;

/**
 * TraceIndex is the span store the gateway's tracer writes to: each span goes on to the store it wraps (the
 * platform's, shared in embedded mode), and the SERVER span that roots an API request is also kept in a short list.
 */
export class TraceIndex extends SpanStore {
  private readonly store: SpanStore;
  // Start times are formatted when listed, not on every request.
  private readonly roots: (Omit<TraceSummary, 'startTime'> & { startMs: number })[] = [];
  private readonly keep: number;

  constructor(store: SpanStore, keep = 1_000) {
    super(0);
    this.store = store;
    this.keep = keep;
  }

  override add(span: ReadableSpan): void {
    this.store.add(span);
    if (span.kind !== SpanKind.SERVER || (span.parentSpanContext && !span.parentSpanContext.isRemote)) return;
    const route = String(span.attributes['http.route'] ?? '');
    if (!listedRoutes.has(route)) return;
    const status = span.attributes['http.response.status_code'];
    this.roots.push({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      name: span.name,
      method: String(span.attributes['http.request.method'] ?? ''),
      route,
      path: String(span.attributes['url.path'] ?? route),
      status: typeof status === 'number' ? status : undefined,
      error: span.status.code === 2 || (typeof status === 'number' && status >= 500),
      startMs: toMs(span.startTime),
      durationMs: Math.round(toMs(span.duration) * 1000) / 1000,
    });
    // Trimmed a quarter at a time: one splice per many adds, not an O(capacity) move on every add.
    if (this.roots.length > this.keep * 1.25) this.roots.splice(0, this.roots.length - this.keep);
  }

  override trace(traceId: string): StoredSpan[] {
    return this.store.trace(traceId);
  }

  override recentTraces(limit = 50): { traceId: string; root: StoredSpan }[] {
    return this.store.recentTraces(limit);
  }

  /** The latest API requests' traces, newest first. */
  recent(limit: number): TraceSummary[] {
    return this.roots
      .slice(-limit)
      .reverse()
      .map(({ startMs, ...rest }) => ({ ...rest, startTime: new Date(startMs).toISOString() }));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas: validation at the edge and the Operations part of /openapi.json come from the same definitions.

const TraceId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'W3C trace id: the x-trace-id of a response' });
const Service = Type.Union(
  serviceNames.map((name) => Type.Literal(name)),
  { description: 'A service behind the gateway' },
);
/** A replica that did not answer; the data shown is then partial. */
const Missing = Type.Object({ service: Type.String(), replica: Type.String(), reason: Type.String() });

const ReplicaHealth = Type.Object({
  url: Type.String(),
  self: Type.Optional(Type.Boolean({ description: 'The gateway instance answering this request' })),
  healthy: Type.Boolean({ description: "The gateway's verdict: true while it sends this replica traffic" }),
  ready: Type.Boolean({ description: 'Whether /readyz answered 200 just now' }),
  status: Type.Optional(Type.Integer({ description: 'What /readyz answered; absent when unreachable' })),
  failing: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'What /readyz found failing' })),
  latencyMs: Type.Optional(Type.Number()),
  checkedAt: Type.String({ format: 'date-time' }),
  pending: Type.Integer({ description: 'Requests in flight from this gateway' }),
});
const ServicesAnswer = Type.Object({
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      replicas: Type.Array(ReplicaHealth),
      process: Type.Optional(
        Type.Object({ pid: Type.Integer(), uptimeSeconds: Type.Number(), residentBytes: Type.Integer() }),
      ),
    }),
  ),
});

const TracesQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) });
const TraceSummarySchema = Type.Object({
  traceId: Type.String(),
  spanId: Type.String(),
  name: Type.String(),
  method: Type.String(),
  route: Type.String({ description: 'The gateway route that matched, e.g. /api/orders/*' }),
  path: Type.String({ description: 'The path asked for, without its query' }),
  status: Type.Optional(Type.Integer()),
  error: Type.Boolean(),
  startTime: Type.String({ format: 'date-time' }),
  durationMs: Type.Number(),
});
const TracesAnswer = Type.Object({ items: Type.Array(TraceSummarySchema) });

const Span = Type.Object({
  traceId: Type.String(),
  spanId: Type.String(),
  parentSpanId: Type.Optional(Type.String()),
  name: Type.String(),
  service: Type.String(),
  kind: Type.Integer({ description: 'OpenTelemetry SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer' }),
  startTime: Type.String({ format: 'date-time' }),
  durationMs: Type.Number(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('unset')]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
});
const TraceParams = Type.Object({ traceId: TraceId });
const TraceAnswer = Type.Object({
  traceId: Type.String(),
  services: Type.Array(Type.String()),
  startTime: Type.String({ format: 'date-time' }),
  durationMs: Type.Number(),
  spans: Type.Array(Span, { description: 'De-duplicated by spanId, in order of start' }),
  missing: Type.Array(Missing),
});

const LogsQuery = Type.Object({
  traceId: Type.Optional(TraceId),
  limit: Type.Integer({ minimum: 1, maximum: 2_000, default: 500 }),
});
const LogLine = Type.Object(
  {
    time: Type.Optional(Type.String()),
    level: Type.Optional(Type.String()),
    service: Type.Optional(Type.String()),
    traceId: Type.Optional(Type.String()),
    spanId: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    msg: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'One JSON log line as the service wrote it (its fields beside these)' },
);
const LogsAnswer = Type.Object({
  items: Type.Array(LogLine, { description: 'Every service’s lines, oldest first' }),
  missing: Type.Array(Missing),
});

const DeadLetter = Type.Object({
  service: Type.String(),
  consumer: Type.String(),
  eventId: Type.String(),
  type: Type.String(),
  error: Type.String(),
  at: Type.String(),
  attempts: Type.Integer(),
  event: Type.Record(Type.String(), Type.Unknown(), { description: 'The CloudEvents envelope as it was delivered' }),
});
const MessagingAnswer = Type.Object({
  services: Type.Array(
    Type.Object({
      service: Type.String(),
      broker: Type.String(),
      replicas: Type.Integer({ description: 'Replicas that answered' }),
      outbox: Type.Object({
        backlog: Type.Integer({ description: 'Events written and not yet published' }),
        oldestAgeMs: Type.Number({ description: 'Age of the oldest unpublished event' }),
        published: Type.Integer({ description: 'Events relayed since the replicas started' }),
        failures: Type.Integer({ description: 'Relay passes that failed since the replicas started' }),
      }),
      deadLetters: Type.Integer(),
    }),
  ),
  sagas: Type.Union([
    Type.Object({
      ordersByStatus: Type.Record(Type.String(), Type.Integer()),
      sagasByStep: Type.Record(Type.String(), Type.Integer()),
      inFlight: Type.Integer({ description: 'Sagas not DONE' }),
      retrying: Type.Array(
        Type.Object({
          orderId: Type.String(),
          step: Type.String(),
          reason: Type.Optional(Type.String()),
          attempts: Type.Integer(),
          lastError: Type.Optional(Type.String()),
          nextAttemptAt: Type.String(),
          updatedAt: Type.String(),
        }),
      ),
    }),
    Type.Null(),
  ]),
  deadLetters: Type.Array(DeadLetter),
  missing: Type.Array(Missing),
});

const ReplayBody = Type.Object(
  {
    service: Service,
    consumer: Type.String({ minLength: 1, maxLength: 200, description: 'The consumer (queue) the letter belongs to' }),
    eventId: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
const ReplayAnswer = Type.Object({
  replayed: Type.Boolean(),
  service: Type.String(),
  consumer: Type.String(),
  eventId: Type.String(),
});

// ---------------------------------------------------------------------------------------------------------------
// The routes.

type Operation = {
  method: 'GET' | 'POST';
  /** Under /api/ops, in Fastify's syntax. */
  url: string;
  summary: string;
  description?: string;
  querystring?: TSchema;
  params?: TSchema;
  body?: TSchema;
  answer: TSchema;
  /** Problem statuses this operation may answer besides 400, 401, 403 and 429. */
  problems?: Record<number, string>;
  handle(req: FastifyRequest, reply: FastifyReply, deps: OpsApiDeps): Promise<unknown>;
};

const operations: Operation[] = [
  {
    method: 'GET',
    url: '/services',
    summary: 'Every service with its replicas: the gateway’s health verdict and a readiness check made now',
    answer: ServicesAnswer,
    handle: (req, _reply, deps) => servicesHealth(deps, `${req.protocol}://${req.host}`),
  },
  {
    method: 'GET',
    url: '/traces',
    summary: 'Recent API requests’ traces, newest first (each starts at the gateway)',
    querystring: TracesQuery,
    answer: TracesAnswer,
    handle: async (req, _reply, deps) => ({ items: deps.traces.recent((req.query as { limit: number }).limit) }),
  },
  {
    method: 'GET',
    url: '/traces/:traceId',
    summary: 'One trace: the spans of every service, gathered from each replica',
    querystring: Type.Object({}),
    params: TraceParams,
    answer: TraceAnswer,
    problems: { 404: 'NOT_FOUND: no service holds a span of this trace (any more)' },
    handle: (req, _reply, deps) => oneTrace(deps, (req.params as { traceId: string }).traceId),
  },
  {
    method: 'GET',
    url: '/logs',
    summary: 'Log lines of every service, for one trace (traceId) or the latest',
    querystring: LogsQuery,
    answer: LogsAnswer,
    handle: (req, _reply, deps) => logLines(deps, req.query as { traceId?: string; limit: number }),
  },
  {
    method: 'GET',
    url: '/messaging',
    summary: 'Outbox backlog per service, dead letters, and the order sagas by status and step',
    answer: MessagingAnswer,
    handle: (_req, _reply, deps) => messaging(deps),
  },
  {
    method: 'POST',
    url: '/dead-letters/replay',
    summary: 'Puts a dead letter back on its consumer’s queue',
    body: ReplayBody,
    answer: ReplayAnswer,
    problems: {
      404: 'NOT_FOUND: that consumer has no such dead letter',
      503: 'SERVICE_UNAVAILABLE: no replica of the service answered',
    },
    handle: (req, _reply, deps) =>
      replay(deps, req.body as { service: ServiceName; consumer: string; eventId: string }),
  },
];

/** opsApi declares the operations on the /api/ops scope (whose guard has already admitted an admin). */
export function opsApi(scope: Edge, deps: OpsApiDeps): void {
  installValidation(scope);
  for (const op of operations) {
    const schema: FastifySchema = { hide: true, response: { 200: op.answer } } as FastifySchema;
    if (op.querystring) schema.querystring = op.querystring;
    if (op.params) schema.params = op.params;
    if (op.body) schema.body = op.body;
    scope.route({ method: op.method, url: op.url, schema, handler: (req, reply) => op.handle(req, reply, deps) });
  }
}

/** Query strings and parameters are coerced (`?limit=5`); bodies are strict and unknown fields are refused. */
function installValidation(scope: Edge): void {
  const options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const;
  const strict = new Ajv({ ...options, coerceTypes: false });
  const coercing = new Ajv({ ...options, coerceTypes: true });
  scope.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  scope.setErrorHandler((error: unknown, req, reply) => {
    const e = error as {
      validation?: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[];
      validationContext?: string;
    };
    if (!e.validation) throw error;
    const part = e.validationContext === 'body' ? '' : (e.validationContext ?? '');
    const errors = e.validation.map((v) => {
      const at = [part, ...v.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
      const field = (name: unknown) => (at ? `${at}.${String(name)}` : String(name));
      if (v.keyword === 'required') return { path: field(v.params.missingProperty), message: 'is required' };
      if (v.keyword === 'additionalProperties')
        return { path: field(v.params.additionalProperty), message: 'is not an allowed field' };
      return { path: at || '(body)', message: v.message ?? 'is not valid' };
    });
    return sendProblem(req, reply, validationFailed(errors));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The Operations part of the public OpenAPI document.

const PREFIX = '/api/ops';
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** opsPaths describes the operations above as OpenAPI path items (admin only, bearer token). */
export function opsPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = PREFIX + op.url.replace(/:(\w+)/g, '{$1}');
    const parameters = [...parametersOf(op.params, 'path'), ...parametersOf(op.querystring, 'query')];
    const responses: Record<string, unknown> = {
      200: { description: 'OK', content: { 'application/json': { schema: op.answer } } },
      ...(op.querystring || op.params || op.body ? { 400: problem('VALIDATION_FAILED') } : {}),
      401: problem('UNAUTHENTICATED: no valid bearer token'),
      403: problem('FORBIDDEN: admins only'),
      ...Object.fromEntries(Object.entries(op.problems ?? {}).map(([status, text]) => [status, problem(text)])),
      429: problem('RATE_LIMITED: slow down, see Retry-After'),
    };
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = {
      tags: ['Operations'],
      summary: op.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses,
      security: [{ bearerAuth: [] }],
      'x-access': 'admin',
    };
  }
  return paths;
}

function parametersOf(schema: TSchema | undefined, where: 'path' | 'query') {
  const s = schema as
    | { properties?: Record<string, TSchema & { description?: string }>; required?: string[] }
    | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s?.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

/** withOpsPaths adds the Operations tag and paths to the merged document the services' parts make. */
export function withOpsPaths(document: () => Promise<OpenApiDocument>): () => Promise<OpenApiDocument> {
  const paths = opsPaths();
  const tag = {
    name: 'Operations',
    description: 'The operations console’s data: health, traces, logs, messaging (admin)',
  };
  return async () => {
    const doc = await document();
    const tags = (doc.tags as { name: string }[] | undefined) ?? [];
    return { ...doc, tags: [...tags.filter((t) => t.name !== tag.name), tag], paths: { ...doc.paths, ...paths } };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Asking the replicas.

type Answer<T> = { status: number; body: T };

/** The console's own calls make no spans in the services: an unsampled trace context goes along with them. */
const unsampled = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

async function ask<T>(
  replica: Replica,
  deps: OpsApiDeps,
  path: string,
  post?: Record<string, unknown>,
): Promise<Answer<T>> {
  const res = await replica.pool.request({
    method: post ? 'POST' : 'GET',
    path,
    headers: {
      accept: 'application/json',
      'x-internal-key': deps.internalKey,
      traceparent: unsampled(),
      ...(post ? { 'content-type': 'application/json' } : {}),
    },
    body: post ? JSON.stringify(post) : undefined,
    headersTimeout: deps.timeoutMs,
    bodyTimeout: deps.timeoutMs,
    signal: AbortSignal.timeout(deps.timeoutMs),
  });
  const text = await res.body.text();
  let body: T;
  try {
    body = (text ? JSON.parse(text) : undefined) as T;
  } catch {
    throw new Error(`answered ${res.statusCode} with something other than JSON`);
  }
  return { status: res.statusCode, body };
}

/** Why a replica did not answer, in words that name no host. */
function reasonOf(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT') return 'timed out';
  if (e.message?.startsWith('answered')) return e.message;
  return `unreachable (${e.code ?? e.name ?? 'error'})`;
}

type MissingReplica = { service: string; replica: string; reason: string };
type Gathered<T> = { answers: { service: ServiceName; replica: string; body: T }[]; missing: MissingReplica[] };

/** everyReplica asks each replica of each service the same question; those that fail are listed as missing. */
async function everyReplica<T>(deps: OpsApiDeps, path: string, services: readonly ServiceName[] = serviceNames) {
  const asked = services.flatMap((service) =>
    deps.upstreams[service].replicas.map((replica) => ({ service, replica })),
  );
  const gathered: Gathered<T> = { answers: [], missing: [] };
  await Promise.all(
    asked.map(async ({ service, replica }) => {
      try {
        const { status, body } = await ask<T>(replica, deps, path);
        if (status !== 200) throw new Error(`answered ${status}`);
        gathered.answers.push({ service, replica: replica.url, body });
      } catch (err) {
        gathered.missing.push({ service, replica: replica.url, reason: reasonOf(err) });
      }
    }),
  );
  return gathered;
}

/** anyReplica asks the replicas in the balancer's order until one answers (not 5xx, not unreachable). */
async function anyReplica<T>(
  deps: OpsApiDeps,
  service: ServiceName,
  path: string,
  post?: Record<string, unknown>,
): Promise<Answer<T> | undefined> {
  const up = deps.upstreams[service];
  const tried: Replica[] = [];
  for (let replica = up.pick(tried); replica; replica = up.pick(tried)) {
    tried.push(replica);
    try {
      const answer = await ask<T>(replica, deps, path, post);
      if (answer.status < 500) return answer;
    } catch {}
    if (tried.length >= up.replicas.length) break;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// What each operation does.

async function servicesHealth(deps: OpsApiDeps, self: string) {
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

async function oneTrace(deps: OpsApiDeps, traceId: string) {
  const own = deps.traces.trace(traceId).filter((s) => s.service === 'gateway');
  const { answers, missing } = await everyReplica<{ items: StoredSpan[] }>(
    deps,
    `/internal/ops/spans?traceId=${traceId}`,
  );
  const byId = new Map<string, StoredSpan>();
  for (const span of [...own, ...answers.flatMap((a) => a.body?.items ?? [])])
    if (span.traceId === traceId && !byId.has(span.spanId)) byId.set(span.spanId, span);
  if (byId.size === 0) throw notFound('No service holds a span of this trace (any more).');
  const spans = [...byId.values()].sort((a, b) => a.startTime.localeCompare(b.startTime));
  const start = Date.parse(spans[0].startTime);
  const end = Math.max(...spans.map((s) => Date.parse(s.startTime) + s.durationMs));
  return {
    traceId,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    startTime: spans[0].startTime,
    durationMs: Math.round((end - start) * 1000) / 1000,
    spans,
    missing,
  };
}

type LogEntry = { time?: string; service?: string; [field: string]: unknown };

async function logLines(deps: OpsApiDeps, query: { traceId?: string; limit: number }) {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.traceId) params.set('traceId', query.traceId);
  const own = deps.logs.query({ traceId: query.traceId, service: 'gateway', limit: query.limit });
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

async function messaging(deps: OpsApiDeps) {
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

async function replay(deps: OpsApiDeps, body: { service: ServiceName; consumer: string; eventId: string }) {
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
