// The embedded platform: every service in this process, each on its own port with its own Fastify instance and
// its own schema of one PGlite database, wired to an in-process broker. `bazaar up` and the end-to-end tests start it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPglite } from '@bazaar/kit/database';
import { InProcessBroker } from '@bazaar/kit/messaging';
import type { Platform } from '@bazaar/kit/service';
import { createLogger, type LogSink, LogStore, SpanStore } from '@bazaar/kit/telemetry';
import { lockDataDir } from './data-lock.ts';
import type { ServiceName } from './services.ts';

export type EmbeddedOptions = {
  /** Directory of the PGlite database (its `pglite` folder), or 'memory://'. */
  dataRoot: string;
  /** Where PGlite keeps the empty database new ones are copied from; absent, every start makes it anew. */
  cacheDir?: string;
  admin: { email: string; password: string };
  gateway: { port: number; host?: string; rateLimitRps?: number };
  /** Service and sandbox ports; 0 picks free ones. When absent, each service's own default applies. */
  ports?: Partial<Record<ServiceName | 'jazzcash' | 'easypaisa', number>>;
  courierStepMs?: number;
  logSink?: LogSink;
  logLevel?: string;
  otlpEndpoint?: string;
  outboxRetentionMs?: number;
  onProgress?: (step: string) => void;
};

export type Embedded = {
  gatewayUrl: string;
  urls: Record<ServiceName | 'jazzcash' | 'easypaisa', string>;
  platform: Platform;
  /** Where the data is: one PGlite with a schema per service, or (kept from an older Bazaar) one per service. */
  databases: string;
  stop(): Promise<void>;
};

/** Data left by a Bazaar before the shared database (a PGlite per service under dataRoot): kept in use, not lost. */
const holdsDatabasePerService = (dataRoot: string) =>
  !dataRoot.startsWith('memory://') && existsSync(join(dataRoot, 'orders', 'PG_VERSION'));

export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const { dataRoot } = options;
  // Taken before the database is opened, released after it is closed.
  const lock = dataRoot.startsWith('memory://') ? undefined : lockDataDir(dataRoot);
  const perService = holdsDatabasePerService(dataRoot);
  const sharedDir = dataRoot.startsWith('memory://') ? 'memory://' : join(dataRoot, 'pglite');
  const pglite = perService ? undefined : sharedPglite(sharedDir, options.cacheDir);
  const logStore = new LogStore();
  // The broker's lines (redeliveries, dead letters, events held through an outage) under a name of their own.
  const brokerLog = createLogger('broker', { level: options.logLevel, sink: options.logSink, store: logStore });
  const platform: Platform = {
    // Dead letters wait in the data directory for their replay, which may come after a restart (a fix deployed).
    broker: new InProcessBroker({
      log: brokerLog,
      deadLetterPath: dataRoot.startsWith('memory://') ? undefined : join(dataRoot, 'dead-letters.jsonl'),
    }),
    internalKey: randomBytes(24).toString('base64url'),
    pglite,
    dataRoot,
    cacheDir: options.cacheDir,
    spanStore: new SpanStore(),
    logStore,
    logSink: options.logSink,
    otlpEndpoint: options.otlpEndpoint,
    logLevel: options.logLevel,
    outboxRetentionMs: options.outboxRetentionMs,
  };
  const ports = options.ports ?? {};
  const at = <T extends object>(port: number | undefined, rest: T) => (port === undefined ? rest : { ...rest, port });
  const stack: { name: string; stop(): Promise<void> }[] = [];
  const progress = options.onProgress ?? (() => {});
  const stop = async () => {
    for (const s of stack.reverse()) await s.stop().catch((err) => console.error(`stopping ${s.name}:`, err));
  };

  try {
    if (lock) stack.push({ name: 'data directory lock', stop: async () => lock.release() });
    // Closed last, once every service has stopped using it.
    if (pglite) stack.push({ name: 'database', stop: pglite.close });
    const payments = await import('@bazaar/payments');
    const sandboxes = await payments.startSandboxes({ jazzcashPort: ports.jazzcash, easypaisaPort: ports.easypaisa });
    stack.push({ name: 'sandboxes', stop: sandboxes.stop });
    progress('sandboxes');

    // The four that need no other service start side by side: one waits for its disk or its password hash while
    // another works.
    const [users, inventory, shipping, pay] = await Promise.all([
      import('@bazaar/users').then((m) =>
        m.start(platform, at(ports.users, { adminEmail: options.admin.email, adminPassword: options.admin.password })),
      ),
      import('@bazaar/inventory').then((m) => m.start(platform, at(ports.inventory, {}))),
      import('@bazaar/shipping').then((m) =>
        m.start(platform, at(ports.shipping, options.courierStepMs ? { courierStepMs: options.courierStepMs } : {})),
      ),
      payments.start(
        platform,
        at(ports.payments, { jazzcashUrl: sandboxes.jazzcashUrl, easypaisaUrl: sandboxes.easypaisaUrl }),
      ),
    ]);
    stack.push(
      { name: 'users', stop: users.stop },
      { name: 'inventory', stop: inventory.stop },
      { name: 'shipping', stop: shipping.stop },
      { name: 'payments', stop: pay.stop },
    );
    progress('users, inventory, shipping, payments');

    const orders = await import('@bazaar/orders').then((m) =>
      m.start(
        platform,
        at(ports.orders, {
          inventoryUrl: inventory.url,
          paymentsUrl: pay.url,
          shippingUrl: shipping.url,
          inventoryGrpcUrl: inventory.grpcUrl,
          paymentsGrpcUrl: pay.grpcUrl,
        }),
      ),
    );
    stack.push({ name: 'orders', stop: orders.stop });
    progress('orders');

    const gateway = await import('@bazaar/gateway').then((m) =>
      m.start(platform, {
        port: options.gateway.port,
        host: options.gateway.host ?? '127.0.0.1',
        usersUrl: users.url,
        inventoryUrl: inventory.url,
        ordersUrl: orders.url,
        paymentsUrl: pay.url,
        shippingUrl: shipping.url,
        ...(options.gateway.rateLimitRps === undefined ? {} : { rateLimitRps: options.gateway.rateLimitRps }),
      }),
    );
    stack.push({ name: 'gateway', stop: gateway.stop });
    progress('gateway');

    return {
      gatewayUrl: gateway.url,
      urls: {
        users: users.url,
        inventory: inventory.url,
        orders: orders.url,
        payments: pay.url,
        shipping: shipping.url,
        jazzcash: sandboxes.jazzcashUrl,
        easypaisa: sandboxes.easypaisaUrl,
      },
      platform,
      databases: perService
        ? `a PGlite per service in ${dataRoot} (an older layout, kept; a fresh data directory shares one)`
        : `PGlite in ${sharedDir}, a schema per service`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
