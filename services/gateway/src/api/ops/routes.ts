// The operations console's API under /api/ops (admins only: mounts.ts guards the scope): the services and their
// replicas, recent traces, one trace gathered from every replica, its log lines, messaging and saga figures, and the
// dead-letter replay. Each service answers for itself behind the internal key (the kit's /internal/ops/*); what
// each operation does is in handlers.ts, how the replicas are asked in replicas.ts.
import { fieldErrors, installValidators, validationFailed } from '@bazaar/kit/server';
import type { LogStore } from '@bazaar/kit/telemetry';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { type TSchema, Type } from 'typebox';
import type { Upstream } from '../../clients/upstreams.ts';
import type { ServiceName } from '../../domain/routes.ts';
import { type Edge, sendProblem } from '../edge-server.ts';
import { logLines, messaging, oneTrace, replay, servicesHealth } from './handlers.ts';
import {
  LogsAnswer,
  LogsQuery,
  MessagingAnswer,
  ReplayAnswer,
  ReplayBody,
  ServicesAnswer,
  TraceAnswer,
  TraceParams,
  TracesAnswer,
  TracesQuery,
} from './schemas.ts';
import type { TraceIndex } from './trace-index.ts';

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

export type Operation = {
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

export const operations: Operation[] = [
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
    handle: async (req, _reply, deps) => ({
      items: deps.traces.recent(req.query as { limit: number; failed: boolean }),
      retention: deps.traces.retention(),
    }),
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
    summary: 'Log lines of every service, for one trace (traceId), one order (orderId) or the latest',
    querystring: LogsQuery,
    answer: LogsAnswer,
    handle: (req, _reply, deps) => logLines(deps, req.query as { traceId?: string; orderId?: string; limit: number }),
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
    handle: async (req, _reply, deps) => {
      const asked = req.body as { service: ServiceName; consumer: string; eventId: string };
      const replayed = await replay(deps, asked);
      // Who put which event back, for whoever later wonders why it was handled twice or late.
      // Not `service`: every line's own field, the gateway's here; the consumer names the service.
      req.log.info({ consumer: asked.consumer, eventId: asked.eventId, by: req.caller?.id }, 'dead letter replayed');
      return replayed;
    },
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
  installValidators(scope);
  scope.setErrorHandler((error: unknown, req, reply) => {
    const e = error as { validation?: Parameters<typeof fieldErrors>[0]; validationContext?: string };
    if (!e.validation) throw error;
    return sendProblem(req, reply, validationFailed(fieldErrors(e.validation, e.validationContext)));
  });
}
