// The transactional outbox: events are written with the change that caused them, then relayed to the broker.
import type { Logger } from 'pino';
import type { Db, Tx } from '../database/db.ts';
import type { Broker } from './broker.ts';
import { envelope, type NewEvent } from './envelope.ts';

export const OUTBOX_CHANNEL = 'bazaar_outbox';

/** enqueue writes the event in the caller's transaction; NOTIFY fires at commit and wakes the relay. */
export async function enqueue(tx: Tx, source: string, event: NewEvent): Promise<string> {
  const env = envelope(source, event);
  await tx.query('INSERT INTO outbox (id, envelope) VALUES ($1, $2)', [env.id, JSON.stringify(env)]);
  await tx.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  return env.id;
}

export type RelayStats = { published: number; failures: number; backlog: number; oldestAgeMs: number };

/** The relay publishes rows in order and marks them sent; a sweep picks up whatever a crash left behind. */
export class OutboxRelay {
  private running = false;
  private again = false;
  private timer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  private readonly db: Db;
  private readonly broker: Broker;
  private readonly log: Logger;
  private readonly sweepMs: number;
  readonly stats = { published: 0, failures: 0 };

  constructor(db: Db, broker: Broker, log: Logger, options: { sweepMs?: number } = {}) {
    this.db = db;
    this.broker = broker;
    this.log = log;
    this.sweepMs = options.sweepMs ?? 1000;
  }

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(OUTBOX_CHANNEL, () => this.wake());
    this.timer = setInterval(() => this.wake(), this.sweepMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  wake(): void {
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

  async backlog(): Promise<{ backlog: number; oldestAgeMs: number }> {
    const [row] = await this.db.query(
      'SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0)::float8 AS age FROM outbox WHERE published_at IS NULL',
    );
    return { backlog: row.n, oldestAgeMs: Math.round(row.age) };
  }

  private async drain(): Promise<void> {
    for (;;) {
      const sent = this.db.kind === 'postgres' ? await this.batchLocked() : await this.batch(this.db);
      if (sent === 0) return;
    }
  }

  // Replicas share the table: each takes rows the others have not locked.
  private batchLocked(): Promise<number> {
    return this.db.transaction((tx) => this.batch(tx, 'FOR UPDATE SKIP LOCKED'));
  }

  private async batch(q: Tx, lock = ''): Promise<number> {
    const rows = await q.query(
      `SELECT seq, envelope FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT 50 ${lock}`,
    );
    for (const row of rows) {
      await this.broker.publish(row.envelope);
      await q.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = $1', [row.seq]);
      this.stats.published++;
    }
    return rows.length;
  }
}
