// The behaviour every real broker adapter must share with InProcessBroker, as vitest cases each adapter's test runs.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino, { type Logger } from 'pino';
import { expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { createTracing } from '../telemetry/tracing.ts';
import type { Broker, Handler, QueueDepth } from './broker.ts';
import { type Envelope, envelope } from './envelope.ts';

/** How a test file opens its adapter: every broker it opens shares one namespace, maxAttempts 3 and backoffMs 20. */
export type ContractTarget = {
  open(log?: Logger): Promise<Broker>;
  /** A fresh consumer name, recorded so that the test file can delete its queues afterwards. */
  consumer(name: string): string;
};

export const MAX_ATTEMPTS = 3;
export const BACKOFF_MS = 20;
export const silent = pino({ level: 'silent' });

/** unique gives a name of this test's own, so tests never see each other's events. */
export function unique(name: string): string {
  return `${name}-${randomUUID().slice(0, 6)}`;
}

export function event(type: string, data: unknown = {}): Envelope {
  return envelope('test', { type, data });
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

export function recorder(): { seen: Envelope[]; handler: Handler } {
  const seen: Envelope[] = [];
  return { seen, handler: async (e) => void seen.push(e) };
}

/** settle runs a publish and reports the error code it ended with (or PUBLISHED), and what `state()` said then. */
export async function settle<S>(publish: () => Promise<void>, state: () => S): Promise<{ code?: string; state: S }> {
  const code = await publish().then(
    () => 'PUBLISHED',
    (err: { code?: string }) => err.code,
  );
  return { code, state: state() };
}

/**
 * stalledConsumer subscribes a consumer whose handler waits on a gate, publishes `count` events to it, and checks what
 * the broker counts for it: `stopped(type)` while they wait, and every count 0 once the gate opens and they are handled.
 */
export async function stalledConsumer(
  broker: Broker,
  consumer: string,
  count: number,
  stopped: (type: string) => QueueDepth[],
): Promise<void> {
  const type = unique('stalled');
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let handled = 0;
  await broker.subscribe(consumer, [type], async () => {
    await gate;
    handled++;
  });
  // Not awaited yet: the in-process broker resolves a publish only once its consumers are done with the event.
  const published = Promise.all(Array.from({ length: count }, () => broker.publish(event(type))));
  const depths = () => broker.queueDepths(consumer);
  await expect.poll(depths, { timeout: 10_000 }).toEqual(stopped(type));
  open();
  await published;
  await until(() => handled === count);
  const none = (d: QueueDepth) => ({ ...d, ready: 0, ...(d.unacked === undefined ? {} : { unacked: 0 }) });
  await expect.poll(depths, { timeout: 10_000 }).toEqual(stopped(type).map(none));
}

export function brokerContract({ open, consumer }: ContractTarget): void {
  it('delivers to each of two consumers exactly the events of its types', async () => {
    const broker = await open();
    const [a, b] = [recorder(), recorder()];
    const [t1, t2, t3] = [unique('t1'), unique('t2'), unique('t3')];
    await broker.subscribe(consumer('a'), [t1, t2], a.handler);
    await broker.subscribe(consumer('b'), [t2, t3], b.handler);
    const events = [event(t1), event(t2), event(t3), event(t1), event(t2), event(t3)];
    for (const e of events) await broker.publish(e);
    await until(() => a.seen.length >= 4 && b.seen.length >= 4);
    await sleep(200);
    const ids = (types: string[]) =>
      events
        .filter((e) => types.includes(e.type))
        .map((e) => e.id)
        .sort();
    expect(a.seen.map((e) => e.id).sort()).toEqual(ids([t1, t2]));
    expect(b.seen.map((e) => e.id).sort()).toEqual(ids([t2, t3]));
    await broker.close();
  });

  it('resolves publish only once the broker holds the event: 200 published, publisher closed, all 200 delivered', async () => {
    const [publisher, subscriber] = [await open(), await open()];
    const type = unique('bulk');
    const { seen, handler } = recorder();
    await subscriber.subscribe(consumer('bulk'), [type], handler);
    const events = Array.from({ length: 200 }, (_, i) => event(type, { i }));
    await Promise.all(events.map((e) => publisher.publish(e)));
    await publisher.close();
    await until(() => seen.length >= 200);
    expect(new Set(seen.map((e) => e.id)).size).toBe(200);
    await subscriber.close();
  });

  it('accepts an event that nobody consumes', async () => {
    const broker = await open();
    await expect(broker.publish(event(unique('unrouted')))).resolves.toBeUndefined();
    await broker.close();
  });

  it('redelivers with backoff: a handler that throws twice then succeeds is called 3 times', async () => {
    const broker = await open();
    const type = unique('flaky');
    const calls: number[] = [];
    await broker.subscribe(consumer('flaky'), [type], async () => {
      if (calls.push(performance.now()) < 3) throw new Error('not yet');
    });
    await broker.publish(event(type));
    await until(() => calls.length >= 3);
    await sleep(300);
    expect(calls).toHaveLength(3);
    // The waits double: BACKOFF_MS after the first failure, twice that after the second (less timer slack).
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(BACKOFF_MS - 5);
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 5);
    expect(await broker.deadLetters()).toEqual([]);
    await broker.close();
  });

  it("holds an event while the handler's database is away, past maxAttempts, and delivers it once it is back", async () => {
    const broker = await open();
    const type = unique('outage');
    let calls = 0;
    const handled: string[] = [];
    await broker.subscribe(consumer('outage'), [type], async (e) => {
      // What node-postgres throws while the server refuses connections (a restart, an outage).
      if (++calls <= MAX_ATTEMPTS + 2)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      handled.push(e.id);
    });
    const e = event(type);
    await broker.publish(e);
    await until(() => handled.length === 1);
    await sleep(300);
    expect(handled).toEqual([e.id]);
    expect(calls).toBe(MAX_ATTEMPTS + 3);
    expect(await broker.deadLetters()).toEqual([]);
    await broker.close();
  });

  it("writes its lines about an event's failed deliveries in the event's trace, with the request id it carries", async () => {
    await createTracing('broker-contract'); // the context manager and propagator every service installs
    const lines: Record<string, unknown>[] = [];
    const broker = await open(
      createLogger('test', { level: 'debug', sink: { write: (l) => lines.push(JSON.parse(l)) } }),
    );
    const [type, name] = [unique('traced'), consumer('traced')];
    let calls = 0;
    let broken = true;
    await broker.subscribe(name, [type], async () => {
      if (++calls === 1)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      if (broken) throw new Error('handler bug');
    });
    const [traceId, spanId] = ['a'.repeat(32), 'b'.repeat(16)];
    const poisoned = { ...event(type), traceparent: `00-${traceId}-${spanId}-01`, requestid: 'req-traced' };
    await broker.publish(poisoned);
    await until(() => lines.some((l) => l.msg === 'event dead-lettered'));
    const about = lines.filter((l) => l.eventId === poisoned.id);
    expect(about.map((l) => l.msg)).toEqual([
      'event handler cannot reach what it needs; holding the event',
      ...Array(MAX_ATTEMPTS - 1).fill('event handler failed; will redeliver'),
      'event dead-lettered',
    ]);
    for (const l of about) expect(l).toMatchObject({ traceId, spanId, requestId: 'req-traced' });
    // Leaves no letter behind for the tests after it.
    broken = false;
    await until(async () => (await broker.deadLetters()).length === 1);
    expect(await broker.replay(poisoned.id, name)).toBe(true);
    await until(async () => (await broker.deadLetters()).length === 0);
    await broker.close();
  });

  it('dead-letters an event after maxAttempts, and replay delivers it to the fixed handler', async () => {
    const broker = await open();
    const [type, name] = [unique('poison'), consumer('poison')];
    let broken = true;
    let calls = 0;
    const handled: string[] = [];
    await broker.subscribe(name, [type], async (e) => {
      calls++;
      if (broken) throw new Error('handler bug');
      handled.push(e.id);
    });
    const poison = event(type, { n: 1 });
    await broker.publish(poison);
    await until(async () => (await broker.deadLetters()).length === 1);
    const [letter] = await broker.deadLetters();
    expect(letter).toMatchObject({
      consumer: name,
      attempts: MAX_ATTEMPTS,
      error: 'Error: handler bug',
      event: { id: poison.id, type, data: poison.data },
    });
    expect(calls).toBe(MAX_ATTEMPTS);
    // Counted without being read, for metrics: one for this consumer, none for another. RabbitMQ puts the letters a
    // peek held back on the queue only after its channel has closed, so the count may read one short for a moment.
    const other = consumer('poison-other');
    await until(async () => (await broker.deadLetterCounts([name])).get(name) === 1);
    expect(await broker.deadLetterCounts([name, other])).toEqual(
      new Map([
        [name, 1],
        [other, 0],
      ]),
    );

    broken = false;
    expect(await broker.replay(randomUUID(), name)).toBe(false);
    expect(await broker.replay(poison.id, name)).toBe(true);
    await until(() => handled.length === 1);
    expect(handled).toEqual([poison.id]);
    expect(await broker.deadLetters()).toEqual([]);
    expect((await broker.deadLetterCounts([name])).get(name)).toBe(0);
    await broker.close();
  });
}
