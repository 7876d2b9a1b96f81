// `bazaar reset`: start afresh. Embedded mode: the data directory's database, logs and key; cluster mode: the
// namespace's databases on PostgreSQL and its exchanges, queues or streams on the broker. Nothing goes without --yes.
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dropNamespace } from '@bazaar/kit/namespace';
import { loadConfig, loadServiceConfig } from './config.ts';
import { lockDataDir } from './data-lock.ts';
import { SERVICE_NAMES } from './services.ts';
import { UsageError } from './usage-error.ts';

export const resetHelp = `bazaar reset [--cluster] --yes: delete a Bazaar's data, to start afresh

Embedded mode (the default): removes the database, the logs and the internal key under DATA_DIR (default ./data);
anything else there is left alone. Refused while a Bazaar runs on that directory.
  --cluster   drops the namespace's databases (<BAZAAR_NAMESPACE>_users … _shipping) on DATABASE_URL's server and
              its exchanges and queues (RabbitMQ) or streams (NATS) on BROKER_URL. Stop that cluster first: its
              connections are closed by force.
  --yes       do it; without it, reset says what it would delete and deletes nothing`;

/** What embedded mode keeps under its data directory: the shared PGlite, the logs, the key. */
const EMBEDDED_ENTRIES = ['pglite', 'logs', 'internal-key'];
/** An older Bazaar's layout, a PGlite per service (embedded.ts keeps using it): the five services of that time. */
const OLDER_LAYOUT = ['users', 'inventory', 'orders', 'payments', 'shipping'];

/** Deletes what it says it deletes; without `yes`, says what that is and deletes nothing (a usage error). */
export async function reset(options: { cluster: boolean; yes: boolean }): Promise<void> {
  if (options.cluster) {
    const { databaseUrl, brokerUrl, namespace } = loadServiceConfig();
    const what = `databases ${SERVICE_NAMES.map((s) => `${namespace}_${s}`).join(', ')} and the broker's ${namespace}.* names`;
    if (!options.yes) return tellWouldDelete(what);
    await dropNamespace(namespace, { postgresUrl: databaseUrl, brokerUrl }, SERVICE_NAMES);
    console.log(`Dropped ${what}.`);
    return;
  }
  const dataRoot = resolve(loadConfig().dataDir);
  const present = [
    ...EMBEDDED_ENTRIES.filter((e) => existsSync(join(dataRoot, e))),
    ...OLDER_LAYOUT.filter((e) => existsSync(join(dataRoot, e, 'PG_VERSION'))),
  ];
  if (present.length === 0) {
    console.log(`Nothing to delete: ${dataRoot} holds no Bazaar data.`);
    return;
  }
  const what = present.map((e) => join(dataRoot, e)).join(', ');
  if (!options.yes) return tellWouldDelete(what);
  // Held while deleting: no Bazaar can start on the directory meanwhile, and one running refuses the reset.
  const lock = lockDataDir(dataRoot);
  try {
    for (const entry of present) rmSync(join(dataRoot, entry), { recursive: true, force: true });
  } finally {
    lock.release();
  }
  console.log(`Deleted ${what}.`);
}

function tellWouldDelete(what: string): never {
  throw new UsageError(`this would delete ${what}; nothing was deleted. Add --yes to delete it`);
}
