// The transactional outbox, its write side: events are written with the change that caused them, in its transaction;
// the relay (outbox-relay.ts) takes them to the broker.
import type { Tx } from '../database/db.ts';
import { type Envelope, envelope, type NewEvent } from './envelope.ts';

export const OUTBOX_CHANNEL = 'bazaar_outbox';

/** An event its own process committed, as the commit hands it to the relay: the row's seq, the envelope as written. */
export type Handed = { seq: number; envelope: Envelope };

/** enqueue writes the event in the caller's transaction, whose commit hands it to this process's relay. */
export async function enqueue(tx: Tx, source: string, event: NewEvent): Promise<string> {
  const [id] = await enqueueAll(tx, source, [event]);
  return id;
}

/**
 * enqueueAll writes several events in one statement, in the order given (their seq follows it). The statement is
 * deferred: it travels with the transaction's next statement or its COMMIT, so an event costs no round trip of its own.
 */
export async function enqueueAll(tx: Tx, source: string, events: NewEvent[]): Promise<string[]> {
  const envs = events.map((e) => envelope(source, e));
  await tx.defer<{ id: string; seq: number }>(
    `INSERT INTO outbox (id, envelope)
     SELECT id, envelope FROM unnest($1::uuid[], $2::jsonb[]) WITH ORDINALITY AS e(id, envelope, n) ORDER BY n
     RETURNING id::text, seq`,
    [envs.map((e) => e.id), envs.map((e) => JSON.stringify(e))],
    (rows) => {
      const seqOf = new Map(rows.map((r) => [r.id, r.seq]));
      for (const env of envs) tx.notify(OUTBOX_CHANNEL, { seq: seqOf.get(env.id)!, envelope: env } satisfies Handed);
    },
  );
  return envs.map((e) => e.id);
}
