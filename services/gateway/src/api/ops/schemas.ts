// The operations API's schemas: validation at the edge and the Operations part of /openapi.json come from the same
// definitions.
import { Type } from 'typebox';
import { serviceNames } from '../../domain/routes.ts';

export const TraceId = Type.String({
  pattern: '^[0-9a-f]{32}$',
  description: 'W3C trace id: the x-trace-id of a response',
});
export const Service = Type.Union(
  serviceNames.map((name) => Type.Literal(name)),
  { description: 'A service behind the gateway' },
);
/** A replica that did not answer; the data shown is then partial. */
export const Missing = Type.Object({ service: Type.String(), replica: Type.String(), reason: Type.String() });

export const ReplicaHealth = Type.Object({
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
export const ServicesAnswer = Type.Object({
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

export const TracesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  failed: Type.Boolean({ default: false, description: 'Only requests answered 4xx or 5xx, or that failed' }),
});
export const TraceSummarySchema = Type.Object({
  traceId: Type.String(),
  spanId: Type.String(),
  name: Type.String(),
  method: Type.String(),
  route: Type.String({ description: 'The API route that matched, e.g. /api/orders/:id' }),
  path: Type.String({ description: 'The path asked for, without its query' }),
  status: Type.Optional(Type.Integer()),
  error: Type.Boolean(),
  startTime: Type.String({ format: 'date-time' }),
  durationMs: Type.Number(),
});
export const TracesAnswer = Type.Object({
  items: Type.Array(TraceSummarySchema),
  retention: Type.Object(
    {
      capacity: Type.Integer({ description: 'Spans each process keeps, the newest' }),
      since: Type.Optional(
        Type.String({ format: 'date-time', description: "Start of the gateway's oldest kept span" }),
      ),
    },
    {
      description:
        'How far back traces can be drawn: older spans are gone (export them with OTEL_EXPORTER_OTLP_ENDPOINT)',
    },
  ),
});

export const Span = Type.Object({
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
  links: Type.Optional(
    Type.Array(Type.Object({ traceId: Type.String(), spanId: Type.String() }), {
      description: 'Spans of other traces this span works for: a batch links to each call it carries',
    }),
  ),
});
export const TraceParams = Type.Object({ traceId: TraceId });
export const TraceAnswer = Type.Object({
  traceId: Type.String(),
  services: Type.Array(Type.String()),
  startTime: Type.String({ format: 'date-time' }),
  durationMs: Type.Number(),
  root: Type.Object(
    {
      spanId: Type.String(),
      service: Type.String(),
      name: Type.String(),
      status: Type.Optional(Type.Integer({ description: 'Its HTTP status; absent when it was no HTTP request' })),
      error: Type.Boolean({ description: 'Whether it failed: answered 5xx, or its span failed' }),
    },
    {
      description:
        "How the trace's request was answered: the span that started it, the first whose parent is not in the trace (an API request's is the gateway's)",
    },
  ),
  spans: Type.Array(Span, { description: 'De-duplicated by spanId, in order of start' }),
  linked: Type.Array(Span, {
    description:
      'Batches in other traces that carried calls of this one (their span links to the call), with every span under them, in order of start',
  }),
  missing: Type.Array(Missing),
});

export const LogsQuery = Type.Object({
  traceId: Type.Optional(TraceId),
  orderId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: "An order's lines, in every trace" }),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 2_000, default: 500 }),
});
export const LogLine = Type.Object(
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
export const LogsAnswer = Type.Object({
  items: Type.Array(LogLine, { description: 'Every service’s lines, oldest first' }),
  missing: Type.Array(Missing),
});

export const DeadLetter = Type.Object({
  service: Type.String(),
  consumer: Type.String(),
  eventId: Type.String(),
  type: Type.String(),
  error: Type.String(),
  at: Type.String(),
  attempts: Type.Integer(),
  event: Type.Record(Type.String(), Type.Unknown(), { description: 'The CloudEvents envelope as it was delivered' }),
});
export const MessagingAnswer = Type.Object({
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
      retryingCount: Type.Optional(
        Type.Integer({ description: 'Sagas whose last attempt failed; `retrying` lists the newest of them' }),
      ),
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

export const ReplayBody = Type.Object(
  {
    service: Service,
    consumer: Type.String({ minLength: 1, maxLength: 200, description: 'The consumer (queue) the letter belongs to' }),
    eventId: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const ReplayAnswer = Type.Object({
  replayed: Type.Boolean(),
  service: Type.String(),
  consumer: Type.String(),
  eventId: Type.String(),
});
