// The outbox relay: takes what the outbox (outbox.ts) holds to the broker, in order, and marks what the broker confirmed.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Db, Tx } from '../database/db.ts';
import type { Broker } from './broker.ts';
import type { Envelope } from './envelope.ts';
import { type Handed, OUTBOX_CHANNEL } from './outbox.ts';

const BATCH = 50;
/** Confirmed sequence numbers waiting to be marked beyond which they are marked at once rather than at the window. */
const MARK_MAX = 500;
/** TRIM_SQL deletes the rows published more than $1 seconds ago (served by the outbox_published index). */
export const TRIM_SQL = 'DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1) RETURNING seq';
const HOUR_MS = 3_600_000;

/** markSent records that the broker confirmed these rows. */
const markSent = (q: Tx, seqs: number[]) =>
  q.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])', [seqs]);

/**
 * The relay takes two paths to the broker.
 * - Handed: what its own process commits is handed over by the commit itself and published in commit order straight
 *   from memory; the table is not read. Confirmed rows are marked sent within `markEveryMs`, by one statement for all
 *   the rows confirmed meanwhile.
 * - Swept: every `sweepMs` it reads the table for rows older than `sweepAfterMs` still unsent (a crash came between
 *   commit and publish or mark, or the publish failed) and publishes them in order.
 * Only what the broker confirmed is marked, so a crash before the mark means a re-send, never a loss; consumers'
 * inboxes take each event once.
 */
export class OutboxRelay {
  private running = false;
  private again = false;
  private wakeDue = false;
  private sweepDue = true;
  private readonly handed: Handed[] = [];
  /** Seqs the broker confirmed that are not marked yet (the handed path's, marked at the window's end). */
  private readonly confirmed: number[] = [];
  private markTimer?: NodeJS.Timeout;
  private marking: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private trimTimer?: NodeJS.Timeout;
  private unlisten?: () => void;
  private readonly db: Db;
  private readonly broker: Broker;
  private readonly log: Logger;
  private readonly sweepMs: number;
  private readonly sweepAfterMs: number;
  private readonly retainMs: number;
  private readonly markEveryMs: number;
  private readonly tracer?: Tracer;
  readonly stats = { published: 0, failures: 0 };

  /**
   * sweepMs: how often the table is swept; sweepAfterMs: how old an unsent row must be for the sweep to take it
   * (younger ones are their committer's, in flight: taking them too would send them twice); retainMs: how long
   * published rows stay for inspection before the relay deletes them (default an hour); markEveryMs: how long a
   * confirmed row may wait to be marked sent (default 100 ms, far below sweepAfterMs, so no sweep takes it meanwhile);
   * tracer: makes a PRODUCER span for each publish of an event that carries a trace (none without it).
   */
  constructor(
    db: Db,
    broker: Broker,
    log: Logger,
    options: { sweepMs?: number; sweepAfterMs?: number; retainMs?: number; markEveryMs?: number; tracer?: Tracer } = {},
  ) {
    this.db = db;
    this.broker = broker;
    this.log = log;
    this.sweepMs = options.sweepMs ?? 1000;
    this.sweepAfterMs = options.sweepAfterMs ?? 2000;
    this.retainMs = options.retainMs ?? HOUR_MS;
    this.markEveryMs = options.markEveryMs ?? 100;
    this.tracer = options.tracer;
  }

