// The inbox: a consumer's effect and the event id are committed together, so a redelivered event is a no-op.
//
// Deliveries that arrive while the consumer's transaction runs wait for it and then go in the next one together
// (group commit): alone, an event goes at once; under load, one transaction and one inbox statement serve many,
// where each would have paid its own BEGIN, inbox row and COMMIT.
import {
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Db, Tx } from '../database/db.ts';
import { withRequestId } from '../telemetry/request-context.ts';
import type { Handler } from './broker.ts';
import { passCrashPoint } from './crash-point.ts';
import type { Envelope } from './envelope.ts';

export type EffectHandler<T = unknown> = (tx: Tx, event: Envelope) => Promise<T>;

/** The most events one transaction takes; the rest wait for the next. */
export const MAX_BATCH = 32;

// A redelivery counts itself on the row it finds, so the absorbed duplicates can be seen afterwards.
const CLAIM_SQL = `INSERT INTO inbox (event_id, consumer, type)
  SELECT id, $2, type FROM unnest($1::uuid[], $3::text[]) AS e(id, type)
  ON CONFLICT (event_id, consumer) DO UPDATE SET deliveries = inbox.deliveries + 1
  RETURNING event_id::text AS id, deliveries`;

type Waiting<T> = { event: Envelope; ctx: Context; span: Span; settle(outcome: Outcome<T>): void };
type Outcome<T> = { ok: true; applied: boolean; result?: T } | { ok: false; err: unknown };

/** inbox wraps an effect so that it runs at most once per event id, inside the event's trace. */
export function inbox<T>(
  db: Db,
  consumer: string,
  tracer: Tracer,
  effect: EffectHandler<T>,
  afterCommit?: (result: T) => void,
): Handler {
  const queue: Waiting<T>[] = [];
  let busy = false;

  /** Runs the events in one transaction; the first effect to throw rolls all of them back. */
  const together = (batch: Waiting<T>[]) =>
    context.with(batch[0].ctx, () =>
      db.transaction(async (tx) => {
        const rows = await tx.query<{ id: string; deliveries: number }>(CLAIM_SQL, [
          batch.map((w) => w.event.id),
          consumer,
          batch.map((w) => w.event.type),
        ]);
        const first = new Set(rows.filter((r) => r.deliveries === 1).map((r) => r.id.toLowerCase()));
        const outcomes: Outcome<T>[] = [];
        for (const w of batch) {
          const applied = first.has(w.event.id.toLowerCase());
          const result = applied ? await context.with(w.ctx, () => effect(tx, w.event)) : undefined;
          outcomes.push({ ok: true, applied, result });
        }
        return outcomes;
      }),
    );

  const settled = async (batch: Waiting<T>[]): Promise<Outcome<T>[]> => {
    try {
      return await together(batch);
    } catch (err) {
      if (batch.length === 1) return [{ ok: false, err }];
      // Each on its own again: the event that failed fails alone, and the others are applied.
      const outcomes: Outcome<T>[] = [];
      for (const w of batch) outcomes.push(...(await settled([w])));
      return outcomes;
    }
  };

  const next = () => {
    if (busy || queue.length === 0) return;
    busy = true;
    const batch = takeBatch(queue);
    for (const w of batch) w.span.setAttribute('messaging.batch.message_count', batch.length);
    void settled(batch).then((outcomes) => {
      busy = false;
      for (const [i, w] of batch.entries()) w.settle(outcomes[i]);
      next();
    });
  };

  return async (event) => {
    const parent = propagation.extract(context.active(), { traceparent: event.traceparent ?? '' });
    const span = tracer.startSpan(
      `consume ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'messaging.message.id': event.id, 'messaging.consumer.group.name': consumer },
      },
      parent,
    );
    const traced = trace.setSpan(parent, span);
    // The effect's lines name the request that caused the event, as the request's own lines do.
    const ctx = event.requestid ? withRequestId(traced, event.requestid) : traced;
    try {
      const outcome = await new Promise<Outcome<T>>((settle) => {
        queue.push({ event, ctx, span, settle });
        next();
      });
      if (!outcome.ok) throw outcome.err;
      if (outcome.applied) afterCommit?.(outcome.result as T);
      passCrashPoint('consumer-handled'); // committed, and the broker has no ack yet
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  };
}

/**
 * Takes up to MAX_BATCH waiting events off the queue, one per event id (a redelivery of an event in the batch waits
 * for the next, where it finds the row), ordered by subject so that transactions of replicas lock rows in one order.
 */
function takeBatch<W extends { event: Envelope }>(queue: W[]): W[] {
  const ids = new Set<string>();
  const batch: W[] = [];
  for (let i = 0; i < queue.length && batch.length < MAX_BATCH; ) {
    const id = queue[i].event.id.toLowerCase();
    if (ids.has(id)) {
      i++;
      continue;
    }
    ids.add(id);
    batch.push(...queue.splice(i, 1));
  }
  // Stable: the events of one subject keep the order they came in.
  const subject = (w: W) => w.event.subject ?? '';
  return batch.sort((a, b) => (subject(a) < subject(b) ? -1 : subject(a) > subject(b) ? 1 : 0));
}
