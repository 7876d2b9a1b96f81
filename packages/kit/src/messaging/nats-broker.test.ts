import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, connect, DeliverPolicy, type JetStreamManager, type NatsConnection, nanos } from 'nats';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerOrSkip, NATS_URL } from '../testing/index.ts';
import {
  BACKOFF_MS,
  brokerContract,
  event,
  MAX_ATTEMPTS,
  recorder,
  settle,
  silent,
  stalledConsumer,
  unique,
  until,
} from './broker-contract.ts';
import { NatsBroker } from './nats-broker.ts';
import { streamNames } from './nats-streams.ts';

const url = await brokerOrSkip(NATS_URL);
const namespace = `test-${randomUUID().slice(0, 8)}`;
const stream = streamNames(namespace).events;

/** The durable the adapter reads a consumer's events of one type from. */
function durableOf(consumer: string, type: string): string {
  return `${consumer}_${type}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function open(log: Logger = silent): Promise<NatsBroker> {
  return NatsBroker.connect(url!, { log, namespace, maxAttempts: MAX_ATTEMPTS, backoffMs: BACKOFF_MS });
}

describe.skipIf(!url)('NatsBroker', () => {
  // The test's own view of the server, as an operator's `nats` command line would have it.
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  beforeAll(async () => {
    nc = await connect({ servers: url! });
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    // Deleting the streams deletes their consumers too.
    for (const stream of ['EVENTS', 'DEAD']) await jsm.streams.delete(`${namespace.toUpperCase()}_${stream}`);
    await nc.close();
  });

  brokerContract({ open, consumer: unique });

  it("counts what waits for a stopped consumer's durable and what it holds unacked, and 0 once it has drained", async () => {
    const broker = await open();
    const name = unique('stalled');
    // The durable's max_ack_pending is the prefetch: 32 are delivered and held unacked, 8 wait on the server.
    await stalledConsumer(broker, name, 40, (type) => [
      { queue: `${name}_${type}`, ready: 8, unacked: 32 },
      { queue: `${name}__replay`, ready: 0, unacked: 0 },
    ]);
    expect(await broker.queueDepths(unique('nobody'))).toEqual([]);
    await broker.close();
  });

  it('holds no more unacked deliveries than its prefetch (32) for a blocked handler, and handles each of the 40 once when released', async () => {
    const broker = await open();
    const [type, name] = [unique('bounded'), unique('bounded')];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: string[] = [];
    await broker.subscribe(name, [type], async (e) => {
      await gate;
      handled.push(e.id);
    });
    const events = Array.from({ length: 40 }, () => event(type));
    await Promise.all(events.map((e) => broker.publish(e)));
    const info = () => jsm.consumers.info(stream, durableOf(name, type));
    // Both counts from the server: unacked is what the process holds (its buffer and its handlers), ready waits.
    const counts = async () => {
      const { num_ack_pending, num_pending } = await info();
      return { unacked: num_ack_pending, ready: num_pending };
    };
    await until(async () => (await info()).num_ack_pending >= 32);
    // Sampled for a while: no later pull takes more while the handlers are still blocked.
    for (let i = 0; i < 10; i++, await sleep(100)) expect(await counts()).toEqual({ unacked: 32, ready: 8 });
    release();
    await until(() => handled.length >= 40);
    await expect.poll(counts).toEqual({ unacked: 0, ready: 0 });
    expect(handled.toSorted()).toEqual(events.map((e) => e.id).toSorted());
    // Each was delivered once: none waited past its ack wait in a buffer and came again.
    const { num_redelivered, delivered } = await info();
    expect({ num_redelivered, delivered: delivered.consumer_seq }).toEqual({ num_redelivered: 0, delivered: 40 });
    await broker.close();
  });

  it('brings a durable declared before with other settings to the bound on subscribe, keeping its place', async () => {
    const broker = await open();
    const [type, name] = [unique('older'), unique('older')];
    const durable = durableOf(name, type);
    // As an earlier version of the adapter declared it: the server's default max_ack_pending (1000).
    const filter_subject = `${namespace}.events.${type}`;
    await jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(5_000),
    });
    const before = event(type);
    await broker.publish(before);
    const { seen, handler } = recorder();
    await broker.subscribe(name, [type], handler);
    const { config } = await jsm.consumers.info(stream, durable);
    expect(config).toMatchObject({ max_ack_pending: 32, ack_wait: nanos(30_000), filter_subject });
    // Updated, not replaced: what was published for it before the subscription is still delivered.
    await until(() => seen.length === 1);
    expect(seen.map((e) => e.id)).toEqual([before.id]);
    await broker.close();
  });

  it("names a replayed event's id in the lines about its deliveries, though its Nats-Msg-Id is the replay's", async () => {
    const lines: Record<string, unknown>[] = [];
    const broker = await open(pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) }));
    const [type, name] = [unique('replayed'), unique('replayed')];
    let failures = 0;
    await broker.subscribe(name, [type], async () => {
      if (++failures <= MAX_ATTEMPTS + 1) throw new Error('handler bug');
    });
    const e = event(type);
    await broker.publish(e);
    await until(async () => (await broker.deadLetters()).length === 1);
    lines.length = 0;
    expect(await broker.replay(e.id, name)).toBe(true);
    await until(() => failures === MAX_ATTEMPTS + 2);
    expect(lines.map((l) => [l.msg, l.eventId, l.subject])).toEqual([
      ['event handler failed; will redeliver', e.id, `${namespace}.replay.${name}`],
    ]);
    await broker.close();
  });

  it('delivers an event published twice with the same id once, even after the first was acked', async () => {
    const broker = await open();
    const type = unique('twice');
    const { seen, handler } = recorder();
    await broker.subscribe(unique('twice'), [type], handler);
    const once = event(type);
    await broker.publish(once);
    await until(() => seen.length === 1);
    // As a relay that crashed before marking the row sent would: again, after the first copy was handled and acked.
    await broker.publish(once);
    await sleep(300);
    expect(seen.map((e) => e.id)).toEqual([once.id]);
    await broker.close();
  });

  it('declares a durable again when it is deleted under a running consumer, and delivers what follows', async () => {
    const lines: string[] = [];
    const broker = await open(pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }));
    const type = unique('gone');
    const consumer = unique('gone');
    const { seen, handler } = recorder();
    await broker.subscribe(consumer, [type], handler);
    await broker.publish(event(type));
    await until(() => seen.length === 1);
    // As an operator's `nats consumer rm`, or a server that lost its state, would leave it.
    const durable = durableOf(consumer, type);
    await jsm.consumers.delete(stream, durable);
    await until(() => lines.some((l) => l.includes('nats durable consumer gone')), 15_000);
    await until(() => jsm.consumers.info(stream, durable).then(Boolean, () => false), 15_000);
    // Declared again: what is published from now on reaches the handler.
    const after = event(type);
    await broker.publish(after);
    await until(() => seen.some((e) => e.id === after.id), 15_000);
    await broker.close();
  }, 40_000);

  it('after the connection drops, rejects publish without waiting to reconnect, then reconnects and resumes consuming', async () => {
    let broker: NatsBroker | undefined;
    let reconnected = false;
    let duringOutage: Promise<{ code?: string; state: boolean }> | undefined;
    // Publish from inside the 'disconnected' log line, the moment the adapter knows it is disconnected, and note
    // when it has reconnected.
    const write = (line: string) => {
      if (line.includes('nats disconnected'))
        duringOutage = settle(
          () => broker!.publish(event('any')),
          () => reconnected,
        );
      else if (line.includes('nats reconnected')) reconnected = true;
    };
    broker = await open(pino({ level: 'info' }, { write }));
    const type = unique('resume');
    const { seen, handler } = recorder();
    await broker.subscribe(unique('resume'), [type], handler);
    await broker.publish(event(type));
    await until(() => seen.length === 1);

    // The client's forced reconnect drops the socket as a server restart would.
    await (broker as unknown as { nc: NatsConnection }).nc.reconnect();
    await until(() => duringOutage !== undefined);
    // It failed without waiting for the connection to come back: it settled before the adapter reconnected.
    expect(await duringOutage!).toEqual({ code: 'BROKER_UNAVAILABLE', state: false });

    const after = event(type);
    await until(() =>
      broker!.publish(after).then(
        () => true,
        () => false,
      ),
    );
    await until(() => seen.some((e) => e.id === after.id));
    expect(reconnected).toBe(true);
    await broker.close();
  });
});
