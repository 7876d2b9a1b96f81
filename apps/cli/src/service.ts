// `bazaar service <name>`: one service as its own process (cluster mode, containers), on PostgreSQL and a real broker.
import { createBroker } from '@bazaar/kit/messaging';
import type { Platform } from '@bazaar/kit/service';
import { createLogger, LogStore } from '@bazaar/kit/telemetry';
import { describeService, loadServiceConfig } from './config.ts';
import { SERVICE_NAMES } from './services.ts';
import { UsageError } from './usage-error.ts';

/** What `bazaar service` runs: the gateway, a service, or the payment sandboxes. */
export const PROCESSES = ['gateway', ...SERVICE_NAMES, 'sandboxes'];

export const serviceHelp = `bazaar service <name>: run one service in this process, as cluster mode and containers do

Names: ${PROCESSES.join(', ')} (sandboxes: the JazzCash and EasyPaisa simulators)
Each service reads its own port, interface and upstream URLs (ORDERS_PORT, ORDERS_HOST, INVENTORY_URL, …: its
README lists them); the settings every service process reads are:
${describeService()}

How \`bazaar up --cluster\` lays several out (REPLICAS, USERS_PORT as the first of a row of ports) is in
"bazaar up --help".`;

export async function runService(name: string | undefined): Promise<void> {
  if (!name || !PROCESSES.includes(name))
    throw new UsageError(
      `${name ? `unknown service "${name}"` : 'which service?'}: give one of ${PROCESSES.join(', ')}`,
    );
  const config = loadServiceConfig();
  // The service's own name and log store: the broker's lines (retries, dead letters, reconnects) are the service's
  // lines, in its output and in what the console reads of it.
  const logStore = new LogStore();
  const log = createLogger(name as string, { level: config.logLevel, store: logStore });
  // The key is all that stands between a service's port and a caller claiming to be any user or an admin: a
  // well-known default would open every pod to whoever can reach it. (The sandboxes take no key.)
  if (!config.internalKey && name !== 'sandboxes')
    throw new Error(
      'INTERNAL_KEY is not set: give the gateway and every service the same secret (for example `openssl rand -hex 24`); `bazaar up --cluster` makes one itself',
    );
  const internalKey = config.internalKey ?? '';
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async (cause: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ cause }, 'stopping');
    for (const fn of stops) await fn().catch((err) => log.error({ err }, 'stop failed'));
    log.flush();
    process.exit(0);
  };
  // Started by `up --cluster`, it must not outlive that command: not even one killed outright while this starts.
  onParentGone(() => void stop('parent gone'));

  if (name === 'sandboxes') {
    const { startSandboxes } = await import('@bazaar/payments');
    const sandboxes = await startSandboxes({ host: config.sandboxesHost });
    log.info({ jazzcash: sandboxes.jazzcashUrl, easypaisa: sandboxes.easypaisaUrl }, 'payment sandboxes listening');
    stops.push(sandboxes.stop);
  } else if (name === 'gateway') {
    const gateway = await import('@bazaar/gateway').then((m) =>
      m.start({ internalKey, logLevel: config.logLevel, otlpEndpoint: config.otlpEndpoint }),
    );
    stops.push(gateway.stop);
  } else {
    const broker = await createBroker(config.brokerUrl, log, { namespace: config.namespace });
    const platform: Platform = {
      broker,
      internalKey,
      databaseUrl: config.databaseUrl,
      databaseName: `${config.namespace}_${name}`,
      databasePoolSize: config.databasePoolSize,
      logLevel: config.logLevel,
      logStore,
      otlpEndpoint: config.otlpEndpoint,
      outboxRetentionMs: config.outboxRetentionSeconds * 1000,
      crashAt: config.crashAt,
      crashOnceFile: config.crashOnceFile,
    };
    const service = await import(`@bazaar/${name}`);
    const running = await service.start(platform);
    // Consuming stops before the database closes: a handler must never find its pool gone.
    running.onStop(() => broker.close());
    stops.push(running.stop);
  }

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** onParentGone calls `gone` when the process that started this one over an IPC channel is gone, however it ended. */
function onParentGone(gone: () => void): void {
  // Gone before anyone listened: its 'disconnect' has been and gone.
  if (process.connected === false) gone();
  else {
    process.once('disconnect', gone);
    // Listening holds the channel open; a start that fails must still end this process by itself.
    process.channel?.unref();
  }
}
