// The outbox and inbox tables, created in every service's own database next to its business tables.
import type { Db } from '../database/db.ts';

export async function ensureMessagingTables(db: Db): Promise<void> {
  // The migrations' lock: replicas starting together on a fresh database would otherwise collide in pg_type.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7355608)');
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
      CREATE TABLE IF NOT EXISTS inbox (
        event_id uuid NOT NULL,
        consumer text NOT NULL,
        type text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, consumer)
      );
    `);
  });
}
