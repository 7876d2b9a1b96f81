// Tests that need real PostgreSQL: on a laptop without it they skip with the reason; on CI a missing server fails.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase } from '../database/postgres.ts';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Resolves to the server URL, or to undefined after printing why the suite skips. Throws on CI. */
export async function postgresOrSkip(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return POSTGRES_URL;
  } catch (err) {
    const reason = `PostgreSQL at ${POSTGRES_URL} is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
    console.warn(`skipping: ${reason}`);
    return undefined;
  }
}

/**
 * Scratch databases for one test file: each new and empty, so runs never see each other's rows, and all dropped
 * by drop() at the end, even while a stopped service's connections linger.
 */
export function scratchDatabases(serverUrl: string) {
  const names: string[] = [];
  const reserve = (prefix: string): string => {
    const name = `${prefix}_${randomUUID().slice(0, 8)}`;
    names.push(name);
    return name;
  };
  return {
    /** A fresh name, `<prefix>_<random>`, for a database that the code under test creates itself. */
    reserve,
    /** Creates a database under a fresh name and resolves to its name and URL. */
    async create(prefix: string): Promise<{ name: string; url: string }> {
      const name = reserve(prefix);
      return { name, url: await ensureDatabase(serverUrl, name) };
    },
    async drop(): Promise<void> {
      if (names.length === 0) return;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        for (const name of names.splice(0))
          await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
