// The embedded mode's broker: same at-least-once, retry and dead-letter semantics as the real ones, in memory.
import { context } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { deliveryContext, throughOutages } from './adapter-common.ts';
import type { Broker, DeadLetter, Handler, QueueDepth } from './broker.ts';
import { deadLetterFile } from './dead-letter-file.ts';
import type { Envelope } from './envelope.ts';

type Subscription = { consumer: string; types: Set<string>; handler: Handler };

/** A consumer's deliveries not yet settled: waiting for their next attempt (ready), or in its handler (unacked). */
type Depth = { ready: number; unacked: number };

export class InProcessBroker implements Broker {
  readonly kind = 'in-process';
  private readonly subscriptions: Subscription[] = [];
  private readonly dead: DeadLetter[];
  private readonly depths = new Map<string, Depth>();
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private readonly deadLetterPath?: string;

  /** deadLetterPath: a file that keeps the dead letters across restarts (memory only without it). */
  constructor(options: { maxAttempts?: number; backoffMs?: number; log?: Logger; deadLetterPath?: string } = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? 20;
    this.log = options.log ?? pino({ level: 'silent' });
    this.deadLetterPath = options.deadLetterPath;
    // Read whole, not spread into push: a long file's letters would be more arguments than a call may take.
    this.dead = this.deadLetterPath ? deadLetterFile.read(this.deadLetterPath) : [];
  }

  async publish(event: Envelope): Promise<void> {
    const targets = this.subscriptions.filter((s) => s.types.has(event.type));
    await Promise.all(targets.map((s) => this.deliver(s, event)));
  }

  async subscribe(consumer: string, types: string[], handler: Handler): Promise<void> {
    this.subscriptions.push({ consumer, types: new Set(types), handler });
  }

  async deadLetterCounts(consumers: string[]): Promise<Map<string, number>> {
    return new Map(consumers.map((c) => [c, this.dead.filter((d) => d.consumer === c).length]));
  }

  /** One queue per consumer, named after it; nothing waits unseen here, so ready is a delivery between attempts. */
  async queueDepths(consumer: string): Promise<QueueDepth[]> {
    if (!this.subscriptions.some((s) => s.consumer === consumer)) return [];
    const { ready, unacked } = this.depthOf(consumer);
    return [{ queue: consumer, ready, unacked }];
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.dead];
  }

  async replay(eventId: string, consumer: string): Promise<boolean> {
    const index = this.dead.findIndex((d) => d.event.id === eventId && d.consumer === consumer);
    const subscription = this.subscriptions.find((s) => s.consumer === consumer);
    if (index < 0 || !subscription) return false;
    const [letter] = this.dead.splice(index, 1);
    this.keepDead(() => deadLetterFile.write(this.deadLetterPath!, this.dead));
    await this.deliver(subscription, letter.event);
    return true;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    this.subscriptions.length = 0;
  }

  /** Writes the dead letters' file, when there is one; a failed write is told, and the letters stay in memory. */
  private keepDead(write: () => void): void {
    if (!this.deadLetterPath) return;
    try {
      write();
    } catch (err) {
      this.log.error({ err, path: this.deadLetterPath }, 'dead letters not written to disk; kept in memory');
    }
  }

  private depthOf(consumer: string): Depth {
    const depth = this.depths.get(consumer) ?? { ready: 0, unacked: 0 };
    this.depths.set(consumer, depth);
    return depth;
  }

  /** counted runs one phase of a delivery with it counted in the consumer's depth, ready or unacked. */
  private async counted<T>(consumer: string, state: keyof Depth, phase: () => Promise<T>): Promise<T> {
    const depth = this.depthOf(consumer);
    depth[state]++;
    try {
      return await phase();
    } finally {
      depth[state]--;
    }
  }

  private async deliver(s: Subscription, event: Envelope): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const facts = { consumer: s.consumer, eventId: event.id, attempt };
      // A copy per consumer, as a real broker would deliver: no consumer sees another's mutations.
      const failure = await this.counted(s.consumer, 'unacked', () =>
        throughOutages(() => s.handler(structuredClone(event)), {
          backoffMs: this.backoffMs,
          stop: this.stopping.signal,
          log: this.log,
          facts,
          ctx: () => deliveryContext(event),
        }),
      );
      if (!failure || failure.stopped) return;
      const told = { ...facts, err: failure.err };
      if (attempt >= this.maxAttempts) {
        const letter = {
          consumer: s.consumer,
          event,
          error: String(failure.err),
          at: new Date().toISOString(),
          attempts: attempt,
        };
        this.dead.push(letter);
        this.keepDead(() => deadLetterFile.append(this.deadLetterPath!, letter));
        context.with(deliveryContext(event), () => this.log.error(told, 'event dead-lettered'));
        return;
      }
      context.with(deliveryContext(event), () => this.log.warn(told, 'event handler failed; will redeliver'));
      const backoff = this.backoffMs * 2 ** (attempt - 1);
      await this.counted(s.consumer, 'ready', () => new Promise((r) => setTimeout(r, backoff)));
    }
  }
}
