// New PGlite databases on disk: copies of one empty cluster, kept in the cache directory between processes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from './db.ts';
import { emptyClusterCached } from './pglite-start.ts';

const root = mkdtempSync(join(tmpdir(), 'kit-pglite-start-'));
const cacheDir = join(root, 'cache');
const opened: Db[] = [];
const open = async (dataDir: string) => {
  const db = await openDatabase({ dataDir, cacheDir });
  opened.push(db);
  return db;
};

/** A digest of every file's path and bytes under dir. */
function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(dir, entry);
    hash.update(entry);
    if (statSync(path).isFile()) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

afterAll(async () => {
  for (const db of opened) await db.close();
});

describe('new databases on disk', () => {
  it('start as separate copies of the cached empty cluster', async () => {
    // What another PGlite version or other settings left in the cache goes when this one's cluster is cached.
    mkdirSync(join(cacheDir, 'pglite-empty-cluster-0000000000000000'), { recursive: true });
    writeFileSync(join(cacheDir, 'pglite-empty-cluster-0000000000000000.tar'), 'stale');
    expect(emptyClusterCached(cacheDir)).toBe(false);
    const a = await open(join(root, 'a'));
    expect(emptyClusterCached(cacheDir)).toBe(true);
    const cached = readdirSync(cacheDir).sort();
    // The archive, and the cluster unpacked beside it that new databases are copied from.
    expect(cached).toEqual([
      expect.stringMatching(/^pglite-empty-cluster-[0-9a-f]{16}$/),
      expect.stringMatching(/^pglite-empty-cluster-[0-9a-f]{16}\.tar$/),
    ]);
    const unpacked = join(cacheDir, cached[0]);
    expect(existsSync(join(cacheDir, 'pglite-empty-cluster-0000000000000000.tar'))).toBe(false); // pruned, below
    const before = treeDigest(unpacked);
    const b = await open(join(root, 'b'));
    await a.exec('CREATE TABLE only_in_a (n int); INSERT INTO only_in_a VALUES (1)');
    expect(await a.query('SELECT n FROM only_in_a')).toEqual([{ n: 1 }]);
    await expect(b.query('SELECT n FROM only_in_a')).rejects.toThrow(/does not exist/);
    expect(readFileSync(join(root, 'b', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    // Copies, not links: what the databases wrote is theirs, and the cached cluster is as it was.
    await b.exec('CREATE TABLE only_in_b (n int); INSERT INTO only_in_b VALUES (2); CHECKPOINT');
    await a.exec('CHECKPOINT');
    expect(treeDigest(unpacked)).toBe(before);
  });

  it('reopen with their data, and leave no unpacking directory behind', async () => {
    const dir = join(root, 'kept');
    const first = await open(dir);
    await first.exec('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const again = await open(dir);
    expect(await again.query('SELECT n FROM kept')).toEqual([{ n: 7 }]);
    expect(existsSync(`${dir}.unpacking`)).toBe(false);
  });

  it('replace what a crash left half-unpacked', async () => {
    const dir = join(root, 'crashed');
    mkdirSync(`${dir}.unpacking/base`, { recursive: true });
    writeFileSync(`${dir}.unpacking/base/junk`, 'half a file');
    mkdirSync(dir);
    const db = await open(dir);
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(existsSync(join(dir, 'base', 'junk'))).toBe(false);
  });

  it('refuse a directory that holds something other than a database, and leave it as it was', async () => {
    const dir = join(root, 'foreign');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(openDatabase({ dataDir: dir, cacheDir })).rejects.toThrow(/ENOTEMPTY|not empty/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });
});
