// The crash test: the platform is SIGKILLed in the middle of sagas and started again on the same data;
// every order must reach a final state with no stock or money lost or doubled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { ADMIN } from '../support/platform.ts';
import { freePlatformPorts, type PlatformProcess, spawnPlatform } from '../support/process.ts';
import { Shopper } from '../support/shop.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-crash-'));
let running: PlatformProcess | undefined;
afterAll(async () => {
  await running?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a crash in the middle of sagas', () => {
  it('loses no order, no stock and no rupee', async () => {
    const ports = await freePlatformPorts();
    running = await spawnPlatform(dataDir, ports, { COURIER_STEP_MS: '300' });
    const shopper = new Shopper(running.url);
    await shopper.signUp('Crash Tester');

    const wallets = ['03001234567', '03000000003', '03000000004', '03000000002', undefined];
    const placing = Array.from({ length: 25 }, (_, i) => {
      const wallet = wallets[i % wallets.length];
      const payment = wallet ? { method: i % 2 ? 'jazzcash' : 'easypaisa', wallet } : { method: 'cod' };
      return shopper
        .order(
          [
            { sku: 'TEA-001', quantity: 1 + (i % 3) },
            { sku: 'RICE-001', quantity: 1 },
          ],
          payment,
        )
        .catch(() => undefined);
    });
    await new Promise((r) => setTimeout(r, 400));
    await running.stop('SIGKILL');
    await Promise.all(placing);

    running = await spawnPlatform(dataDir, ports, { COURIER_STEP_MS: '300' });
    const checks = await verifyPlatform(running.url, 40_000, ADMIN);
    for (const c of checks)
      console.log(`${c.ok ? '✓' : '✗'} ${c.name}${c.problems.length ? `\n    ${c.problems.join('\n    ')}` : ''}`);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  }, 150_000);
});
