// `bazaar migrate <name>`: applies one service's migrations to its PostgreSQL database and exits,
// so a deployment can migrate before the new version takes traffic.
import { ensureDatabase, migrate, openDatabase } from '@bazaar/kit/database';
import { ensureMessagingTables } from '@bazaar/kit/messaging';
import { loadClusterConfig } from './config.ts';

export const MIGRATED = ['users', 'inventory', 'orders', 'payments', 'shipping'] as const;

export const migrateHelp = `bazaar migrate <name|all>: apply a service's migrations to its database (<BAZAAR_NAMESPACE>_<name> on DATABASE_URL)

Names: ${MIGRATED.join(', ')}, or all.`;

export async function runMigrations(name: string): Promise<void> {
  const names = name === 'all' ? [...MIGRATED] : [name];
  for (const service of names) {
    if (!MIGRATED.includes(service as (typeof MIGRATED)[number]))
      throw new Error(`"${service}" has no database; one of ${MIGRATED.join(', ')}, or all`);
    const { migrations } = await import(`@bazaar/${service}`);
    const { databaseUrl, namespace } = loadClusterConfig();
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
