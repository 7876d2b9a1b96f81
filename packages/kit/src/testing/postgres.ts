// Tests that need real PostgreSQL: on a laptop without it they skip with the reason; on CI a missing server fails.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase } from '../database/db.ts';

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

/** A new, empty database for one test file, so runs never see each other's rows. */
export async function freshPostgresDatabase(serverUrl: string, prefix: string): Promise<string> {
  return ensureDatabase(serverUrl, `${prefix}_${randomUUID().slice(0, 8)}`);
}
