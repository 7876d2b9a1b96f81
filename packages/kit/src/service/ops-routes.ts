// Each service answers the console's questions about itself: its spans, its log lines, its outbox and dead letters.
// The gateway gathers them from every replica under /api/ops (admin only); here they sit behind the internal key.
import { Type } from 'typebox';
import type { Broker } from '../messaging/broker.ts';
import type { OutboxRelay } from '../messaging/outbox-relay.ts';
import type { App } from '../server/create-server.ts';
import type { LogStore } from '../telemetry/log-store.ts';
import type { SpanStore } from '../telemetry/span-store.ts';

export type OpsSources = { service: string; spans: SpanStore; logs: LogStore; relay: OutboxRelay; broker: Broker };

type Query = { traceId?: string; orderId?: string; limit?: number };
const hide = { hide: true } as const;
const ReplayBody = Type.Object({ eventId: Type.String(), consumer: Type.String() }, { additionalProperties: false });

export function opsRoutes(app: App, s: OpsSources): void {
  const config = { access: 'public' as const };
  app.get<{ Querystring: Query }>('/internal/ops/spans', { config, schema: hide }, async (req) => ({
    items: req.query.traceId ? s.spans.trace(req.query.traceId).filter((span) => span.service === s.service) : [],
  }));
  app.get<{ Querystring: Query }>('/internal/ops/spans/linking', { config, schema: hide }, async (req) => ({
    items: req.query.traceId ? s.spans.linkingTo(req.query.traceId).filter((span) => span.service === s.service) : [],
  }));
  app.get<{ Querystring: Query }>('/internal/ops/traces', { config, schema: hide }, async (req) => ({
    items: s.spans.recentTraces(Number(req.query.limit ?? 50)).filter((t) => t.root.service === s.service),
  }));
  app.get<{ Querystring: Query }>('/internal/ops/logs', { config, schema: hide }, async (req) => ({
    items: s.logs.query({
      traceId: req.query.traceId,
      orderId: req.query.orderId,
      service: s.service,
      limit: Number(req.query.limit ?? 500),
    }),
  }));
  app.get('/internal/ops/messaging', { config, schema: hide }, async () => {
    const dead = (await s.broker.deadLetters()).filter(
      (d) => d.consumer === s.service || d.consumer.startsWith(`${s.service}.`),
    );
    return {
      service: s.service,
      broker: s.broker.kind,
      outbox: { ...(await s.relay.backlog()), ...s.relay.stats },
      deadLetters: dead,
    };
  });
  app.post(
    '/internal/ops/dead-letters/replay',
    { config, schema: { ...hide, body: ReplayBody } },
    async (req, reply) => {
      const replayed = await s.broker.replay(req.body.eventId, req.body.consumer);
      return reply.code(replayed ? 200 : 404).send({ replayed });
    },
  );
}
