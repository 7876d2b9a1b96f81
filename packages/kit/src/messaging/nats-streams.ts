// JetStream's side of the broker: the events stream, the durable consumers and the dead-letter stream.
// Events go to `<ns>.events.<type>`; a replayed dead letter to `<ns>.replay.<consumer>`, so that only its consumer
// sees it again. Dead letters are messages of `<NS>_DEAD` on `<ns>.dead.<consumer>`, the error and attempts in headers.

import type { JetStreamClient, StoredMsg, StreamConfig } from 'nats';
import {
  AckPolicy,
  DeliverPolicy,
  headers,
  type JetStreamManager,
  type JsMsg,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import type { DeadLetter, QueueDepth } from './broker.ts';
import type { Envelope } from './envelope.ts';

export type Durable = { name: string; filter: string };

const H = {
  consumer: 'Bazaar-Consumer',
  error: 'Bazaar-Error',
  attempts: 'Bazaar-Attempts',
  at: 'Bazaar-At',
  eventId: 'Bazaar-Event-Id',
};
const DAY_MS = 24 * 3600 * 1000;

/** The namespace's two streams: every event, and the dead letters. */
export function streamNames(namespace: string): { events: string; dead: string } {
  const stem = namespace.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
  return { events: `${stem}_EVENTS`, dead: `${stem}_DEAD` };
}

export class Streams {
  readonly events: string;
  readonly dead: string;
  private readonly ns: string;
  private readonly js: JetStreamClient;
  private readonly jsm: JetStreamManager;
  private readonly prefetch: number;

  /** prefetch is what each durable may have delivered and not yet acked, across every process that reads it. */
  constructor(js: JetStreamClient, jsm: JetStreamManager, namespace: string, prefetch: number) {
    this.js = js;
    this.jsm = jsm;
    this.ns = namespace;
    this.prefetch = prefetch;
    ({ events: this.events, dead: this.dead } = streamNames(namespace));
  }

  subject(type: string): string {
    return `${this.ns}.events.${type}`;
  }

  async declare(): Promise<void> {
    const subjects = [`${this.ns}.events.>`, `${this.ns}.replay.>`];
    // Interest retention keeps an event until every durable it matches has acked it, like a set of queues;
    // max_age caps what a consumer gone for a week leaves behind. Duplicates are dropped within two minutes.
    await this.declareStream({
      name: this.events,
      subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Interest,
      max_age: nanos(7 * DAY_MS),
      duplicate_window: nanos(120_000),
    });
    await this.declareStream({ name: this.dead, subjects: [`${this.ns}.dead.>`], storage: StorageType.File });
  }

  // One durable per event type (filter_subject): filter_subjects needs nats-server 2.10, and names stay stable.
  durables(consumer: string, types: string[]): Durable[] {
    const filters = [...types.map((t) => [t, this.subject(t)]), ['_replay', `${this.ns}.replay.${consumer}`]];
    return filters.map(([suffix, filter]) => ({
      name: `${consumer}_${suffix}`.replace(/[^A-Za-z0-9_-]/g, '_'),
      filter,
    }));
  }

  async declareConsumer(d: Durable): Promise<void> {
    // Deliveries are not capped by the server: past maxAttempts (an attempt that never finished) a delivery is
    // dead-lettered, and one whose dead-letter publish failed comes back until that publish succeeds. A cap would
    // let such an event go neither handled nor dead-lettered. The adapter counts the attempts.
    // max_ack_pending holds back what the client's pulls would otherwise buffer past its handlers, to wait out the
    // ack wait unseen and come again: the server delivers no more than the prefetch until some are acked.
    const limits = { ack_wait: nanos(30_000), max_deliver: -1, max_ack_pending: this.prefetch };
    // DeliverPolicy.New, as a new RabbitMQ queue starts empty: a new durable must not re-run a week of old events.
    const config = {
      durable_name: d.name,
      filter_subject: d.filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ...limits,
    };
    // A durable that exists with other settings (an older release's) is updated in place, keeping its position.
    await this.jsm.consumers
      .add(this.events, config)
      .catch(() => this.jsm.consumers.update(this.events, d.name, limits));
  }

  /** depth reads a durable's counts from the server: what waits for it (num_pending) and what it holds unacked. */
  async depth(durable: string): Promise<QueueDepth> {
    const info = await this.jsm.consumers.info(this.events, durable);
    return { queue: durable, ready: info.num_pending, unacked: info.num_ack_pending };
  }

  /** deadLetter stores the delivery in the dead-letter stream; the caller then terminates it. */
  async deadLetter(consumer: string, m: JsMsg, error: string, attempts: number): Promise<void> {
    const h = headers();
    for (const [key, value] of [
      [H.consumer, consumer],
      [H.error, error],
      [H.attempts, String(attempts)],
      [H.at, new Date().toISOString()],
    ])
      h.set(key, value);
    // The source sequence as msgID: a retried publish is deduplicated, a second death after a replay is not.
    await this.js.publish(`${this.ns}.dead.${consumer}`, m.data, {
      msgID: `${consumer}:${m.info.streamSequence}`,
      headers: h,
    });
  }

  /** Dead letters per consumer, from the dead-letter stream's count per subject. */
  async deadCounts(consumers: string[]): Promise<Map<string, number>> {
    const info = await this.jsm.streams.info(this.dead, { subjects_filter: `${this.ns}.dead.>` });
    const bySubject = info.state.subjects ?? {};
    return new Map(consumers.map((c) => [c, bySubject[`${this.ns}.dead.${c}`] ?? 0]));
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for await (const stored of this.scanDead()) letters.push(toDeadLetter(stored));
    return letters;
  }

  async replay(eventId: string, consumer: string): Promise<boolean> {
    for await (const stored of this.scanDead()) {
      const letter = toDeadLetter(stored);
      if (letter.event.id !== eventId || letter.consumer !== consumer) continue;
      // A msgID of its own: the event's id would be taken for a duplicate of the original publish. So it goes in a
      // header of its own, for the lines about its deliveries (eventIdOf).
      const h = headers();
      h.set(H.eventId, letter.event.id);
      await this.js.publish(`${this.ns}.replay.${consumer}`, stored.data, {
        msgID: `replay:${consumer}:${stored.seq}`,
        headers: h,
      });
      await this.jsm.streams.deleteMessage(this.dead, stored.seq);
      return true;
    }
    return false;
  }

  private async declareStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    const exists = await this.jsm.streams.info(config.name).then(Boolean, () => false);
    await (exists ? this.jsm.streams.update(config.name, config) : this.jsm.streams.add(config));
  }

  private async *scanDead(): AsyncGenerator<StoredMsg> {
    const { state } = await this.jsm.streams.info(this.dead);
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      // Replayed letters are deleted, leaving gaps in the sequence.
      const stored = await this.jsm.streams.getMessage(this.dead, { seq }).catch((err: Error) => {
        if (/no message found/i.test(err.message)) return undefined;
        throw err;
      });
      if (stored) yield stored;
    }
  }
}

/**
 * eventIdOf is the id of the event a delivery carries, from its headers without reading the body: Nats-Msg-Id, which
 * publish sets to the event's id, or Bazaar-Event-Id on a replayed letter, whose Nats-Msg-Id is the replay's own.
 */
export function eventIdOf(m: JsMsg): string | undefined {
  return m.headers?.get(H.eventId) || m.headers?.get('Nats-Msg-Id') || undefined;
}

function toDeadLetter(stored: StoredMsg): DeadLetter {
  const h = stored.header;
  const event = stored.json<Envelope>();
  return {
    consumer: h.get(H.consumer),
    event,
    error: h.get(H.error),
    attempts: Number(h.get(H.attempts)),
    at: h.get(H.at),
  };
}
