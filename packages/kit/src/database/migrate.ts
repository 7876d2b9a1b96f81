// Numbered SQL migrations (001_init.sql, 002_...), applied in order at start, each in its own transaction.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from './db.ts';

const FILE = /^(\d+)_[\w-]+\.sql$/;

/** migrate applies the files of `dir` not yet recorded in `table` (the kit keeps its own, apart from a service's). */
export async function migrate(db: Db, dir: string, table = 'schema_migrations'): Promise<number[]> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  // Under the lock too: replicas racing CREATE TABLE IF NOT EXISTS on a fresh database collide in pg_type.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7355608)');
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${table} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
  });
  const files = (await readdir(dir)).filter((f) => FILE.test(f)).sort();
  const applied: number[] = [];
  for (const file of files) {
    const version = Number(FILE.exec(file)![1]);
    const sql = await readFile(join(dir, file), 'utf8');
    const ran = await db.transaction(async (tx) => {
      // Replicas starting together take turns; the second finds the work done.
      await tx.query('SELECT pg_advisory_xact_lock(7355608)');
      const done = await tx.query(`SELECT 1 FROM ${table} WHERE version = $1`, [version]);
      if (done.length > 0) return false;
      await tx.exec(sql);
      await tx.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [version, file]);
      return true;
    });
    if (ran) applied.push(version);
  }
  return applied;
}
