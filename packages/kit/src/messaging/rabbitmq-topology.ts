// RabbitMQ's side of the broker: the exchanges and queues, publishing with confirms, and the dead-letter queues.
// Dead letters: at the last attempt the consumer publishes the event to the dead exchange itself, with the handler's
// error; the queue's x-delivery-limit is the backstop that dead-letters it anyway when that consumer died mid-attempt
// or could not publish. Quorum queues count the deliveries (x-delivery-count), so no attempts header is needed.
import type { Channel, ConfirmChannel, GetMessage, Options } from 'amqplib';
import { CLOUDEVENTS_JSON } from './adapter-common.ts';
import type { DeadLetter } from './broker.ts';

/** Topology names one namespace's exchanges and queues: `<ns>.events`, `<ns>.dead`, `<ns>.<consumer>[.dead]`. */
export class Topology {
  readonly events: string;
  readonly dead: string;
  private readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
    this.events = `${namespace}.events`;
    this.dead = `${namespace}.dead`;
  }

  queue(consumer: string): string {
    return `${this.namespace}.${consumer}`;
  }

  deadQueue(consumer: string): string {
    return `${this.queue(consumer)}.dead`;
  }

  async declareExchanges(channel: Channel): Promise<void> {
    await channel.assertExchange(this.events, 'topic', { durable: true });
    await channel.assertExchange(this.dead, 'direct', { durable: true });
  }

  /** declareConsumer makes the consumer's queue and dead-letter queue, bound to its event types; returns the queue. */
  async declareConsumer(channel: Channel, consumer: string, types: string[], maxAttempts: number): Promise<string> {
    const [queue, dead] = [this.queue(consumer), this.deadQueue(consumer)];
    await channel.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(dead, this.dead, consumer);
    // maxAttempts - 1 redeliveries: one more nack past the last attempt and RabbitMQ dead-letters the event itself.
    const limit = { 'x-delivery-limit': maxAttempts - 1, 'x-dead-letter-exchange': this.dead };
    const args = { 'x-queue-type': 'quorum', ...limit, 'x-dead-letter-routing-key': consumer };
    await channel.assertQueue(queue, { durable: true, arguments: args });
    for (const type of types) await channel.bindQueue(queue, this.events, type);
    return queue;
  }

  /** deadCount: how many dead letters wait for the consumer (0 when it has no queue yet). */
  async deadCount(channel: Channel, consumer: string): Promise<number> {
    const queue = await channel.checkQueue(this.deadQueue(consumer)).catch(() => undefined);
    return queue?.messageCount ?? 0;
  }

  /**
   * peek lists a consumer's dead letters and leaves them in place. While it reads, and for a moment after its channel
   * has closed, the letters it holds are off the queue: another reader meanwhile sees fewer. They go back by the
   * channel's closing, not by a nack: a nack counts as a failed delivery against the quorum queue's delivery limit.
   */
  async peek(channel: Channel, consumer: string, maxAttempts: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    // Unacknowledged gets go back to the queue when the caller closes the channel.
    for await (const m of everything(channel, this.deadQueue(consumer)))
      letters.push(toDeadLetter(consumer, m, maxAttempts));
    return letters;
  }

  /** replay moves one dead letter back onto its consumer's queue, and only that consumer's. */
  async replay(channel: ConfirmChannel, eventId: string, consumer: string): Promise<boolean> {
    const dead = this.deadQueue(consumer);
    if (!(await channel.checkQueue(dead).then(Boolean, () => false))) return false;
    for await (const m of everything(channel, dead)) {
      if (m.properties.messageId !== eventId) continue;
      // Through the default exchange, straight to the queue: the other consumers of this type already had it.
      await confirmed(channel, '', this.queue(consumer), m.content, properties(eventId, m.properties.type));
      channel.ack(m);
      return true;
    }
    return false;
  }
}

export function properties(messageId: string | undefined, type: string | undefined): Options.Publish {
  return { persistent: true, messageId, type, contentType: CLOUDEVENTS_JSON };
}

/** confirmed resolves once the broker has taken responsibility for the message (publisher confirm). */
export function confirmed(
  channel: ConfirmChannel,
  exchange: string,
  key: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish(exchange, key, content, options, (err) => (err ? reject(asError(err)) : resolve()));
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function* everything(channel: Channel, queue: string): AsyncGenerator<GetMessage> {
  for (let m = await channel.get(queue); m; m = await channel.get(queue)) yield m;
}

function toDeadLetter(consumer: string, m: GetMessage, maxAttempts: number): DeadLetter {
  const h = m.properties.headers ?? {};
  // Letters the delivery limit dead-lettered (the consumer died mid-attempt) carry x-death instead of our headers.
  const death = h['x-death']?.[0];
  const diedAt = new Date(Number(death?.time?.value ?? 0) * 1000).toISOString();
  return {
    consumer,
    event: JSON.parse(m.content.toString()),
    error: String(h['x-bazaar-error'] ?? `dead-lettered by RabbitMQ (${death?.reason ?? 'unknown reason'})`),
    attempts: Number(h['x-bazaar-attempts'] ?? maxAttempts),
    at: String(h['x-bazaar-at'] ?? diedAt),
  };
}
