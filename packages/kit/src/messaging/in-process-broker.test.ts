import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { event, stalledConsumer, until } from './broker-contract.ts';
import { InProcessBroker } from './in-process-broker.ts';

describe('InProcessBroker', () => {
  it("holds an event while the handler's database is away, past maxAttempts, and delivers it once it is back", async () => {
    const broker = new InProcessBroker({ maxAttempts: 2, backoffMs: 5 });
    let calls = 0;
    await broker.subscribe('c', ['t'], async () => {
      if (++calls <= 4) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
    });
    await broker.publish(event('t'));
    await until(() => calls === 5);
    expect(await broker.deadLetters()).toEqual([]);
  });

  it('dead-letters an event whose handler fails on its own after maxAttempts', async () => {
    const broker = new InProcessBroker({ maxAttempts: 2, backoffMs: 5 });
    let calls = 0;
    await broker.subscribe('c', ['t'], async () => {
      calls++;
      throw new Error('handler bug');
    });
    await broker.publish(event('t'));
    expect(calls).toBe(2);
    expect(await broker.deadLetters()).toMatchObject([{ consumer: 'c', attempts: 2, error: 'Error: handler bug' }]);
  });

  it('keeps its dead letters in its file across a restart, each until it is replayed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bazaar-dead-')), 'dead-letters.jsonl');
    const before = new InProcessBroker({ maxAttempts: 1, deadLetterPath: path });
    await before.subscribe('c', ['t'], async () => {
      throw new Error('handler bug');
    });
    const [poison, other] = [event('t'), event('t')];
    await before.publish(poison);
    await before.publish(other);
    await before.close();
    const ids = async (broker: InProcessBroker) => (await broker.deadLetters()).map((d) => d.event.id);

    const restarted = new InProcessBroker({ deadLetterPath: path });
    expect(await ids(restarted)).toEqual([poison.id, other.id]);
    expect(await restarted.deadLetters()).toMatchObject([
      { consumer: 'c', attempts: 1, error: 'Error: handler bug' },
      {},
    ]);
    const fixed: string[] = [];
    await restarted.subscribe('c', ['t'], async (e) => void fixed.push(e.id));
    expect(await restarted.replay(poison.id, 'c')).toBe(true);
    expect(fixed).toEqual([poison.id]);
    expect(await ids(new InProcessBroker({ deadLetterPath: path }))).toEqual([other.id]);
  });

  it('counts the events a stopped consumer holds as unacked, and 0 once it has drained', async () => {
    const broker = new InProcessBroker();
    await stalledConsumer(broker, 'c', 40, () => [{ queue: 'c', ready: 0, unacked: 40 }]);
    expect(await broker.queueDepths('nobody')).toEqual([]);
  });

  it('counts an event waiting for its redelivery as ready', async () => {
    const broker = new InProcessBroker({ backoffMs: 300 });
    let calls = 0;
    await broker.subscribe('c', ['t'], async () => {
      if (++calls === 1) throw new Error('not yet');
    });
    const published = broker.publish(event('t'));
    await until(() => calls === 1);
    expect(await broker.queueDepths('c')).toEqual([{ queue: 'c', ready: 1, unacked: 0 }]);
    await published;
    expect(await broker.queueDepths('c')).toEqual([{ queue: 'c', ready: 0, unacked: 0 }]);
  });
});

describe('InProcessBroker lines', () => {
  it("says what became of a failing event in the event's trace and request: held, redelivered, dead-lettered", async () => {
    await createTracing('in-process-test'); // the context manager and propagator every service installs
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('broker', { level: 'info', sink: { write: (l) => lines.push(JSON.parse(l)) } });
    const broker = new InProcessBroker({ maxAttempts: 2, backoffMs: 5, log });
    let calls = 0;
    await broker.subscribe('c', ['t'], async () => {
      if (++calls === 1) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      throw new Error('handler bug');
    });
    const [traceId, spanId] = ['a'.repeat(32), 'b'.repeat(16)];
    const traced = { ...event('t'), traceparent: `00-${traceId}-${spanId}-01`, requestid: 'req-1' };
    await broker.publish(traced);
    expect(lines.map((l) => l.msg)).toEqual([
      'event handler cannot reach what it needs; holding the event',
      'event handler failed; will redeliver',
      'event dead-lettered',
    ]);
    for (const l of lines) expect(l).toMatchObject({ eventId: traced.id, traceId, spanId, requestId: 'req-1' });
  });
});
