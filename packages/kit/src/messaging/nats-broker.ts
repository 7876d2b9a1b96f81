// The cluster-mode broker on NATS JetStream: publishes acknowledged by the stream, durable pull consumers, retries
// with a delayed nak, dead letters at the last attempt (see nats-streams.ts); the client does the reconnecting.
import { setTimeout as sleep } from 'node:timers/promises';
import { context } from '@opentelemetry/api';
import type { ConsumerMessages, JetStreamClient } from 'nats';
import { ConsumerEvents, connect, Events, headers, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { AdapterOptions, ResolvedOptions } from './adapter-common.ts';
import {
  BrokerUnavailableError,
  CLOUDEVENTS_JSON,
  deliveryContext,
  errorText,
  InFlight,
  retryDelay,
  throughOutages,
  withDefaults,
} from './adapter-common.ts';
import type { Broker, DeadLetter, Handler, QueueDepth } from './broker.ts';
import type { Envelope } from './envelope.ts';
import { type Durable, eventIdOf, Streams } from './nats-streams.ts';

type Subscription = Durable & { consumer: string; handler: Handler };

export class NatsBroker implements Broker {
  readonly kind = 'nats';
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly streams: Streams;
  private readonly options: ResolvedOptions;
  private readonly log: Logger;
  private readonly subscriptions: Subscription[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly pulling = new Set<ConsumerMessages>();
  private readonly inFlight = new InFlight();
  // False from a disconnect until the reconnect: publish() then rejects at once instead of timing out.
  private connected = true;
  private closing = false;
  private readonly stopping = new AbortController();

  private constructor(nc: NatsConnection, streams: Streams, options: AdapterOptions) {
    this.nc = nc;
    this.js = nc.jetstream();
    this.streams = streams;
    this.options = withDefaults(options);
    this.log = options.log;
  }

  /** connect fails fast when the server is unreachable at start-up; the client reconnects forever after that. */
  static async connect(url: string, options: AdapterOptions): Promise<NatsBroker> {
    const { namespace, prefetch } = withDefaults(options);
    const name = `${namespace} (pid ${process.pid})`;
    const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    const streams = new Streams(nc.jetstream(), await nc.jetstreamManager(), namespace, prefetch);
    await streams.declare().catch(async (err) => {
      await nc.close();
      throw err;
    });
    const broker = new NatsBroker(nc, streams, options);
    options.log.info({ server: nc.getServer(), namespace }, 'nats connected');
    void broker.watch();
    return broker;
  }

  async publish(event: Envelope): Promise<void> {
    if (!this.connected) throw new BrokerUnavailableError('NATS is not connected');
    const h = headers();
    h.set('Content-Type', CLOUDEVENTS_JSON);
    // msgID travels as Nats-Msg-Id: a second publish of the same event within the duplicate window is dropped.
    const options = { msgID: event.id, headers: h, timeout: 5000 };
    await this.js.publish(this.streams.subject(event.type), JSON.stringify(event), options);
  }

  async subscribe(consumer: string, types: string[], handler: Handler): Promise<void> {
    const subscriptions = this.streams.durables(consumer, types).map((d) => ({ ...d, consumer, handler }));
    for (const s of subscriptions) await this.streams.declareConsumer(s);
    this.subscriptions.push(...subscriptions);
    for (const s of subscriptions) this.loops.push(this.run(s));
  }

  deadLetters(): Promise<DeadLetter[]> {
    return this.streams.deadLetters();
  }

  replay(eventId: string, consumer: string): Promise<boolean> {
    return this.streams.replay(eventId, consumer);
  }

  deadLetterCounts(consumers: string[]): Promise<Map<string, number>> {
    return this.streams.deadCounts(consumers);
  }

  /** Each durable of the consumer: num_pending waits to be delivered, num_ack_pending was delivered and not acked. */
  async queueDepths(consumer: string): Promise<QueueDepth[]> {
    const durables = this.subscriptions.filter((s) => s.consumer === consumer);
    return Promise.all(durables.map((d) => this.streams.depth(d.name)));
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopping.abort();
    await Promise.all([...this.pulling].map((messages) => messages.close()));
    await Promise.all(this.loops);
    await this.inFlight.drain();
    // drain flushes the last acks before closing.
    await this.nc.drain().catch(() => this.nc.close());
  }

  // The client resumes pulls after a reconnect; re-declaring covers a server that came back without its state.
  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) {
        this.connected = false;
        this.log.warn({ server: status.data }, 'nats disconnected; reconnecting');
      }
      if (status.type !== Events.Reconnect) continue;
      this.log.info({ server: status.data }, 'nats reconnected');
      // Declared before publishing resumes: a server back without its state would drop what no durable yet wants.
      await this.declareAgain(this.subscriptions);
      this.connected = true;
    }
  }

  /** The streams and these durables, declared again; a failure is logged, and the next reconnect or report retries. */
  private async declareAgain(subscriptions: Subscription[]): Promise<void> {
    await this.streams
      .declare()
      .then(() => Promise.all(subscriptions.map((s) => this.streams.declareConsumer(s))))
      .catch((err) => this.log.warn({ err, durables: subscriptions.map((s) => s.name) }, 'nats re-declaration failed'));
  }

  /**
   * Declares a durable again once the server says it is gone (deleted by hand, or a server that lost its state) and
   * ends its pull, so run() takes it up afresh. Without this the client would retry the missing durable for ever,
   * and the stream, keeping events only for the durables that want them, would drop every one meant for it.
   */
  private async recreateWhenGone(s: Subscription, messages: ConsumerMessages): Promise<void> {
    for await (const status of await messages.status()) {
      const gone =
        status.type === ConsumerEvents.ConsumerDeleted ||
        status.type === ConsumerEvents.ConsumerNotFound ||
        status.type === ConsumerEvents.StreamNotFound;
      if (!gone || this.closing) continue;
      this.log.error({ durable: s.name, status: status.type }, 'nats durable consumer gone; declaring it again');
      await this.declareAgain([s]);
      await messages.close();
      return;
    }
  }

  private async run(s: Subscription): Promise<void> {
    const slots = new InFlight();
    while (!this.closing) {
      try {
        const consumer = await this.js.consumers.get(this.streams.events, s.name);
        // The client pulls again as messages arrive, not as they are acked: the durable's max_ack_pending (the
        // prefetch, nats-streams.ts) is what keeps its buffer and its handlers together within the prefetch.
        const messages = await consumer.consume({ max_messages: this.options.prefetch });
        this.pulling.add(messages);
        void this.recreateWhenGone(s, messages);
        if (this.closing) await messages.close();
        for await (const m of messages) {
          // At most `prefetch` handlers at once per durable, even if an operator has raised its max_ack_pending.
          if (slots.size >= this.options.prefetch) await slots.one();
          const work = this.handle(s, m);
          slots.add(work);
          this.inFlight.add(work);
        }
        this.pulling.delete(messages);
      } catch (err) {
        if (this.closing) break;
        this.log.warn({ err, durable: s.name }, 'nats consumer stopped; restarting');
        await sleep(1000);
      }
    }
  }

  private async handle(s: Subscription, m: JsMsg): Promise<void> {
    const attempt = m.info.deliveryCount;
    const max = this.options.maxAttempts;
    // Past the last attempt means that attempt never finished (crash, failed dead-letter): no handler call again.
    if (attempt > max) return this.deadLetter(s.consumer, m, 'attempts exhausted without an outcome', max);
    const eventId = eventIdOf(m);
    // The envelope is read again for the lines' context only when there is a line to write: not on the happy path.
    const ctx = () => deliveryContext(m.data);
    const failure = await throughOutages(() => s.handler(m.json<Envelope>()), {
      backoffMs: this.options.backoffMs,
      stop: this.stopping.signal,
      log: this.log,
      facts: { consumer: s.consumer, subject: m.subject, eventId, attempt },
      ctx,
      keep: () => m.working(),
    });
    if (!failure) return m.ack();
    // Closing mid-outage: left unsettled, redelivered once its ack wait runs out.
    if (failure.stopped) return;
    if (attempt >= max) return this.deadLetter(s.consumer, m, errorText(failure.err), attempt);
    context.with(ctx(), () =>
      this.log.warn(
        { err: failure.err, consumer: s.consumer, subject: m.subject, eventId, attempt },
        'event handler failed; will redeliver',
      ),
    );
    m.nak(retryDelay(this.options.backoffMs, attempt));
  }

  private async deadLetter(consumer: string, m: JsMsg, error: string, attempts: number): Promise<void> {
    const [ctx, eventId] = [deliveryContext(m.data), eventIdOf(m)];
    try {
      await this.streams.deadLetter(consumer, m, error, attempts);
      m.term();
      context.with(ctx, () =>
        this.log.error({ consumer, subject: m.subject, eventId, attempts, error }, 'event dead-lettered'),
      );
    } catch (err) {
      context.with(ctx, () =>
        this.log.error({ err, consumer, subject: m.subject, eventId }, 'dead-letter publish failed; will redeliver'),
      );
      m.nak(retryDelay(this.options.backoffMs, attempts));
    }
  }
}
