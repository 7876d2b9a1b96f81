import { context, ROOT_CONTEXT, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../database/db.ts';
import { traced as tracedDb } from '../database/traced.ts';
import { SpanStore } from '../telemetry/span-store.ts';
import { createTracing, currentTraceIds, withRequestId } from '../telemetry/tracing.ts';
import { type Envelope, envelope } from './envelope.ts';
import { InProcessBroker } from './in-process-broker.ts';
import { inbox } from './inbox.ts';
import { enqueue, enqueueAll } from './outbox.ts';
import { OutboxRelay, TRIM_SQL } from './outbox-relay.ts';
import { ensureMessagingTables } from './schema.ts';

const log = pino({ level: 'silent' });
const tracer = (await createTracing('test')).tracer;
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function fixture(relayOptions: { tracer?: Tracer } = {}) {
  const db = await openDatabase({ dataDir: 'memory://' });
  await ensureMessagingTables(db);
  await db.exec('CREATE TABLE effects (event_id uuid, note text)');
  const broker = new InProcessBroker({ backoffMs: 1 });
  const relay = new OutboxRelay(db, broker, log, { sweepMs: 50, ...relayOptions });
  cleanup.push(
    () => db.close(),
    () => relay.stop(),
  );
  return { db, broker, relay };
}

const until = async (pred: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await pred()); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('the outbox and inbox', () => {
  it('publishes an event only when its transaction commits, and marks it sent', async () => {
    const { db, broker, relay } = await fixture();
    const seen: Envelope[] = [];
    await broker.subscribe('c', ['Thing'], async (e) => void seen.push(e));
    await relay.start();
    await db.transaction(async (tx) => enqueue(tx, 'test', { type: 'Thing', data: { n: 1 } }));
    await expect(
      db.transaction(async (tx) => {
        await enqueue(tx, 'test', { type: 'Thing', data: { n: 2 } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow();
    await until(async () => seen.length > 0 && (await relay.backlog()).backlog === 0);
    expect(seen.map((e) => e.data)).toEqual([{ n: 1 }]);
    expect(seen[0]).toMatchObject({
      specversion: '1.0',
      source: 'test',
      type: 'Thing',
      datacontenttype: 'application/json',
    });
  });

  it('deletes published rows once their retention is over, and never an unpublished one', async () => {
    const { db, broker, relay } = await fixture();
    await broker.subscribe('c', ['Thing'], async () => {});
    await relay.start();
    for (const n of [1, 2]) await db.transaction(async (tx) => enqueue(tx, 'test', { type: 'Thing', data: { n } }));
    await until(async () => (await relay.backlog()).backlog === 0);
    await relay.stop();
    await db.transaction(async (tx) => enqueue(tx, 'test', { type: 'Thing', data: { n: 3 } }));
    await db.exec("UPDATE outbox SET published_at = now() - interval '2 hours' WHERE envelope->'data'->>'n' = '1'");
    expect(await relay.trim()).toBe(1);
    const left = await db.query<{ n: string; sent: boolean }>(
      "SELECT envelope->'data'->>'n' AS n, published_at IS NOT NULL AS sent FROM outbox ORDER BY seq",
    );
    expect(left).toEqual([
      { n: '2', sent: true },
      { n: '3', sent: false },
    ]);
  });

  it('finds the rows to trim through the published_at index, not by reading the whole table', async () => {
    const { db } = await fixture();
    // A few rows are cheaper to read than an index: forbid that, to see whether the index can serve the trim.
    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${TRIM_SQL}`, [3600]);
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index.* on outbox_published/);
  });

  it('writes several events in one statement, in the order given, and publishes them in that order', async () => {
    const { db, broker, relay } = await fixture();
    const seen: unknown[] = [];
    await broker.subscribe('c', ['Thing'], async (e) => void seen.push(e.data));
    await relay.start();
    const ns = [3, 1, 4, 1, 5, 9, 2, 6];
    const ids = await db.transaction((tx) =>
      enqueueAll(
        tx,
        'test',
        ns.map((n) => ({ type: 'Thing', data: { n } })),
      ),
    );
    await until(async () => seen.length === ns.length);
    expect(seen).toEqual(ns.map((n) => ({ n })));
    const rows = await db.query<{ id: string }>('SELECT id::text AS id FROM outbox ORDER BY seq');
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it('carries the trace context of the writer in the envelope', async () => {
    const { db } = await fixture();
    const id = await tracer.startActiveSpan('writer', async (active) => {
      const out = await db.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: {} }));
      active.end();
      return { out, traceId: active.spanContext().traceId };
    });
    const [row] = await db.query('SELECT envelope FROM outbox WHERE id = $1', [id.out]);
    expect(row.envelope.traceparent).toContain(id.traceId);
  });

  it("publishes an event under a PRODUCER span in its writer's trace, and its consumer's span hangs under it", async () => {
    const spans = new SpanStore();
    const traced = (await createTracing('outbox-test', spans)).tracer;
    const { db, broker, relay } = await fixture({ tracer: traced });
    await broker.subscribe(
      'c',
      ['Thing'],
      inbox(db, 'c', traced, async () => {}),
    );
    await relay.start();
    const writer = traced.startSpan('writer');
    const id = await context.with(trace.setSpan(ROOT_CONTEXT, writer), () =>
      db.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: {} })),
    );
    writer.end();
    const { traceId, spanId } = writer.spanContext();
    await until(async () => spans.trace(traceId).some((s) => s.name === 'consume Thing'));
    const byName = new Map(spans.trace(traceId).map((s) => [s.name, s]));
    const publish = byName.get('publish Thing');
    expect(publish).toMatchObject({
      kind: SpanKind.PRODUCER,
      parentSpanId: spanId,
      attributes: { 'messaging.message.id': id },
    });
    expect(byName.get('consume Thing')?.parentSpanId).toBe(publish?.spanId);
    const [row] = await db.query('SELECT envelope FROM outbox WHERE id = $1', [id]);
    expect(row.envelope.traceparent).toContain(spanId); // the row keeps what its writer wrote
  });

  it("keeps the relay's own statements (the mark of what it sent) out of the writer's trace", async () => {
    const spans = new SpanStore();
    const traced = (await createTracing('outbox-test', spans)).tracer;
    const raw = await openDatabase({ dataDir: 'memory://' });
    await ensureMessagingTables(raw);
    const db = tracedDb(raw, traced);
    const broker = new InProcessBroker({ backoffMs: 1 });
    const relay = new OutboxRelay(db, broker, log, { sweepMs: 60_000, markEveryMs: 1, tracer: traced });
    cleanup.push(
      () => raw.close(),
      () => relay.stop(),
    );
    await broker.subscribe('c', ['Thing'], async () => {});
    await relay.start();
    const writer = traced.startSpan('writer');
    await context.with(trace.setSpan(ROOT_CONTEXT, writer), () =>
      db.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: {} })),
    );
    writer.end();
    await until(async () => (await raw.query('SELECT 1 FROM outbox WHERE published_at IS NOT NULL')).length > 0);
    const names = spans.trace(writer.spanContext().traceId).map((s) => s.name);
    expect(names).toContain('publish Thing');
    expect(names.filter((n) => n !== 'writer' && n !== 'publish Thing' && n !== 'transaction')).toEqual([]);
  });

  it('carries the id of the request that wrote an event into the context its consumer logs in', async () => {
    const { db } = await fixture();
    const event = context.with(withRequestId(ROOT_CONTEXT, 'req-7'), () =>
      envelope('test', { type: 'Thing', data: {} }),
    );
    const seen: ReturnType<typeof currentTraceIds>[] = [];
    const handle = inbox(db, 'c', tracer, async () => void seen.push(currentTraceIds()));
    // As a network broker hands it over: parsed from JSON, outside any request.
    await context.with(ROOT_CONTEXT, () => handle(JSON.parse(JSON.stringify(event))));
    expect(event.requestid).toBe('req-7');
    expect(seen).toEqual([expect.objectContaining({ requestId: 'req-7' })]);
  });

  it('sweeps up rows a crashed relay left unsent', async () => {
    const { db, broker } = await fixture();
    await db.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: { left: true } }));
    const seen: Envelope[] = [];
    await broker.subscribe('c', ['Thing'], async (e) => void seen.push(e));
    const relay = new OutboxRelay(db, broker, log, { sweepMs: 30, sweepAfterMs: 0 });
    cleanup.push(() => relay.stop());
    await relay.start();
    await until(async () => seen.length > 0);
    expect(seen.map((e) => e.data)).toEqual([{ left: true }]);
  });

  it('publishes what its own process commits from memory: after the first sweep, the table is not read', async () => {
    const { db, broker } = await fixture();
    const reads: string[] = [];
    const counted: Db = {
      ...db,
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            ...tx,
            query: (sql, params) => {
              if (sql.includes('FROM outbox')) reads.push(sql);
              return tx.query(sql, params);
            },
          }),
        ),
    };
    const seen: unknown[] = [];
    await broker.subscribe('c', ['Thing'], async (e) => void seen.push(e.data));
    const relay = new OutboxRelay(counted, broker, log, { sweepMs: 3_600_000 });
    cleanup.push(() => relay.stop());
    await relay.start();
    await until(async () => reads.length > 0);
    for (const n of [1, 2, 3]) await counted.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: { n } }));
    await until(async () => (await relay.backlog()).backlog === 0);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(reads).toHaveLength(1); // the sweep at start
  });

  it("publishes once the committer's own code has gone on: an answer it sends next never waits for the broker", async () => {
    const { db, broker } = await fixture();
    const happened: string[] = [];
    const publish = broker.publish.bind(broker);
    broker.publish = (event) => {
      happened.push(`published ${JSON.stringify(event.data)}`);
      return publish(event);
    };
    // No sweep while the commit is handed over: the relay is idle, as it is between a service's orders.
    const relay = new OutboxRelay(db, broker, log, { sweepMs: 3_600_000 });
    cleanup.push(() => relay.stop());
    await relay.start();
    await new Promise((r) => setTimeout(r, 200));
    await db.transaction(async (tx) => enqueue(tx, 'test', { type: 'Thing', data: { n: 1 } }));
    happened.push('committer answered');
    await until(async () => happened.length === 2);
    expect(happened).toEqual(['committer answered', 'published {"n":1}']);
  });

  it('marks what several commits published with one statement at the end of the window, and the rest at stop', async () => {
    const { db, broker } = await fixture();
    const marks: unknown[][] = [];
    const counted: Db = {
      ...db,
      query: (sql, params) => {
        if (sql.startsWith('UPDATE outbox SET published_at')) marks.push((params?.[0] as unknown[]) ?? []);
        return db.query(sql, params);
      },
    };
    const seen: unknown[] = [];
    await broker.subscribe('c', ['Thing'], async (e) => void seen.push(e.data));
    const relay = new OutboxRelay(counted, broker, log, { sweepMs: 3_600_000, markEveryMs: 1_500 });
    cleanup.push(() => relay.stop());
    await relay.start();
    for (const n of [1, 2, 3, 4, 5])
      await counted.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: { n } }));
    await until(async () => seen.length === 5);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    // Published, not marked yet: the window is still open.
    expect((await relay.backlog()).backlog).toBe(5);
    for (let i = 0; i < 100 && marks.length === 0; i++) await new Promise((r) => setTimeout(r, 30));
    expect(marks).toHaveLength(1);
    expect(marks[0]).toHaveLength(5);
    expect((await relay.backlog()).backlog).toBe(0);

    await counted.transaction((tx) => enqueue(tx, 'test', { type: 'Thing', data: { n: 6 } }));
    await until(async () => seen.length === 6);
    await relay.stop();
    expect(marks).toHaveLength(2);
    expect((await relay.backlog()).backlog).toBe(0);
  });

  it('leaves a young unsent row to the process that committed it, and sweeps it once it is older', async () => {
    const { db, broker } = await fixture();
    const seen: unknown[] = [];
    await broker.subscribe('c', ['Thing'], async (e) => void seen.push(e.data));
    // Written without enqueue: as if its committer had crashed before handing it to its relay.
    const orphan = { ...envelope('test', { type: 'Thing', data: { orphan: true } }) };
    await db.query('INSERT INTO outbox (id, envelope) VALUES ($1, $2)', [orphan.id, JSON.stringify(orphan)]);
    const relay = new OutboxRelay(db, broker, log, { sweepMs: 20, sweepAfterMs: 400 });
    cleanup.push(() => relay.stop());
    await relay.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    await until(async () => seen.length > 0);
    expect(seen).toEqual([{ orphan: true }]);
  });

  it.each([
    ['swept from the table', false],
    ['handed over at commit', true],
  ])('marks what the broker confirmed, and re-sends only the event whose publish failed (%s)', async (_, handed) => {
    const db = await openDatabase({ dataDir: 'memory://' });
    await ensureMessagingTables(db);
    const delivered: number[] = [];
    let secondTries = 0;
    // A network broker (pipelined batches) that refuses the second event once.
    const flaky = {
      ...new InProcessBroker(),
      kind: 'flaky',
      async publish(e: Envelope) {
        const n = (e.data as { n: number }).n;
        if (n === 2 && secondTries++ === 0) throw new Error('broker said no');
        delivered.push(n);
      },
    } as unknown as InProcessBroker;
    const write = () =>
      db.transaction(async (tx) => {
        for (const n of [1, 2, 3]) await enqueue(tx, 'test', { type: 'Thing', data: { n } });
      });
    const relay = new OutboxRelay(db, flaky, log, { sweepMs: 30, sweepAfterMs: 0 });
    cleanup.push(
      () => db.close(),
      () => relay.stop(),
    );
    if (!handed) await write();
    await relay.start();
    if (handed) await write();
    await until(async () => (await relay.backlog()).backlog === 0);
    expect(secondTries).toBe(2); // refused once, then sent once more
    expect(delivered.sort()).toEqual([1, 2, 3]);
    expect(await db.query('SELECT attempts FROM outbox ORDER BY seq')).toEqual([
      { attempts: 1 },
      { attempts: 1 },
      { attempts: 1 },
    ]);
  });

  it('applies a redelivered event once, and dead-letters one that keeps failing', async () => {
    const { db, broker } = await fixture();
    let calls = 0;
    const handler = inbox(db, 'consumer', tracer, async (tx, e) => {
      calls++;
      await tx.query('INSERT INTO effects VALUES ($1, $2)', [e.id, 'done']);
    });
    await broker.subscribe('consumer', ['Thing'], handler);
    const event = (await db.transaction(async (tx) => {
      const id = await enqueue(tx, 'test', { type: 'Thing', data: {} });
      return (await tx.query('SELECT envelope FROM outbox WHERE id = $1', [id]))[0].envelope;
    })) as Envelope;
    await broker.publish(event);
    await broker.publish(event);
    expect(calls).toBe(1);
    expect(await db.query('SELECT count(*)::int AS n FROM effects')).toEqual([{ n: 1 }]);
    expect(await db.query('SELECT deliveries FROM inbox WHERE event_id = $1', [event.id])).toEqual([{ deliveries: 2 }]);

    await broker.subscribe('poisoned', ['Poison'], async () => {
      throw new Error('cannot handle this');
    });
    await broker.publish({ ...event, id: crypto.randomUUID(), type: 'Poison' });
    const dead = await broker.deadLetters();
    expect(dead).toMatchObject([{ consumer: 'poisoned', attempts: 5 }]);
  });
});
