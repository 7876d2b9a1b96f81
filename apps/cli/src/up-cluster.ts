// `bazaar up --cluster`: every service its own OS process on PostgreSQL and RabbitMQ or NATS, orders and
// inventory at several replicas behind the gateway, as they would run on Kubernetes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inheritedEnv, loadClusterConfig, loadConfig } from './config.ts';
import { runMigrations } from './migrate.ts';
import { clusterPorts, ownPortSettings, serviceUrls } from './ports.ts';
import { reachableHost } from './reachable-host.ts';
import { SERVICE_NAMES, SERVICES, settingsPrefix, startOrder } from './services.ts';

type Instance = { name: string; port: number; env: Record<string, string> };
/** A process started for an instance, and the last of what it wrote. */
type Started = { child: ChildProcess; output: () => string };

const bazaar = join(import.meta.dirname, '../bin/bazaar.js');
// How much of a process's last output an unexpected exit shows.
const TAIL_CHARS = 2_000;
const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

export async function upCluster(options: { verbose: boolean }): Promise<void> {
  const config = loadConfig();
  const cluster = loadClusterConfig();
  const readyMs = cluster.readySeconds * 1000;
  const logsDir = join(resolve(config.dataDir), 'logs');
  mkdirSync(logsDir, { recursive: true });
  const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  console.log(
    `Starting Bazaar (cluster mode)\n  PostgreSQL  ${redact(cluster.databaseUrl)}\n  Broker      ${redact(cluster.brokerUrl)}\n  Redis       ${cluster.redisUrl}\n`,
  );

  let stopping = false;
  // Restarting what exits unasked, once every process has come up.
  let supervising = false;
  const children: ({ instance: Instance } & Started)[] = [];
  /** stopAll: the gateway first, so no new work arrives; then the rest together. */
  const stopAll = async () => {
    stopping = true;
    const gateway = children.find((c) => c.instance.name === 'gateway')?.child;
    if (gateway) await stopProcess(gateway);
    await Promise.all(children.map(({ child }) => stopProcess(child)));
  };
  // From here on a signal stops every process started so far and ends the command: a stop asked for once all are up
  // (exit 0), an interrupted start before that (128 + the signal's number, as a shell tells it).
  const onSignal = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    console.log(supervising ? '\nStopping every process…' : `\n${signal} while starting: stopping what has started…`);
    await stopAll();
    console.log('Stopped.');
    process.exit(supervising ? 0 : 128 + constants.signals[signal]);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  process.stdout.write('Migrating databases…\n');
  await runMigrations('all');

  const url = (port: number) => `http://127.0.0.1:${port}`;
  const ports = clusterPorts(cluster.ports, cluster.replicas);
  const urls: Record<string, string> = {
    ...serviceUrls(ports),
    // A real provider, or a fault proxy in front of a sandbox, when set.
    JAZZCASH_URL: cluster.jazzcashUrl ?? url(config.jazzcashSandboxPort),
    EASYPAISA_URL: cluster.easypaisaUrl ?? url(config.easypaisaSandboxPort),
  };
  const instances: Instance[] = [
    { name: 'sandboxes', port: config.jazzcashSandboxPort, env: {} },
    ...startOrder().flatMap((s) =>
      ports[s.name].map((port) => ({ name: s.name, port, env: ownPortSettings(s, port) })),
    ),
    // HOST is where the public entry listens, in this mode too; the services stay on loopback.
    { name: 'gateway', port: config.port, env: { PORT: String(config.port), GATEWAY_HOST: config.host } },
  ];

  const internalKey = cluster.internalKey ?? randomBytes(24).toString('base64url');
  // A generated key is kept where an operator can read it, for a replica or a call to /internal made by hand.
  const keyFile = cluster.internalKey ? undefined : join(resolve(config.dataDir), 'internal-key');
  if (keyFile) writeFileSync(keyFile, `${internalKey}\n`, { mode: 0o600 });
  const logFile = (instance: Instance) => join(logsDir, `${instance.name}-${instance.port}.log`);

  /** Starts one instance's process, its output appended to its log file; an exit nobody asked for restarts it. */
  const launch = (instance: Instance, restarts: number): Started => {
    const log = createWriteStream(logFile(instance), { flags: 'a' });
    const child = spawn(process.execPath, [bazaar, 'service', instance.name], {
      env: {
        ...inheritedEnv(),
        ...urls,
        ...instance.env,
        INTERNAL_KEY: internalKey,
        DATABASE_URL: cluster.databaseUrl,
        BROKER_URL: cluster.brokerUrl,
        REDIS_URL: cluster.redisUrl,
        BAZAAR_NAMESPACE: cluster.namespace,
      },
      // The IPC channel closes when this command is gone, even killed outright: the service then stops itself.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const startedAt = Date.now();
    // The last lines it wrote, shown when it exits unasked: the log file may be gone by the time anyone looks.
    let tail = '';
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(log, { end: false });
      if (options.verbose) stream.pipe(process.stdout, { end: false });
      stream.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
      });
    }
    // Closed once its output is all written (an exit can come before the last of it).
    child.on('close', () => log.end());
    child.on('exit', (code, signal) => {
      if (stopping) return;
      const exited = `  ${instance.name} :${instance.port} exited (${signal ?? code})`;
      // Before everything is up, a failed start stops the whole command (waitReady sees it), as it always did.
      if (!supervising) return console.error(`${exited}; see ${logFile(instance)}\n${indent(tail)}`);
      // As Kubernetes restarts a pod: at once, then backing off to 30 s while it keeps failing; a minute up resets it.
      const failures = Date.now() - startedAt > 60_000 ? 0 : restarts;
      const delayMs = failures === 0 ? 0 : Math.min(1_000 * 2 ** (failures - 1), 30_000);
      console.error(`${exited}; restarting in ${delayMs / 1000} s. See ${logFile(instance)}\n${indent(tail)}`);
      setTimeout(() => void relaunch(instance, failures + 1), delayMs).unref();
    });
    return { child, output: () => tail };
  };
  const relaunch = async (instance: Instance, restarts: number) => {
    const entry = children.find((c) => c.instance === instance)!;
    if (stopping) return;
    Object.assign(entry, launch(instance, restarts));
    try {
      await waitReady(instance, entry, readyMs);
      console.log(
        `  ${instance.name.padEnd(10)} pid ${String(entry.child.pid).padEnd(8)} ${url(instance.port)} (restarted)`,
      );
    } catch (err) {
      // One that exited again has its next try scheduled by its exit handler; one that hangs is only reported.
      if (running(entry.child)) console.error(`  ${(err as Error).message}`);
    }
  };
  // In order, each once those before it answer (orders calls inventory and payments; the gateway comes last).
  for (const instance of instances) {
    const started = launch(instance, 0);
    children.push({ instance, ...started });
    try {
      await waitReady(instance, started, readyMs);
    } catch (err) {
      if (stopping) return; // a signal came: its handler stops every process and ends the command
      // The ones already up must not outlive this command, which fails rather than print a banner.
      await stopAll();
      throw err;
    }
    if (stopping) return; // the same, come as this one answered
    process.stdout.write(`  ${instance.name} :${instance.port} ✓\n`);
  }
  supervising = true;

  const base = `http://${reachableHost(config.host)}:${config.port}`;
  const grpcLine = SERVICES.filter((s) => s.grpc)
    .map((s) => `${s.name} ${urls[`${settingsPrefix(s.name)}_GRPC_URL`]}`)
    .join('   ');
  const admin = config.adminEmail
    ? `${config.adminEmail} (password: BAZAAR_ADMIN_PASSWORD)`
    : 'none: set BAZAAR_ADMIN_EMAIL and BAZAAR_ADMIN_PASSWORD to have one (cluster mode has no default)';
  console.log(
    `\n  Bazaar is up (cluster mode: databases ${SERVICE_NAMES.map((n) => `${cluster.namespace}_${n}`).join(', ')})\n`,
  );
  for (const { instance, child } of children)
    console.log(`  ${instance.name.padEnd(10)} pid ${String(child.pid).padEnd(8)} ${url(instance.port)}`);
  console.log(`
  Storefront    ${base}/
  API docs      ${base}/docs   (OpenAPI document: ${base}/openapi.json)
  Console       ${base}/console
  Health        ${base}/readyz   Metrics: ${base}/metrics
  Admin login   ${admin}
  gRPC          ${grpcLine}
  Sandboxes     JazzCash ${urls.JAZZCASH_URL}   EasyPaisa ${urls.EASYPAISA_URL}
  Logs          ${logsDir}${keyFile ? `\n  Internal key  ${keyFile} (INTERNAL_KEY, for a process or a gRPC call made by hand)` : ''}

  A process that exits unasked is restarted. Press Ctrl-C to stop.`);
}

