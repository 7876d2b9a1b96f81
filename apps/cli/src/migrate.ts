// `bazaar migrate <name>`: applies one service's migrations to its PostgreSQL database and exits,
// so a deployment can migrate before the new version takes traffic.
import { ensureDatabase, migrate, openDatabase } from '@bazaar/kit/database';
import { ensureMessagingTables } from '@bazaar/kit/messaging';
import { loadServiceConfig } from './config.ts';
import { SERVICE_NAMES } from './services.ts';
import { UsageError } from './usage-error.ts';

export const migrateHelp = `bazaar migrate <name|all>: apply a service's migrations to its database, then exit

Names: ${SERVICE_NAMES.join(', ')}, or all.
Connects to the PostgreSQL server at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
creates the service's database, <BAZAAR_NAMESPACE>_<name> (bazaar_orders, …), when it is missing; the role in the
URL needs CREATEDB for that, or the databases must exist. Migrations already applied are skipped.`;

export async function runMigrations(name: string | undefined): Promise<void> {
  if (!name || (name !== 'all' && !(SERVICE_NAMES as string[]).includes(name)))
    throw new UsageError(
      `${name ? `"${name}" has no database` : 'which database?'}: give one of ${SERVICE_NAMES.join(', ')}, or all`,
    );
  const names = name === 'all' ? [...SERVICE_NAMES] : [name];
  for (const service of names) {
    const { migrations } = await import(`@bazaar/${service}`);
    const { databaseUrl, namespace } = loadServiceConfig();
    const db = await openDatabase({ url: await ensureDatabase(databaseUrl, `${namespace}_${service}`) });
    try {
      const applied = await migrate(db, new URL(migrations).pathname);
      await ensureMessagingTables(db);
      console.log(
        `${service}: ${applied.length ? `applied ${applied.map((v) => String(v).padStart(3, '0')).join(', ')}` : 'up to date'}`,
      );
    } finally {
      await db.close();
    }
  }
}
