import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUse, lockDataDir } from './data-lock.ts';
import { startEmbedded } from './embedded.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'bazaar-lock-'));

describe('one Bazaar per data directory', () => {
  it('refuses a second claim while the first holds it, naming the holder; free again once released', () => {
    const dir = fresh();
    const first = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    expect(() => lockDataDir(dir)).toThrow(`pid ${process.pid}`);
    first.release();
    expect(existsSync(join(dir, 'bazaar.lock'))).toBe(false);
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that died (kill -9, a crash)', () => {
    const dir = fresh();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, 'bazaar.lock'), `${gone}\n`);
    lockDataDir(dir).release();
    // A container restarted with its volume may get the same pid as the process that left the lock.
    writeFileSync(join(dir, 'bazaar.lock'), `${process.pid}\n`);
    lockDataDir(dir).release();
  });

  it('a second embedded platform on the same directory does not start, and the first keeps working', async () => {
    const dir = fresh();
    const options = {
      dataRoot: dir,
      admin: { email: 'admin@bazaar.local', password: 'bazaar-admin' },
      gateway: { port: 0 },
      ports: { users: 0, inventory: 0, orders: 0, payments: 0, shipping: 0, jazzcash: 0, easypaisa: 0 },
      logLevel: 'silent',
    };
    const first = await startEmbedded(options);
    try {
      await expect(startEmbedded(options)).rejects.toThrow(/another Bazaar \(pid \d+\) is using/);
      expect((await fetch(`${first.gatewayUrl}/api/products`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dir, 'bazaar.lock'))).toBe(false);
  }, 60_000);
});
