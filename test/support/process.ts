// Runs `bazaar up` as a real child process on free ports, so tests can kill it the way a crash would.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN } from './platform.ts';

const root = join(import.meta.dirname, '../..');

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export type PlatformProcess = {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
};

export async function spawnPlatform(
  dataDir: string,
  ports: number[],
  env: Record<string, string> = {},
  args = ['up'],
): Promise<PlatformProcess> {
  const [gateway, users, inventory, orders, payments, shipping, jazzcash, easypaisa] = ports;
  let output = '';
  const child = spawn(process.execPath, [join(root, 'apps/cli/src/main.ts'), ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(gateway),
      USERS_PORT: String(users),
      INVENTORY_PORT: String(inventory),
      ORDERS_PORT: String(orders),
      PAYMENTS_PORT: String(payments),
      SHIPPING_PORT: String(shipping),
      JAZZCASH_SANDBOX_PORT: String(jazzcash),
      EASYPAISA_SANDBOX_PORT: String(easypaisa),
      JAZZCASH_URL: `http://127.0.0.1:${jazzcash}`,
      EASYPAISA_URL: `http://127.0.0.1:${easypaisa}`,
      BAZAAR_ADMIN_EMAIL: ADMIN.email,
      BAZAAR_ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_RPS: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${gateway}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`bazaar up exited early:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    // Ready and the banner printed: tests read the pids from it, and the gateway can answer before it is out.
    if (ready && output.includes('Press Ctrl-C to stop.')) break;
    if (i > 1200) throw new Error(`bazaar up was not ready in 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}
