// `bazaar reset`, as a user runs it: it says what it would delete until told --yes, deletes only Bazaar's own data,
// refuses while a Bazaar runs on the directory, and in cluster mode drops the namespace's databases and broker names.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerOrSkip, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import amqp from 'amqplib';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from './data-lock.ts';

const bin = fileURLToPath(new URL('../bin/bazaar.js', import.meta.url));
const bazaar = (args: string[], env: Record<string, string>) => {
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
};

/** A data directory as embedded mode leaves it, with a file of the user's own beside. */
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bazaar-reset-'));
  mkdirSync(join(dir, 'pglite'));
  writeFileSync(join(dir, 'pglite', 'PG_VERSION'), '17\n');
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'logs', 'bazaar.log'), '{}\n');
  writeFileSync(join(dir, 'notes.txt'), 'mine\n');
  return dir;
}

describe('bazaar reset, embedded mode', () => {
  it('without --yes says what it would delete, and deletes nothing', () => {
    const dir = dataDir();
    const run = bazaar(['reset'], { DATA_DIR: dir });
    expect(run.code).toBe(2);
    expect(run.err).toContain(`this would delete ${join(dir, 'pglite')}, ${join(dir, 'logs')}`);
    expect(existsSync(join(dir, 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it('with --yes deletes the database and logs, and leaves anything else in the directory', () => {
    const dir = dataDir();
    const run = bazaar(['reset', '--yes'], { DATA_DIR: dir });
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'pglite'))).toBe(false);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(bazaar(['reset', '--yes'], { DATA_DIR: dir }).out).toContain('Nothing to delete');
  });

  it('refuses while a Bazaar holds the directory', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir); // this process, alive: as a running Bazaar
    try {
      const run = bazaar(['reset', '--yes'], { DATA_DIR: dir });
      expect(run.code).toBe(1);
      expect(run.err).toContain(`(pid ${process.pid}) is using ${dir}`);
      expect(existsSync(join(dir, 'pglite', 'PG_VERSION'))).toBe(true);
    } finally {
      lock.release();
    }
  });
});

const postgres = await postgresOrSkip();
const broker = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;

describe.skipIf(!postgres || !broker)('bazaar reset --cluster', () => {
  it("drops the namespace's databases and its exchanges once told --yes, not before", async () => {
    const ns = `reset_${randomUUID().slice(0, 8)}`;
    const env = { BAZAAR_NAMESPACE: ns, DATABASE_URL: postgres!, BROKER_URL: broker! };
    expect(bazaar(['migrate', 'all'], env).code).toBe(0);
    const connection = await amqp.connect(broker!);
    const channel = await connection.createChannel();
    await channel.assertExchange(`${ns}.events`, 'topic', { durable: true });
    await connection.close();
    const databases = async () => {
      const client = new pg.Client({ connectionString: postgres! });
      await client.connect();
      const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${ns}_%`]);
      await client.end();
      return rows.map((r) => r.datname).sort();
    };
    expect(await databases()).toHaveLength(5);

    expect(bazaar(['reset', '--cluster'], env).code).toBe(2);
    expect(await databases()).toHaveLength(5);
    const run = bazaar(['reset', '--cluster', '--yes'], env);
    expect(run.code).toBe(0);
    expect(await databases()).toEqual([]);
    const after = await amqp.connect(broker!);
    after.on('error', () => {});
    const check = await after.createChannel();
    check.on('error', () => {});
    await expect(check.checkExchange(`${ns}.events`)).rejects.toThrow(/NOT_FOUND/);
    await after.close().catch(() => {});
  }, 120_000);
});
