// `bazaar up --cluster` while it starts, run as a user runs it: a process that never answers fails the start, and
// nothing it started outlives it. Needs PostgreSQL and RabbitMQ (skipped with the reason without them).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  brokerOrSkip,
  dropNamespace,
  freePortBlock,
  freePorts,
  postgresOrSkip,
  RABBITMQ_URL,
} from '@bazaar/kit/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clusterPortOffsets } from './ports.ts';
import { SERVICE_NAMES } from './services.ts';

const bin = fileURLToPath(new URL('../bin/bazaar.js', import.meta.url));
const postgresUrl = await postgresOrSkip();
const brokerUrl = postgresUrl && (await brokerOrSkip(RABBITMQ_URL));
const namespace = `upstart_${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-up-cluster-'));

// Every command a test starts, stopped after it whatever happened.
const runs: { child: ChildProcess; children(): number[] }[] = [];

/** Starts `bazaar up --cluster` on free ports with one replica of each service, and records what it writes. */
async function upCluster(env: Record<string, string> = {}) {
  const [gateway, jazzcash, easypaisa] = await freePorts(3);
  const users = await freePortBlock(clusterPortOffsets(1));
  const child = spawn(process.execPath, [bin, 'up', '--cluster'], {
    env: {
      ...process.env,
      PORT: String(gateway),
      USERS_PORT: String(users),
      JAZZCASH_SANDBOX_PORT: String(jazzcash),
      EASYPAISA_SANDBOX_PORT: String(easypaisa),
      REPLICAS: '1',
      DATA_DIR: dataDir,
      DATABASE_URL: postgresUrl!,
      BROKER_URL: brokerUrl!,
      BAZAAR_NAMESPACE: namespace,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // 'close', not 'exit': the last of its output can still be on the way when it exits.
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const seen = new Set<number>();
  const run = {
    child,
    ports: { gateway, jazzcash, users },
    closed,
    out: () => out,
    err: () => err,
    /** The processes it has started so far (each remembered, for the clean-up after a failed test). */
    children(): number[] {
      const listed = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout;
      for (const pid of listed.split('\n').filter(Boolean)) seen.add(Number(pid));
      return [...seen];
    },
    /** Resolves once it has printed `text`; rejects, with its output, if it ends first. */
    async until(text: string): Promise<void> {
      while (!out.includes(text)) {
        if (!running(child)) throw new Error(`it ended before printing "${text}":\n${out}${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  runs.push(run);
  return run;
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
/** alive: the process runs (an orphan that has exited may linger as a zombie where nothing reaps it). */
const alive = (pid: number) => /^[^Z]/.test(spawnSync('ps', ['-o', 'stat=', '-p', String(pid)]).stdout.toString());
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );

afterEach(() => {
  // What a failing test left running: its command, and whatever that started.
  for (const run of runs.splice(0)) for (const pid of [...run.children(), run.child.pid!]) kill(pid);
});
afterAll(async () => {
  if (postgresUrl && brokerUrl) await dropNamespace(namespace, { postgresUrl, brokerUrl }, SERVICE_NAMES);
  rmSync(dataDir, { recursive: true, force: true });
});
const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {} // gone already
};

describe.skipIf(!brokerUrl)('bazaar up --cluster, starting', () => {
  it('a process that never answers is not ready: the start names it and what it said, stops it and exits 1', async () => {
    // On another loopback address the sandboxes run, but never answer where `up --cluster` probes them; 10 s is
    // for a busy machine to get them as far as saying that they listen.
    const run = await upCluster({ SANDBOXES_HOST: '127.0.0.2', READY_TIMEOUT_SECONDS: '10' });
    const { jazzcash } = run.ports;
    expect(await run.closed, run.out() + run.err()).toBe(1);
    expect(run.err()).toContain(
      `bazaar up: sandboxes :${jazzcash} was not ready after 10 s: http://127.0.0.1:${jazzcash}/ did not answer (ECONNREFUSED); it last said:`,
    );
    expect(run.err()).toContain('payment sandboxes listening');
    expect(run.out()).not.toContain('✓');
    expect(run.out()).not.toContain('Bazaar is up');
    expect(await answers(`http://127.0.0.2:${jazzcash}/`)).toBe(false);
  }, 90_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s while it starts stops every process started so far, and it exits 128 + the signal',
    async (signal) => {
      const run = await upCluster();
      await run.until(`users :${run.ports.users} ✓`);
      const started = run.children(); // the sandboxes, users, and perhaps inventory starting
      expect(started.length).toBeGreaterThanOrEqual(2);
      run.child.kill(signal);
      expect(await run.closed, run.out() + run.err()).toBe(128 + constants.signals[signal]);
      expect(started.filter(alive)).toEqual([]);
    },
    90_000,
  );

  it('puts the gateway on HOST, as embedded mode does: its banner and its answers are there, not on 127.0.0.1', async () => {
    const run = await upCluster({ HOST: '127.0.0.2' });
    const { gateway } = run.ports;
    await run.until('Press Ctrl-C to stop.');
    expect(run.out()).toContain(`Storefront    http://127.0.0.2:${gateway}/`);
    expect(await answers(`http://127.0.0.2:${gateway}/healthz`)).toBe(true);
    expect(await answers(`http://127.0.0.1:${gateway}/healthz`)).toBe(false);
    run.child.kill('SIGINT');
    expect(await run.closed, run.out() + run.err()).toBe(0);
  }, 120_000);

  it('stopped with a process frozen (SIGSTOP), kills that one after its grace and exits 0', async () => {
    const run = await upCluster();
    await run.until('Press Ctrl-C to stop.');
    const [frozen] = run.children();
    process.kill(frozen, 'SIGSTOP');
    run.child.kill('SIGINT');
    expect(await run.closed, run.out() + run.err()).toBe(0);
    expect(alive(frozen)).toBe(false);
  }, 120_000);

  it('killed outright while it starts, the processes it started see it gone and stop', async () => {
    const run = await upCluster();
    await run.until(`users :${run.ports.users} ✓`);
    const started = run.children();
    expect(started.length).toBeGreaterThanOrEqual(2);
    run.child.kill('SIGKILL');
    await run.closed;
    await expect.poll(() => started.filter(alive), { timeout: 20_000, interval: 250 }).toEqual([]);
  }, 90_000);
});
