// Runs `bazaar up` as a real child process on free ports, so tests can kill it the way a crash would.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { clusterPortOffsets, type PlatformPorts, portEnv } from '@bazaar/cli/ports';
import { freePortBlock, freePorts } from '@bazaar/kit/testing';
import { ADMIN } from './platform.ts';

const root = join(import.meta.dirname, '../..');

/** freePlatformPorts: free ports for the gateway, the sandboxes and a block for cluster mode's services. */
export async function freePlatformPorts(): Promise<PlatformPorts> {
  const [gateway, jazzcash, easypaisa] = await freePorts(3);
  return { gateway, jazzcash, easypaisa, services: await freePortBlock(clusterPortOffsets(2)) };
}

export type PlatformProcess = {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
};

export async function spawnPlatform(
  dataDir: string,
  ports: PlatformPorts,
  env: Record<string, string> = {},
  args = ['up'],
): Promise<PlatformProcess> {
  let output = '';
  const child = spawn(process.execPath, [join(root, 'apps/cli/src/main.ts'), ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      ...portEnv(ports),
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
  const url = `http://127.0.0.1:${ports.gateway}`;
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
