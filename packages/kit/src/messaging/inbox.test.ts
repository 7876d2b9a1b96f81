import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../database/db.ts';
import { SpanStore } from '../telemetry/span-store.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { postgresOrSkip, scratchDatabases } from '../testing/postgres.ts';
import type { Envelope } from './envelope.ts';
import { inbox, MAX_BATCH } from './inbox.ts';
import { ensureMessagingTables } from './schema.ts';

const server = await postgresOrSkip();
const scratch = server ? scratchDatabases(server) : undefined;
const opened: Db[] = [];
const spans = new SpanStore();
const { tracer } = await createTracing('inbox-test', spans);

const kinds: [string, () => Promise<Db>][] = [['PGlite', () => openDatabase({ dataDir: 'memory://' })]];
if (server) kinds.push(['PostgreSQL', async () => openDatabase({ url: (await scratch!.create('kit_inbox')).url })]);

afterAll(async () => {
  for (const db of opened) await db.close();
  await scratch?.drop();
});

const event = (subject: string, type = 'Thing'): Envelope => ({
  specversion: '1.0',
  id: randomUUID(),
  source: 'test',
  type,
  subject,
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  data: {},
});

/** A gate the first effect waits at, so that the deliveries made meanwhile queue behind its transaction. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, wait: () => opened };
}

describe.each(kinds)('the inbox on %s', (_kind, open) => {
  async function fixture() {
    const db = await open();
    opened.push(db);
    await ensureMessagingTables(db);
    await db.exec('CREATE TABLE effects (event_id uuid, subject text, txid text)');
    return db;
  }

  it('applies the deliveries that came during a transaction together in the next one, each once', async () => {
    const db = await fixture();
    const first = gate();
    const committed: string[] = [];
    const handle = inbox(
      db,
      'consumer',
      tracer,
      async (tx, e) => {
        if (e.subject === 'first') await first.wait();
        await tx.query('INSERT INTO effects VALUES ($1, $2, txid_current()::text)', [e.id, e.subject]);
        return e.subject;
      },
      (subject) => committed.push(subject!),
    );
    const [a, b, c] = [event('first'), event('b'), event('c')];
    const handled = [handle(a), handle(c), handle(b), handle(c)];
    first.open();
    await Promise.all(handled);

    const rows = await db.query<{ subject: string; txid: string }>('SELECT subject, txid FROM effects');
    const txOf = Object.fromEntries(rows.map((r) => [r.subject, r.txid]));
    expect(rows).toHaveLength(3); // the redelivered c was absorbed
    expect(txOf.b).toBe(txOf.c);
    expect(txOf.first).not.toBe(txOf.b);
    expect(committed).toEqual(['first', 'b', 'c']); // by subject within the batch
    expect(await db.query('SELECT deliveries FROM inbox WHERE event_id = $1', [c.id])).toEqual([{ deliveries: 2 }]);
    // Each event keeps its own consumer span, which says how many shared its transaction.
    const batchesOf = (e: Envelope) =>
      spans
        .recentTraces(50)
        .filter((t) => t.root.attributes['messaging.message.id'] === e.id)
        .map((t) => t.root.attributes['messaging.batch.message_count'])
        .sort();
    expect([a, b, c].map(batchesOf)).toEqual([[1], [2], [1, 2]]); // c's redelivery came in a batch of its own
  });

  it('fails the event whose effect throws alone: the others of its batch are applied', async () => {
    const db = await fixture();
    const first = gate();
    const handle = inbox(db, 'consumer', tracer, async (tx, e) => {
      if (e.subject === 'first') await first.wait();
      if (e.subject === 'poison') throw new Error('cannot handle this');
      await tx.query('INSERT INTO effects VALUES ($1, $2, txid_current()::text)', [e.id, e.subject]);
    });
    const poison = event('poison');
    const handled = [event('first'), event('ok-1'), poison, event('ok-2')].map((e) =>
      handle(e).then(() => 'ok', String),
    );
    first.open();
    expect(await Promise.all(handled)).toEqual(['ok', 'ok', 'Error: cannot handle this', 'ok']);
    const subjects = await db.query('SELECT subject FROM effects ORDER BY subject');
    expect(subjects.map((r) => r.subject)).toEqual(['first', 'ok-1', 'ok-2']);
    // Rolled back with its effect, the poisoned event is new to the inbox when it is delivered again.
    expect(await db.query('SELECT 1 FROM inbox WHERE event_id = $1', [poison.id])).toEqual([]);
  });

  it(`takes at most ${MAX_BATCH} events in one transaction`, async () => {
    const db = await fixture();
    const first = gate();
    const handle = inbox(db, 'consumer', tracer, async (tx, e) => {
      if (e.subject === 'first') await first.wait();
      await tx.query('INSERT INTO effects VALUES ($1, $2, txid_current()::text)', [e.id, e.subject]);
    });
    const handled = [handle(event('first'))];
    for (let i = 0; i < MAX_BATCH + 5; i++) handled.push(handle(event(`e${String(i).padStart(2, '0')}`)));
    first.open();
    await Promise.all(handled);
    const sizes = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM effects GROUP BY txid ORDER BY min(subject)',
    );
    expect(sizes.map((r) => r.n)).toEqual([MAX_BATCH, 5, 1]);
  });
});
