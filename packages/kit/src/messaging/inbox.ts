// The inbox: a consumer's effect and the event id are committed together, so a redelivered event is a no-op.
import { context, propagation, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Db, Tx } from '../database/db.ts';
import type { Handler } from './broker.ts';
import { passCrashPoint } from './crash-point.ts';
import type { Envelope } from './envelope.ts';

export type EffectHandler<T = unknown> = (tx: Tx, event: Envelope) => Promise<T>;

/** inbox wraps an effect so that it runs at most once per event id, inside the event's trace. */
export function inbox<T>(
  db: Db,
  consumer: string,
  tracer: Tracer,
  effect: EffectHandler<T>,
  afterCommit?: (result: T) => void,
): Handler {
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
    try {
      const outcome = await context.with(trace.setSpan(parent, span), () =>
        db.transaction(async (tx) => {
          // A redelivery counts itself on the row it finds, so the absorbed duplicates can be seen afterwards.
          const [{ deliveries }] = await tx.query<{ deliveries: number }>(
            `INSERT INTO inbox (event_id, consumer, type) VALUES ($1, $2, $3)
             ON CONFLICT (event_id, consumer) DO UPDATE SET deliveries = inbox.deliveries + 1 RETURNING deliveries`,
            [event.id, consumer, event.type],
          );
          return deliveries === 1 ? { result: await effect(tx, event) } : undefined;
        }),
      );
      if (outcome) afterCommit?.(outcome.result);
      passCrashPoint('consumer-handled'); // committed, and the broker has no ack yet
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  };
}
