// The cluster-mode broker on RabbitMQ: a durable topic exchange keyed by event type, a quorum queue per consumer,
// publisher confirms, retries with backoff, dead letters (see rabbitmq-topology.ts) and reconnection.
import { setTimeout as sleep } from 'node:timers/promises';
import { context } from '@opentelemetry/api';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Message, RecoveringChannelModel } from 'amqplib';
import amqp from 'amqplib';
import type { Logger } from 'pino';
import type { AdapterOptions, ResolvedOptions } from './adapter-common.ts';
import {
  BrokerUnavailableError,
  deliveryContext,
  errorText,
  InFlight,
  retryDelay,
  throughOutages,
  withDefaults,
} from './adapter-common.ts';
import type { Broker, DeadLetter, Handler, QueueDepth } from './broker.ts';
import type { Envelope } from './envelope.ts';
import { confirmed, properties, Topology } from './rabbitmq-topology.ts';

type Subscription = { consumer: string; types: string[]; handler: Handler; channel?: ConfirmChannel; tag?: string };

export class RabbitMqBroker implements Broker {
  readonly kind = 'rabbitmq';
  private readonly options: ResolvedOptions;
  private readonly log: Logger;
  private readonly topology: Topology;
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new InFlight();
  private readonly stopping = new AbortController();
  private connection?: RecoveringChannelModel;
  // model and publisher are undefined while the connection is down: publish() then rejects at once.
  private model?: ChannelModel;
  private publisher?: ConfirmChannel;

  private constructor(options: AdapterOptions) {
    this.options = withDefaults(options);
    this.log = options.log;
    this.topology = new Topology(this.options.namespace);
  }

  /** connect fails fast when the broker stays unreachable at start-up; once connected it reconnects forever. */
  static async connect(url: string, options: AdapterOptions): Promise<RabbitMqBroker> {
    const broker = new RabbitMqBroker(options);
    const setup = (model: ChannelModel) => broker.setup(model);
    const connection = await amqp.connect(url, {
      clientProperties: { connection_name: `${broker.options.namespace} (pid ${process.pid})` },
      recovery: { initialDelay: 200, maxDelay: 10_000, initialMaxRetries: 3, setup },
    });
    connection.on('disconnect', (err: Error) => broker.lost(err));
    connection.on('error', (err: Error) => broker.log.warn({ err }, 'rabbitmq connection error'));
    broker.connection = connection;
    return broker;
  }

  async publish(event: Envelope): Promise<void> {
    const channel = this.publisher;
    if (!channel) throw new BrokerUnavailableError('RabbitMQ is not connected');
    const content = Buffer.from(JSON.stringify(event));
    const options = { ...properties(event.id, event.type), mandatory: true };
    await confirmed(channel, this.topology.events, event.type, content, options);
  }

  async subscribe(consumer: string, types: string[], handler: Handler): Promise<void> {
    const subscription: Subscription = { consumer, types, handler };
    this.subscriptions.push(subscription);
    // While disconnected, the next setup() attaches it; a declaration the broker refuses is the caller's error.
    if (!this.model) return;
    await this.attach(this.model, subscription).catch((err) => {
      this.subscriptions.splice(this.subscriptions.indexOf(subscription), 1);
      throw err;
    });
  }

  /** Dead letters of the consumers subscribed here: AMQP cannot list queues without the management plugin. */
  async deadLetters(): Promise<DeadLetter[]> {
    const consumers = new Set(this.subscriptions.map((s) => s.consumer));
    return this.withChannel(async (channel) => {
      const letters: DeadLetter[] = [];
      for (const consumer of consumers)
        letters.push(...(await this.topology.peek(channel, consumer, this.options.maxAttempts)));
      return letters;
    });
  }

  async replay(eventId: string, consumer: string): Promise<boolean> {
    return this.withChannel((channel) => this.topology.replay(channel, eventId, consumer));
  }

  /** From each dead-letter queue's message count: a peek takes the letters off the queue while it reads them. */
  async deadLetterCounts(consumers: string[]): Promise<Map<string, number>> {
    return this.withChannel(async (channel) => {
      const counts = new Map<string, number>();
      for (const consumer of consumers) counts.set(consumer, await this.topology.deadCount(channel, consumer));
      return counts;
    });
  }

  /** The consumer's queue, as checkQueue counts it: AMQP tells the messages ready, not those delivered and unacked. */
  async queueDepths(consumer: string): Promise<QueueDepth[]> {
    if (!this.subscriptions.some((s) => s.consumer === consumer)) return [];
    return this.withChannel(async (channel) => {
      const queue = this.topology.queue(consumer);
      return [{ queue, ready: (await channel.checkQueue(queue)).messageCount }];
    });
  }

  async close(): Promise<void> {
    this.stopping.abort();
    // Cancel first, so that nothing new arrives while the running handlers finish and settle their messages.
    await Promise.all(this.subscriptions.map((s) => s.tag && s.channel?.cancel(s.tag).catch(() => {})));
    await this.inFlight.drain();
    await this.connection?.close();
  }

