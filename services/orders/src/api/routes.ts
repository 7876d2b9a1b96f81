// The orders service's HTTP surface: thin handlers over the use cases.
import { runWithDeadline } from '@bazaar/kit/grpc';
import { type App, page, problemAnswer, unavailable } from '@bazaar/kit/server';
import { cancelOrder } from '../use-cases/cancel-order.ts';
import { placeOrder } from '../use-cases/place-order.ts';
import { getOrder, listOrders } from '../use-cases/queries.ts';
import type { Deps } from '../use-cases/saga-deps.ts';
import { resumeAfter, seenToTheEnd, streamOrder } from '../use-cases/stream-order.ts';
import { IdempotencyHeaders, ListOrdersQuery, OrderParams, OrderSchema, PlaceOrderBody } from './schemas.ts';

/** Seconds a stream refused for want of room is told to wait: streams end as orders reach a final state. */
const STREAMS_RETRY_AFTER_S = 10;

export function ordersRoutes(app: App, deps: Deps): void {
  const tags = ['Orders'];
  const access = 'customer' as const;

  app.post(
    '/api/orders',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Place an order (runs the saga: reserve stock, authorise payment, confirm)',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: {
          201: { ...OrderSchema, description: 'CONFIRMED: stock reserved, payment authorised (or cash on delivery)' },
          202: { ...OrderSchema, description: 'PENDING: not decided within the window; it finishes by itself' },
          402: problemAnswer(
            'PAYMENT_DECLINED, PAYMENT_TIMEOUT, PAYMENT_UNAVAILABLE or PAYMENT_FAILED, with orderId: the order is REJECTED',
          ),
          409: problemAnswer('OUT_OF_STOCK, with orderId: the order is REJECTED'),
          422: problemAnswer('IDEMPOTENCY_KEY_REUSED: this key came with another body'),
          503: problemAnswer('SERVICE_UNAVAILABLE: shipping cannot be reached; no order was placed'),
        },
      },
    },
    async (req, reply) => {
      // The calls made for this request end a margin after its sync window; the saga's recovery resumes what they cut.
      const deadlineMs = deps.config.syncWindowMs + deps.config.deadlineMarginMs;
      const answer = await runWithDeadline(deadlineMs, () =>
        placeOrder(deps, req.caller!, req.body, req.headers['idempotency-key']),
      );
      if (answer.problem) reply.type('application/problem+json');
      return reply.code(answer.status as 201).send(answer.body as never);
    },
  );

  app.get(
    '/api/orders',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Your orders, newest first (admins: all, or ?userId=)',
        querystring: ListOrdersQuery,
        response: { 200: page(OrderSchema) },
      },
    },
    async (req) => listOrders(deps.db, req.caller!, req.query),
  );

  app.get(
    '/api/orders/:id',
    { config: { access }, schema: { tags, summary: 'One order', params: OrderParams, response: { 200: OrderSchema } } },
    async (req) => getOrder(deps.db, req.caller!, req.params.id),
  );

  app.post(
    '/api/orders/:id/cancel',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Cancel before the courier picks it up',
        params: OrderParams,
        response: {
          200: OrderSchema,
          409: problemAnswer('NOT_CANCELLABLE: the courier has it, or the order is not confirmed'),
          503: problemAnswer('SERVICE_UNAVAILABLE: shipping cannot be reached; the cancellation is kept and retried'),
        },
      },
    },
    async (req) => cancelOrder(deps, req.caller!, req.params.id),
  );

  const streams = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const s of streams) s.abort();
  });

  app.get(
    '/api/orders/:id/events',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Server-sent events of status changes until a final state',
        params: OrderParams,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'text/event-stream of { status, at, detail? } until a final state',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          204: { description: "No Content: the Last-Event-ID sent was the final state's; nothing follows it" },
          503: problemAnswer('SERVICE_UNAVAILABLE: this replica holds as many streams as it may; see Retry-After'),
        },
      },
    },
    async (req, reply) => {
      // Refused before any query: a flood of streams must not cost the database anything.
      if (streams.size >= deps.config.maxStreams)
        throw unavailable('Too many order event streams are open on this server. Try again shortly.', {
          retryAfter: STREAMS_RETRY_AFTER_S,
        });
      // The slot is taken before the order is read, so requests in flight cannot pass the cap together.
      const abort = new AbortController();
      streams.add(abort);
      try {
        const order = await getOrder(deps.db, req.caller!, req.params.id);
        const after = resumeAfter(req.headers['last-event-id']);
        // An EventSource reconnects after every ended stream, even past a final state: a 204 is what stops it.
        if (await seenToTheEnd(deps.db, order, after)) return reply.code(204).send();
        reply.hijack();
        reply.raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        // A HEAD asks for the headers only: it gets them now, not when the order reaches a final state.
        if (req.method === 'HEAD') return void reply.raw.end();
        reply.raw.on('close', () => abort.abort());
        // Unnamed events (type "message"): an EventSource's onmessage receives them, as any SSE client expects.
        const send = (e: { seq: number; status: string; at: string; detail?: string }) =>
          reply.raw.write(
            `id: ${e.seq}\ndata: ${JSON.stringify({ status: e.status, at: e.at, ...(e.detail ? { detail: e.detail } : {}) })}\n\n`,
          );
        const heartbeat = () => reply.raw.write(': keep-alive\n\n');
        await streamOrder(deps, req.params.id, send, abort.signal, heartbeat, after).finally(() => reply.raw.end());
      } finally {
        streams.delete(abort);
      }
    },
  );
}
