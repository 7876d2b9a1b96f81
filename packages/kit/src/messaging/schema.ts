// The outbox and inbox tables, created in every service's own database next to its business tables, by the kit's
// own numbered migrations (migrations/), recorded apart from the service's so their numbers never meet.
import { fileURLToPath } from 'node:url';
import type { Db } from '../database/db.ts';
import { migrate } from '../database/migrate.ts';

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

export async function ensureMessagingTables(db: Db): Promise<void> {
  await migrate(db, migrations, 'messaging_migrations');
}