/** How long a process has to stop after SIGTERM before it is killed: a frozen one must not hold the command up. */
const STOP_GRACE_MS = 10_000;

/** stopProcess asks a process to stop, kills it if it has not within STOP_GRACE_MS, and resolves once it is gone. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (!running(child)) return;
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
  await whenExited(child);
  clearTimeout(kill);
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const whenExited = (child: ChildProcess) => new Promise((r) => (running(child) ? child.once('exit', r) : r(null)));

/** waitReady resolves once the instance answers; it rejects, saying why, if the process exits or never does. */
async function waitReady(instance: Instance, { child, output }: Started, timeoutMs: number): Promise<void> {
  // The gateway listens where HOST put it; the rest on loopback.
  const host = reachableHost(instance.env.GATEWAY_HOST ?? '127.0.0.1');
  const probe = `http://${host}:${instance.port}/${instance.name === 'sandboxes' ? '' : 'healthz'}`;
  // A sandbox answering at all will do; a service must say it is healthy.
  const ready = (r: Response) => instance.name === 'sandboxes' || r.ok;
  let last = 'did not answer';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running(child))
      throw new Error(`${instance.name} exited while starting (${child.signalCode ?? `code ${child.exitCode}`})`);
    // A bounded probe: a server that accepts and never answers must not hang the start.
    const answer = await fetch(probe, { signal: AbortSignal.timeout(2_000) }).catch((err: Error) => err);
    if (answer instanceof Response && ready(answer)) return;
    last =
      answer instanceof Response
        ? `answered ${answer.status}`
        : `did not answer (${(answer.cause as { code?: string } | undefined)?.code ?? answer.name})`;
    await sleep(100);
  }
  const said = output().trim() ? `it last said:\n${indent(output())}` : 'it has printed nothing';
  throw new Error(
    `${instance.name} :${instance.port} was not ready after ${timeoutMs / 1000} s: ${probe} ${last}; ${said}`,
  );
}
