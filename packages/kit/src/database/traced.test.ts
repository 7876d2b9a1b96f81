import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore } from '../telemetry/span-store.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { type Db, openDatabase } from './db.ts';
import { POOL_WAIT, traced } from './traced.ts';

const store = new SpanStore();
const tracing = await createTracing('traced-test', store);
let raw: Db;
let db: Db;

beforeAll(async () => {
  raw = await openDatabase({ dataDir: 'memory://' });
  await raw.exec('CREATE TABLE t (n int)');
  db = traced(raw, tracing.tracer);
});
afterAll(async () => {
  await raw.close();
  await tracing.shutdown();
});

/** Runs fn inside a parent span, as a request handler would; answers the spans of its trace but the parent. */
async function spansOf(fn: () => Promise<unknown>) {
  const parent = tracing.tracer.startSpan('handler');
  await context.with(trace.setSpan(context.active(), parent), fn).catch(() => {});
  parent.end();
  return store.trace(parent.spanContext().traceId).filter((s) => s.name !== 'handler');
}

describe('SQL spans', () => {
  it('a transaction is one span with its statements, their count, and the parent of the operation', async () => {
    const spans = await spansOf(() =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [1]);
        await tx.query(`SELECT n
                          FROM t`);
      }),
    );
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      name: 'transaction',
      status: 'unset',
      attributes: {
        'db.system.name': 'pglite',
        'db.statement.count': 2,
        'db.query.text': 'INSERT INTO t VALUES ($1); SELECT n FROM t',
      },
    });
  });

  it('a transaction that waited for the connection says how long', async () => {
    let release = () => {};
    const holding = raw.transaction(() => new Promise<void>((r) => (release = r)));
    const waited = spansOf(() => db.transaction((tx) => tx.query('SELECT 1')));
    await new Promise((r) => setTimeout(r, 60));
    release();
    await holding;
    const [span] = await waited;
    expect(span.attributes[POOL_WAIT]).toBeGreaterThanOrEqual(50);
    const [quick] = await spansOf(() => db.transaction((tx) => tx.query('SELECT 1')));
    expect(quick.attributes[POOL_WAIT]).toBeLessThan(50);
  });

  it('a transaction that fails is an error span', async () => {
    const spans = await spansOf(() => db.transaction((tx) => tx.query('SELECT * FROM missing')));
    expect(spans.map((s) => [s.name, s.status])).toEqual([['transaction', 'error']]);
  });

  it('a statement on its own is a span named by its verb', async () => {
    const spans = await spansOf(() => db.query('SELECT count(*) FROM t'));
    expect(spans.map((s) => [s.name, s.attributes['db.query.text']])).toEqual([['SELECT', 'SELECT count(*) FROM t']]);
  });

  it('work outside any trace (a relay, a sweep) makes no spans', async () => {
    const before = store.recentTraces(1000).length;
    await db.transaction((tx) => tx.query('SELECT 1'));
    await db.query('SELECT 1');
    expect(store.recentTraces(1000).length).toBe(before);
  });
});
