// What the RabbitMQ and NATS adapters share: their options, the retry schedule and the tracking of running handlers.
import type { Logger } from 'pino';

export type AdapterOptions = {
  log: Logger;
  /** Deliveries of one event to one consumer before it is dead-lettered, the first one included. */
  maxAttempts?: number;
  /** Delay before the first redelivery of a failed event; it doubles with each attempt, up to 30 s. */
  backoffMs?: number;
  /** Unacknowledged deliveries a consumer holds at once (RabbitMQ prefetch; NATS pull batch and concurrency). */
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
