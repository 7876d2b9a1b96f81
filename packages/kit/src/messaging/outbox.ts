// The transactional outbox: events are written with the change that caused them, then relayed to the broker.
import type { Logger } from 'pino';
import type { Db, Tx } from '../database/db.ts';
import type { Broker } from './broker.ts';
import { type Envelope, envelope, type NewEvent } from './envelope.ts';

const BATCH = 50;
/** TRIM_SQL deletes the rows published more than $1 seconds ago (served by the outbox_published index). */
export const TRIM_SQL = 'DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1) RETURNING seq';
const HOUR_MS = 3_600_000;

export const OUTBOX_CHANNEL = 'bazaar_outbox';

/** enqueue writes the event in the caller's transaction, whose commit hands it to this process's relay. */
export async function enqueue(tx: Tx, source: string, event: NewEvent): Promise<string> {
  const [id] = await enqueueAll(tx, source, [event]);
  return id;
}

/** enqueueAll writes several events in one statement, in the order given (their seq follows it). */
export async function enqueueAll(tx: Tx, source: string, events: NewEvent[]): Promise<string[]> {
  const envs = events.map((e) => envelope(source, e));
  const rows = await tx.query<{ id: string; seq: number }>(
    `INSERT INTO outbox (id, envelope)
     SELECT id, envelope FROM unnest($1::uuid[], $2::jsonb[]) WITH ORDINALITY AS e(id, envelope, n) ORDER BY n
     RETURNING id::text, seq`,
    [envs.map((e) => e.id), envs.map((e) => JSON.stringify(e))],
  );
  const seqOf = new Map(rows.map((r) => [r.id, r.seq]));
  for (const env of envs) tx.notify(OUTBOX_CHANNEL, { seq: seqOf.get(env.id)!, envelope: env } satisfies Handed);
  return envs.map((e) => e.id);
}

/** An event its own process committed: the row's seq, and the envelope as written. */
type Handed = { seq: number; envelope: Envelope };

export type RelayStats = { published: number; failures: number; backlog: number; oldestAgeMs: number };

/**
 * The relay publishes what its process commits, in commit order, straight from memory, and marks it sent: one
 * statement per batch, and the table is not read. A sweep reads the table for rows older than `sweepAfterMs` that
 * are still unsent (a crash came between commit and publish, or the publish failed) and publishes them in order.
 */
export class OutboxRelay {
  private running = false;
  private again = false;
  private sweepDue = true;
  private readonly handed: Handed[] = [];
  private timer?: NodeJS.Timeout;
  private trimTimer?: NodeJS.Timeout;
  private unlisten?: () => void;
  private readonly db: Db;
  private readonly broker: Broker;
  private readonly log: Logger;
  private readonly sweepMs: number;
  private readonly sweepAfterMs: number;
  private readonly retainMs: number;
  readonly stats = { published: 0, failures: 0 };

  /**
   * sweepMs: how often the table is swept; sweepAfterMs: how old an unsent row must be for the sweep to take it
   * (younger ones are their committer's, in flight: taking them too would send them twice); retainMs: how long
   * published rows stay for inspection before the relay deletes them (default an hour).
   */
  constructor(
    db: Db,
    broker: Broker,
    log: Logger,
    options: { sweepMs?: number; sweepAfterMs?: number; retainMs?: number } = {},
  ) {
    this.db = db;
    this.broker = broker;
    this.log = log;
    this.sweepMs = options.sweepMs ?? 1000;
    this.sweepAfterMs = options.sweepAfterMs ?? 2000;
    this.retainMs = options.retainMs ?? HOUR_MS;
  }

