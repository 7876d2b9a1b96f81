// What the broker adapters share: their options, the retry schedule, riding out an outage, the running handlers.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Context, context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { isOutage } from '../database/outage.ts';
import { withRequestId } from '../telemetry/request-context.ts';
import type { Envelope } from './envelope.ts';

export type AdapterOptions = {
  log: Logger;
  /** Deliveries of one event to one consumer before it is dead-lettered, the first one included. */
  maxAttempts?: number;
  /** Delay before the first redelivery of a failed event; it doubles with each attempt, up to 30 s. */
  backoffMs?: number;
  /** Unacknowledged deliveries a consumer holds at once (RabbitMQ prefetch; NATS each durable's max_ack_pending). */
  prefetch?: number;
  /** Prefix of every exchange, queue, stream and subject, so that test runs never share topology. */
  namespace?: string;
};

export type ResolvedOptions = Required<AdapterOptions>;

export function withDefaults(options: AdapterOptions): ResolvedOptions {
  return {
    log: options.log,
    maxAttempts: options.maxAttempts ?? 5,
    backoffMs: options.backoffMs ?? 500,
    prefetch: options.prefetch ?? 32,
    namespace: options.namespace ?? 'bazaar',
  };
}

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** retryDelay is the wait before redelivering after failed attempt `attempt` (1-based). */
export function retryDelay(backoffMs: number, attempt: number): number {
  return Math.min(30_000, backoffMs * 2 ** (attempt - 1));
}

/** The longest wait between two calls of a handler held through an outage (under NATS's 30 s ack wait). */
export const OUTAGE_RETRY_MAX_MS = 10_000;

type Hold = {
  backoffMs: number;
  /** Aborted when the broker closes: the hold ends (`stopped`) and the adapter leaves the event unsettled. */
  stop: AbortSignal;
  log: Logger;
  facts: Record<string, unknown>;
  /** The event's context (deliveryContext), which the holding line is written in: read only if a line is written. */
  ctx?: () => Context;
  /** Runs before each wait, to keep the event this consumer's (NATS: the message is still being worked on). */
  keep?: () => void;
};

/**
 * throughOutages calls the handler, and calls it again after a wait for as long as it fails for want of something it
 * needs (isOutage: its database down or restarting). Those calls spend none of the event's attempts: a consumer whose
 * database is away holds its events until it is back, where counting them would dead-letter good events. Resolves
 * to undefined when a call succeeded, else to its error; `stopped` when the broker closed during an outage.
 */
export async function throughOutages(
  call: () => Promise<void>,
  hold: Hold,
): Promise<{ err: unknown; stopped?: true } | undefined> {
  for (let held = 0; ; held++) {
    const failure = await Promise.resolve()
      .then(call)
      .then(
        () => undefined,
        (err: unknown) => ({ err }),
      );
    if (!failure || !isOutage(failure.err)) return failure;
    if (hold.stop.aborted) return { ...failure, stopped: true };
    // Logged at the first wait and then ever more rarely (1st, 2nd, 4th, 8th...): one outage is one story, not a flood.
    if ((held & (held + 1)) === 0)
      context.with(hold.ctx?.() ?? context.active(), () =>
        hold.log.warn(
          { ...hold.facts, err: failure.err, held: held + 1 },
          'event handler cannot reach what it needs; holding the event',
        ),
      );
    try {
      hold.keep?.();
    } catch {
      // The connection is gone: the broker gives the event out again once it notices, as for any unsettled one.
    }
    const wait = Math.min(OUTAGE_RETRY_MAX_MS, hold.backoffMs * 2 ** held);
    await sleep(wait, undefined, { signal: hold.stop }).catch(() => {});
  }
}

/**
 * deliveryContext is what an adapter writes its lines about one delivery in: the event's trace (the span that published
 * it) and the id of the request that caused it, which the consumer's own lines carry too. Empty for a body that is not
 * an envelope.
 */
export function deliveryContext(body: Partial<Envelope> | Uint8Array): Context {
  const event = body instanceof Uint8Array ? parsed(body) : body;
  const traceparent = typeof event?.traceparent === 'string' ? event.traceparent : undefined;
  const ctx = propagation.extract(ROOT_CONTEXT, traceparent ? { traceparent } : {});
  return typeof event?.requestid === 'string' ? withRequestId(ctx, event.requestid) : ctx;
}

function parsed(body: Uint8Array): Partial<Envelope> | undefined {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString()) ?? undefined;
  } catch {
    return undefined;
  }
}

/** errorText fits a handler's error into one header value: one line, bounded. */
export function errorText(err: unknown): string {
  return String(err).replace(/\s+/g, ' ').slice(0, 1000);
}

/** Thrown by publish() while the broker is unreachable, at once, so the outbox keeps the row and retries. */
export class BrokerUnavailableError extends Error {
  readonly code = 'BROKER_UNAVAILABLE';
}

/** InFlight tracks running handlers, so close() can wait for them and a consumer can bound its concurrency. */
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  get size(): number {
    return this.running.size;
  }

  add(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch(() => {}).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Resolves when any one of the running handlers has finished. */
  async one(): Promise<void> {
    if (this.running.size > 0) await Promise.race(this.running);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
