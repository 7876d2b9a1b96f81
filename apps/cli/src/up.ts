// `bazaar up`: the whole platform from one command, with a banner of where everything is.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emptyClusterCached } from '@bazaar/kit/database';
import { describe, describeCluster, loadConfig, loadServicePorts } from './config.ts';
import { startEmbedded } from './embedded.ts';
import { boundHeapGrowth } from './heap.ts';
import { fileSink, grpcLogsTo } from './log-sink.ts';
import { embeddedPortUses, portClash } from './ports.ts';
import { reachableHost } from './reachable-host.ts';
import { SERVICE_NAMES } from './services.ts';
import { raiseWasmTieringBudget } from './wasm-tiering.ts';

const EMBEDDED_ADMIN = { email: 'admin@bazaar.local', password: 'bazaar-admin' };

export const upHelp = () => `bazaar up: start the gateway and every service

Usage: bazaar up [--cluster] [--verbose]
  --cluster   each service its own process on PostgreSQL and RabbitMQ/NATS (see DATABASE_URL, BROKER_URL)
  --verbose   also print every service's JSON log lines (they always go to <DATA_DIR>/logs/bazaar.log)

Settings (environment variables):
${describe()}
  USERS_PORT … SHIPPING_PORT     The services' ports (default: 8081..8085); inventory and payments also serve gRPC on
                                 their port + 1000 (or INVENTORY_GRPC_PORT, PAYMENTS_GRPC_PORT). Cluster mode reads
                                 USERS_PORT alone and lays the others out after it (replicas 100 apart)

A second Bazaar on one machine needs its own ports: PORT, USERS_PORT … SHIPPING_PORT (their gRPC ports follow;
cluster mode reads USERS_PORT alone), JAZZCASH_SANDBOX_PORT and EASYPAISA_SANDBOX_PORT; and its own DATA_DIR
(embedded mode) or BAZAAR_NAMESPACE (cluster mode, on shared servers).

Cluster mode also reads:
${describeCluster(['USERS_PORT'])}

Each service's own settings (CORS_ORIGINS, LOGIN_MAX_FAILURES, ORDER_SYNC_WINDOW_MS, PAYMENT_TIMEOUT_MS, …) are
in the README's settings table and in each service's README.`;

export async function up(options: { cluster: boolean; verbose: boolean }): Promise<void> {
  if (options.cluster) {
    const { upCluster } = await import('./up-cluster.ts');
    return upCluster(options);
  }
  const started = performance.now();
  const config = loadConfig();
  const portUses = embeddedPortUses({
    gateway: config.port,
    ...loadServicePorts(),
    jazzcash: config.jazzcashSandboxPort,
    easypaisa: config.easypaisaSandboxPort,
  });
  boundHeapGrowth(config.heapGrowingPercent, process.execArgv);
  raiseWasmTieringBudget(config.wasmTieringBudget, process.execArgv);
  const dataRoot = resolve(config.dataDir);
  const logs = fileSink(join(dataRoot, 'logs', 'bazaar.log'), options.verbose);
  grpcLogsTo(logs, config.logLevel);
  const admin = {
    email: config.adminEmail ?? EMBEDDED_ADMIN.email,
    password: config.adminPassword ?? EMBEDDED_ADMIN.password,
  };
  if (!config.adminEmail || !config.adminPassword)
    console.warn(
      `warning: BAZAAR_ADMIN_EMAIL / BAZAAR_ADMIN_PASSWORD are unset; using the embedded defaults ${admin.email} / ${admin.password}`,
    );

  process.stdout.write('Starting Bazaar (embedded mode):');
  // Only the first start on a machine makes the empty database (initdb, some seconds): say so, or it looks stuck.
  if (!existsSync(join(dataRoot, 'pglite')) && !emptyClusterCached(resolve(config.cacheDir)))
    process.stdout.write(' (first start on this machine: making the empty database once, about 10 s)');
  let platform: Awaited<ReturnType<typeof startEmbedded>>;
  try {
    platform = await startEmbedded({
      dataRoot,
      cacheDir: resolve(config.cacheDir),
      admin,
      gateway: { port: config.port, host: config.host, rateLimitRps: config.rateLimitRps },
      ports: { jazzcash: config.jazzcashSandboxPort, easypaisa: config.easypaisaSandboxPort },
      courierStepMs: config.courierStepMs,
      logSink: logs,
      logLevel: config.logLevel,
      otlpEndpoint: config.otlpEndpoint,
      outboxRetentionMs: config.outboxRetentionSeconds * 1000,
      onProgress: (step) => process.stdout.write(` ${step} ✓`),
    });
  } catch (err) {
    const clash = portClash(err, portUses);
    console.error('\n\nBazaar could not start:', clash ?? (err instanceof Error ? err.message : err));
    await logs.close();
    process.exit(1);
  }

  const port = (url: string) => new URL(url).port;
  // The port the gateway got, which PORT=0 leaves to the OS.
  const base = `http://${reachableHost(config.host)}:${port(platform.gatewayUrl)}`;
  const u = platform.urls;
  console.log(`

  Bazaar is up in ${((performance.now() - started) / 1000).toFixed(1)} s (embedded mode: ${platform.databases}, in-process broker)

  Storefront    ${base}/
  API docs      ${base}/docs   (OpenAPI document: ${base}/openapi.json)
  Console       ${base}/console
  Health        ${base}/readyz   Metrics: ${base}/metrics
  Admin login   ${admin.email} / ${admin.password}
  Services      ${SERVICE_NAMES.map((name) => `${name} :${port(u[name])}`).join('  ')}
  Sandboxes     JazzCash ${u.jazzcash}   EasyPaisa ${u.easypaisa}
  Logs          ${join(dataRoot, 'logs', 'bazaar.log')}

  Press Ctrl-C to stop.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Bazaar…`);
    await platform.stop();
    await logs.close();
    console.log(`Stopped. The data is kept in ${dataRoot}.`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