  async start(): Promise<void> {
    this.unlisten = this.db.listen(OUTBOX_CHANNEL, (events) => {
      this.handed.push(...(events as Handed[]));
      this.wake();
    });
    this.timer = setInterval(() => this.sweep(), this.sweepMs);
    this.timer.unref();
    this.trimTimer = setInterval(() => void this.trim(), Math.min(this.retainMs, 60_000));
    this.trimTimer.unref();
    this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.trimTimer);
    this.unlisten?.();
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Publishes what has been handed over (and sweeps, when a sweep is due); a pass already running goes on to it. */
  private wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.drain()
      .catch((err) => {
        this.stats.failures++;
        this.log.warn({ err }, 'outbox relay pass failed; the sweep will retry');
      })
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Reads the table for rows left unsent, on the next pass. */
  private sweep(): void {
    this.sweepDue = true;
    this.wake();
  }

  /** Deletes rows published longer ago than the retention, so the table holds the backlog and a recent past only. */
  async trim(): Promise<number> {
    try {
      const rows = await this.db.query(TRIM_SQL, [this.retainMs / 1000]);
      return rows.length;
    } catch (err) {
      this.log.warn({ err }, 'outbox trim failed; the next one will retry');
      return 0;
    }
  }

  async backlog(): Promise<{ backlog: number; oldestAgeMs: number }> {
    const [row] = await this.db.query(
      'SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0)::float8 AS age FROM outbox WHERE published_at IS NULL',
    );
    return { backlog: row.n, oldestAgeMs: Math.round(row.age) };
  }

  private async drain(): Promise<void> {
    while (this.handed.length > 0) await this.relay(this.db, this.handed.splice(0, BATCH));
    if (!this.sweepDue) return;
    this.sweepDue = false;
    // A short batch means the table is drained; whatever commits meanwhile is handed over, not swept.
    for (let sent = BATCH; sent === BATCH; ) {
      sent =
        this.db.kind === 'postgres'
          ? // Replicas share the table: each takes rows the others have not locked, and holds them until marked.
            await this.db.transaction(async (tx) => this.relay(tx, await this.unsent(tx, 'FOR UPDATE SKIP LOCKED')))
          : // PGlite is one process's own database: one relay, nothing to lock, no transaction held while publishing.
            await this.relay(this.db, await this.db.transaction((tx) => this.unsent(tx)));
    }
  }

  /**
   * Publishes the rows and marks those the broker confirmed; the first failure is thrown after marking, and what was
   * not confirmed stays unsent in the table, for the sweep.
   */
  private async relay(q: Tx, rows: Handed[]): Promise<number> {
    const outcomes = await this.publish(rows.map((r) => r.envelope));
    const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((r) => r.seq);
    // Only what the broker confirmed is marked: a crash before this line means a re-send, never a loss.
    if (sent.length > 0)
      await q.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])', [
        sent,
      ]);
    this.stats.published += sent.length;
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return rows.length;
  }

  // Without a sort the planner must walk the partial index in order, and an ordered index scan marks the entries
  // of rows already published as dead, so later scans skip them; a bitmap scan (its choice otherwise) reads every
  // entry left since the last VACUUM, and that grows with the table when autovacuum is off or behind.
  private async unsent(tx: Tx, lock = ''): Promise<Handed[]> {
    await tx.query('SET LOCAL enable_sort = off');
    return tx.query<Handed>(
      `SELECT seq, envelope FROM outbox WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1)
       ORDER BY seq LIMIT ${BATCH} ${lock}`,
      [this.sweepAfterMs / 1000],
    );
  }

  // Network brokers confirm asynchronously, so a batch goes out pipelined; the in-process broker runs the consumers
  // inside publish, so there one event follows the other, as a consumer would take them off its queue.
  private async publish(events: Envelope[]): Promise<PromiseSettledResult<void>[]> {
    if (this.broker.kind !== 'in-process') return Promise.allSettled(events.map((e) => this.broker.publish(e)));
    const outcomes: PromiseSettledResult<void>[] = [];
    for (const e of events) {
      const outcome = await this.broker.publish(e).then(
        (): PromiseSettledResult<void> => ({ status: 'fulfilled', value: undefined }),
        (reason): PromiseSettledResult<void> => ({ status: 'rejected', reason }),
      );
      outcomes.push(outcome);
      if (outcome.status === 'rejected') break;
    }
    return outcomes;
  }
}
