// Where the end-to-end suite runs: the embedded platform always, and cluster mode over RabbitMQ and over NATS
// when PostgreSQL and that broker are reachable (skipped with the reason on a laptop, required on CI).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@bazaar/cli/services';
import { brokerOrSkip, dropNamespace, NATS_URL, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { ADMIN, startTestPlatform } from './platform.ts';
import { freePlatformPorts, type PlatformProcess, spawnPlatform } from './process.ts';

export type Running = { gatewayUrl: string; stop(): Promise<void> };
export type Target = { name: string; start(): Promise<Running> };

const COURIER_STEP_MS = 1000;

export async function e2eTargets(): Promise<Target[]> {
  const targets: Target[] = [{ name: 'embedded', start: () => startTestPlatform({ courierStepMs: COURIER_STEP_MS }) }];
  const postgres = await postgresOrSkip();
  if (!postgres) return targets;
  const rabbit = await brokerOrSkip(RABBITMQ_URL);
  if (rabbit) targets.push({ name: 'cluster over RabbitMQ', start: () => startCluster(postgres, rabbit) });
  const nats = await brokerOrSkip(NATS_URL);
  if (nats) targets.push({ name: 'cluster over NATS', start: () => startCluster(postgres, nats) });
  return targets;
}

/** PostgreSQL's and RabbitMQ's URLs when both answer, for a suite on cluster mode over RabbitMQ; else undefined. */
export async function postgresAndRabbit(): Promise<{ postgres: string; rabbit: string } | undefined> {
  const postgres = await postgresOrSkip();
  const rabbit = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;
  return postgres && rabbit ? { postgres, rabbit } : undefined;
}

/**
 * startCluster runs `bazaar up --cluster` in its own namespace; `platform` is the CLI process (its banner lists the
 * pids), `namespace` prefixes its databases and broker names, `sandboxes` the payment sandboxes' URLs; `env` overrides settings (COURIER_STEP_MS, ORDER_SYNC_WINDOW_MS…).
 */
export async function startCluster(
  postgresUrl: string,
  brokerUrl: string,
  env: Record<string, string> = {},
): Promise<
  Running & { platform: PlatformProcess; namespace: string; sandboxes: { jazzcash: string; easypaisa: string } }
> {
  const namespace = `e2e_${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-cluster-'));
  const ports = await freePlatformPorts();
  const platform = await spawnPlatform(
    dataDir,
    ports,
    {
      DATABASE_URL: postgresUrl,
      BROKER_URL: brokerUrl,
      BAZAAR_NAMESPACE: namespace,
      COURIER_STEP_MS: String(COURIER_STEP_MS),
      REDIS_URL: 'redis://127.0.0.1:6379',
      ...env,
    },
    ['up', '--cluster'],
  );
  return {
    gatewayUrl: platform.url,
    platform,
    namespace,
    sandboxes: { jazzcash: `http://127.0.0.1:${ports.jazzcash}`, easypaisa: `http://127.0.0.1:${ports.easypaisa}` },
    async stop() {
      await platform.stop('SIGTERM');
      await dropNamespace(namespace, { postgresUrl, brokerUrl }, SERVICE_NAMES);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { ADMIN };