  // setup runs after every (re)connect: declare the topology, re-attach every consumer, then accept publishes.
  private async setup(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    publisher.on('error', (err: Error) => this.log.warn({ err }, 'rabbitmq publish channel error'));
    // Unroutable events are legal (nobody consumes that type yet): mandatory only makes them visible in the log.
    publisher.on('return', (m: Message) => {
      context.with(deliveryContext(m.content), () =>
        this.log.debug({ type: m.fields.routingKey, eventId: m.properties.messageId }, 'event has no consumer'),
      );
    });
    this.guard(publisher, model);
    await this.topology.declareExchanges(publisher);
    for (const subscription of this.subscriptions) await this.attach(model, subscription);
    this.model = model;
    this.publisher = publisher;
    this.log.info({ exchange: this.topology.events, consumers: this.subscriptions.length }, 'rabbitmq connected');
  }

  private lost(err: Error): void {
    this.model = undefined;
    this.publisher = undefined;
    this.log.warn({ err }, 'rabbitmq connection lost; reconnecting');
  }

  private async attach(model: ChannelModel, s: Subscription): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (err: Error) => this.log.warn({ err, consumer: s.consumer }, 'rabbitmq channel error'));
    try {
      const queue = await this.topology.declareConsumer(channel, s.consumer, s.types, this.options.maxAttempts);
      await channel.prefetch(this.options.prefetch);
      const { consumerTag } = await channel.consume(queue, (m) => {
        // null means the server cancelled the consumer (queue deleted): reconnecting declares it again.
        if (m) this.inFlight.add(this.handle(s, channel, m));
        else void model.close().catch(() => {});
      });
      Object.assign(s, { channel, tag: consumerTag });
      this.guard(channel, model);
    } catch (err) {
      await channel.close().catch(() => {});
      throw err;
    }
  }

  private async handle(s: Subscription, channel: ConfirmChannel, m: ConsumeMessage): Promise<void> {
    const attempt = Number(m.properties.headers?.['x-delivery-count'] ?? 0) + 1;
    const eventId = m.properties.messageId;
    // The envelope is read again for the lines' context only when there is a line to write: not on the happy path.
    const ctx = () => deliveryContext(m.content);
    const failure = await throughOutages(() => s.handler(JSON.parse(m.content.toString()) as Envelope), {
      backoffMs: this.options.backoffMs,
      stop: this.stopping.signal,
      log: this.log,
      facts: { consumer: s.consumer, eventId, attempt },
      ctx,
    });
    // Closing mid-outage: the channel's close gives the event back unsettled (RabbitMQ 3.x counts that as a delivery).
    if (failure?.stopped) return;
    if (failure) {
      const { err } = failure;
      if (attempt >= this.options.maxAttempts) return this.deadLetter(s.consumer, channel, m, err, attempt);
      context.with(ctx(), () =>
        this.log.warn({ err, consumer: s.consumer, eventId, attempt }, 'event handler failed; will redeliver'),
      );
      // The wait holds the message (one prefetch slot), so its redelivery comes later; close() cuts it short.
      const delay = retryDelay(this.options.backoffMs, attempt);
      await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => {});
      return settle(() => channel.nack(m, false, true));
    }
    settle(() => channel.ack(m));
  }

  private async deadLetter(
    consumer: string,
    channel: ConfirmChannel,
    m: ConsumeMessage,
    err: unknown,
    attempts: number,
  ): Promise<void> {
    const { messageId, type } = m.properties;
    const headers = {
      'x-bazaar-error': errorText(err),
      'x-bazaar-attempts': attempts,
      'x-bazaar-at': new Date().toISOString(),
    };
    const ctx = deliveryContext(m.content);
    try {
      await confirmed(channel, this.topology.dead, consumer, m.content, { ...properties(messageId, type), headers });
      settle(() => channel.ack(m));
      context.with(ctx, () => this.log.error({ err, consumer, eventId: messageId, attempts }, 'event dead-lettered'));
    } catch (publishErr) {
      // This nack passes x-delivery-limit, so RabbitMQ dead-letters the event itself (without the error text).
      context.with(ctx, () =>
        this.log.warn(
          { err: publishErr, consumer, eventId: messageId },
          'dead-letter publish failed; leaving it to the delivery limit',
        ),
      );
      settle(() => channel.nack(m, false, true));
    }
  }

  // A channel that the server closed while the connection lives on is rebuilt by reconnecting the whole connection.
  private guard(channel: Channel, model: ChannelModel): void {
    channel.on('close', () => {
      if (this.publisher === channel) this.publisher = undefined;
      if (!this.stopping.signal.aborted && this.model === model) void model.close().catch(() => {});
    });
  }

  // A short-lived channel for listing and replaying: closing it returns every message it got but did not ack.
  private async withChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    if (!this.model) throw new BrokerUnavailableError('RabbitMQ is not connected');
    const channel = await this.model.createConfirmChannel();
    channel.on('error', () => {});
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }
}

// ack and nack throw once the channel is gone; the broker then redelivers the message, which is what we want.
function settle(action: () => void): void {
  try {
    action();
  } catch {}
}