  async start(): Promise<void> {
    this.unlisten = this.db.listen(OUTBOX_CHANNEL, (events) => {
      this.handed.push(...(events as Handed[]));
      this.wakeSoon();
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
    while (this.running || this.wakeDue) await new Promise((r) => setTimeout(r, 10));
    await this.flushMarks();
  }

  /**
   * Wakes the relay once what the committer does next has gone out: its answer, its next call. The signal comes
   * inside the commit, before the committer's own code resumes; publishing there put the broker's round trip in
   * front of, say, a gRPC answer's trailers. Commits of one turn of the event loop go out together. The pass runs
   * outside the committer's trace: its marks and sweeps are the relay's own work, not part of the request.
   */
  private wakeSoon(): void {
    if (this.wakeDue) return;
    this.wakeDue = true;
    setImmediate(() => {
      this.wakeDue = false;
      context.with(ROOT_CONTEXT, () => this.wake());
    });
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
    while (this.handed.length > 0) await this.relay(this.handed.splice(0, BATCH));
    if (!this.sweepDue) return;
    this.sweepDue = false;
    // What this process published is marked before it reads the table, so the sweep never takes it again.
    await this.flushMarks();
    // A short batch means the table is drained; whatever commits meanwhile is handed over, not swept.
    for (let sent = BATCH; sent === BATCH; ) {
      sent =
        this.db.kind === 'postgres'
          ? // Replicas share the table: each takes rows the others have not locked, and holds them until marked.
            await this.db.transaction(async (tx) => this.relay(await this.unsent(tx, 'FOR UPDATE SKIP LOCKED'), tx))
          : // PGlite is one process's own database: one relay, nothing to lock, no transaction held while publishing.
            await this.relay(await this.db.transaction((tx) => this.unsent(tx)), this.db);
    }
  }

  /**
   * Publishes the rows and marks those the broker confirmed: at once in `markIn` (a sweep's rows, locked by its
   * transaction), else at the window's end (handed rows). The first failure is thrown after that, and what was not
   * confirmed stays unsent in the table, for the sweep.
   */
  private async relay(rows: Handed[], markIn?: Tx): Promise<number> {
    const outcomes = await this.publish(rows.map((r) => r.envelope));
    const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((r) => r.seq);
    // Only what the broker confirmed is marked: a crash before the mark means a re-send, never a loss.
    if (sent.length > 0 && markIn) await markSent(markIn, sent);
    else if (sent.length > 0) this.markSoon(sent);
    this.stats.published += sent.length;
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return rows.length;
  }

  /** Queues confirmed seqs for the next mark: at the window's end, or at once when many are waiting. */
  private markSoon(seqs: number[]): void {
    this.confirmed.push(...seqs);
    if (this.confirmed.length >= MARK_MAX) void this.flushMarks();
    else if (!this.markTimer) {
      this.markTimer = setTimeout(() => void this.flushMarks(), this.markEveryMs);
      this.markTimer.unref();
    }
  }

  /** Marks every confirmed seq waiting, one statement at a time; a failed mark leaves its rows to the sweep. */
  private flushMarks(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    this.marking = this.marking.then(async () => {
      const seqs = this.confirmed.splice(0);
      if (seqs.length === 0) return;
      try {
        await markSent(this.db, seqs);
      } catch (err) {
        this.stats.failures++;
        this.log.warn({ err, events: seqs.length }, 'outbox mark failed; the sweep will re-send those events');
      }
    });
    return this.marking;
  }

  // Without a sort the planner must walk the partial index in order, and an ordered index scan marks the entries
  // of rows already published as dead, so later scans skip them; a bitmap scan (its choice otherwise) reads every
  // entry left since the last VACUUM, and that grows with the table when autovacuum is off or behind.
  // Rows handed to this relay while it read are left to the pass that follows: taking them too would send them twice.
  private async unsent(tx: Tx, lock = ''): Promise<Handed[]> {
    await tx.defer('SET LOCAL enable_sort = off');
    const rows = await tx.query<Handed>(
      `SELECT seq, envelope FROM outbox WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1)
       ORDER BY seq LIMIT ${BATCH} ${lock}`,
      [this.sweepAfterMs / 1000],
    );
    if (this.handed.length === 0) return rows;
    const pending = new Set(this.handed.map((h) => h.seq));
    return rows.filter((r) => !pending.has(r.seq));
  }

  // Network brokers confirm asynchronously, so a batch goes out pipelined; the in-process broker runs the consumers
  // inside publish, so there one event follows the other, as a consumer would take them off its queue.
  private async publish(events: Envelope[]): Promise<PromiseSettledResult<void>[]> {
    if (this.broker.kind !== 'in-process') return Promise.allSettled(events.map((e) => this.send(e)));
    const outcomes: PromiseSettledResult<void>[] = [];
    for (const e of events) {
      const outcome = await this.send(e).then(
        (): PromiseSettledResult<void> => ({ status: 'fulfilled', value: undefined }),
        (reason): PromiseSettledResult<void> => ({ status: 'rejected', reason }),
      );
      outcomes.push(outcome);
      if (outcome.status === 'rejected') break;
    }
    return outcomes;
  }

  /**
   * Publishes one event; one that carries a trace goes under a PRODUCER span of it, and carries that span's context
   * instead of its writer's, so that its consumers' spans hang under the publish. The row keeps what was written.
   */
  private send(event: Envelope): Promise<void> {
    if (!this.tracer || !event.traceparent) return this.broker.publish(event);
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent: event.traceparent });
    const span = this.tracer.startSpan(
      `publish ${event.type}`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.message.id': event.id } },
      parent,
    );
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    return this.broker.publish({ ...event, traceparent: carrier.traceparent }).then(
      () => span.end(),
      (err) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        span.end();
        throw err;
      },
    );
  }
}
