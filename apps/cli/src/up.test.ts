// `bazaar up` as a user starts it: the banner's addresses are ones this machine can open.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/bazaar.js', import.meta.url));

/** Starts `bazaar up` on free ports with these settings, hands its banner to `check` while it runs, then stops it. */
async function withBanner(env: Record<string, string>, check: (banner: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-up-banner-'));
  const ports = ['PORT', 'USERS_PORT', 'INVENTORY_PORT', 'ORDERS_PORT', 'PAYMENTS_PORT', 'SHIPPING_PORT'];
  const free = Object.fromEntries(
    [...ports, 'INVENTORY_GRPC_PORT', 'PAYMENTS_GRPC_PORT', 'JAZZCASH_SANDBOX_PORT', 'EASYPAISA_SANDBOX_PORT'].map(
      (name) => [name, '0'],
    ),
  );
  const child = spawn(process.execPath, [bin, 'up'], {
    env: { ...process.env, ...free, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const closed = new Promise((resolve) => child.on('close', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('Press Ctrl-C') && resolve());
      child.on('close', (code) => reject(new Error(`bazaar up exited ${code} before its banner: ${out}`)));
    });
    await check(out);
  } finally {
    child.kill('SIGINT');
    await closed;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

it('with HOST=0.0.0.0 and PORT=0, the banner shows loopback and the port the gateway got, and it answers there', async () => {
  await withBanner({ HOST: '0.0.0.0' }, async (banner) => {
    const storefront = /Storefront +(\S+)/.exec(banner)?.[1];
    expect(storefront).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
    expect((await fetch(`${storefront}healthz`)).status).toBe(200);
  });
}, 60_000);
