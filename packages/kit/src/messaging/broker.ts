// The one interface every broker adapter implements: at-least-once delivery, a queue per consuming service.
import type { Envelope } from './envelope.ts';

export type Handler = (event: Envelope) => Promise<void>;

export type DeadLetter = { consumer: string; event: Envelope; error: string; at: string; attempts: number };

/**
 * One queue a consumer reads (a RabbitMQ queue, a NATS durable), as the broker itself counts it: `ready` events wait to
 * be delivered, `unacked` ones were delivered and are not yet settled (absent where the broker does not say).
 */
export type QueueDepth = { queue: string; ready: number; unacked?: number };

export interface Broker {
  readonly kind: string;
  /** Resolves once the broker holds the event durably (in-process: once every consumer has handled it). */
  publish(event: Envelope): Promise<void>;
  /** Delivers events of these types to the consumer until the handler succeeds or attempts run out. */
  subscribe(consumer: string, types: string[], handler: Handler): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  /** How many dead letters wait for each of these consumers, counted without reading them (for metrics). */
  deadLetterCounts(consumers: string[]): Promise<Map<string, number>>;
  /** What waits in each queue this process consumes for the consumer, read from the broker (for metrics). */
  queueDepths(consumer: string): Promise<QueueDepth[]>;
  /** Puts a dead letter back on its consumer's queue. */
  replay(eventId: string, consumer: string): Promise<boolean>;
  close(): Promise<void>;
}
