// The one interface every broker adapter implements: at-least-once delivery, a queue per consuming service.
import type { Envelope } from './envelope.ts';

export type Handler = (event: Envelope) => Promise<void>;

export type DeadLetter = { consumer: string; event: Envelope; error: string; at: string; attempts: number };

export interface Broker {
  readonly kind: string;
  /** Resolves once the broker holds the event durably (in-process: once every consumer has handled it). */
  publish(event: Envelope): Promise<void>;
  /** Delivers events of these types to the consumer until the handler succeeds or attempts run out. */
  subscribe(consumer: string, types: string[], handler: Handler): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  /** How many dead letters wait for each of these consumers, counted without reading them (for metrics). */
  deadLetterCounts(consumers: string[]): Promise<Map<string, number>>;
  /** Puts a dead letter back on its consumer's queue. */
  replay(eventId: string, consumer: string): Promise<boolean>;
  close(): Promise<void>;
}
