// Bazaar as the bench runs it: `bazaar up` (embedded) or `bazaar up --cluster` (PostgreSQL + RabbitMQ) as a child
// process on free ports, with the rate limit off, and the servers cluster mode needs checked first.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { clusterPortOffsets, clusterPorts, portEnv, type ServicePorts } from '@bazaar/cli/ports';
import { SERVICE_NAMES } from '@bazaar/cli/services';
import { dropNamespace as dropServerNamespace, freePortBlock, freePorts } from '@bazaar/kit/testing';
import amqp from 'amqplib';
import pg from 'pg';
import { cli, type Proc, spawnNode, waitFor } from './proc.ts';

export const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };
export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const RABBITMQ_URL = process.env.BENCH_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type Running = { url: string; proc: Proc; dataDir: string; namespace?: string; ports: ServicePorts };

/** Why cluster mode cannot run here, or undefined when PostgreSQL and RabbitMQ both answer. */
export async function clusterUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
  } catch (err) {
    return `PostgreSQL at ${new URL(POSTGRES_URL).host} is unreachable (${(err as Error).message})`;
  }
  try {
    const c = await amqp.connect(RABBITMQ_URL, { timeout: 2000 });
    await c.close();
  } catch (err) {
    return `RabbitMQ at ${new URL(RABBITMQ_URL).host} is unreachable (${(err as Error).message})`;
  }
  return undefined;
}

export async function startBazaar(
  mode: 'embedded' | 'cluster',
  options: { tmp: string; dataDir?: string; namespace?: string; nodeOptions?: string; env?: Record<string, string> },
): Promise<Running> {
  const dataDir = options.dataDir ?? mkdtempSync(join(options.tmp, `${mode}-`));
  const [gateway, jazzcash, easypaisa] = await freePorts(3);
  const services = await freePortBlock(clusterPortOffsets(2));
  const namespace = mode === 'cluster' ? (options.namespace ?? `bench_${randomUUID().slice(0, 8)}`) : undefined;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    ...portEnv({ gateway, services, jazzcash, easypaisa }),
    BAZAAR_ADMIN_EMAIL: ADMIN.email,
    BAZAAR_ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_RPS: '0',
    LOG_LEVEL: 'warn',
    // The courier simulator moves every shipment a step per COURIER_STEP_MS, each step an event for three
    // consumers: work that follows an order by minutes, not placing it. The bench parks the couriers.
    COURIER_STEP_MS: '3600000',
    ...(namespace
      ? { DATABASE_URL: POSTGRES_URL, BROKER_URL: RABBITMQ_URL, REDIS_URL, BAZAAR_NAMESPACE: namespace }
      : {}),
    ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    ...options.env,
  };
  const proc = spawnNode(
    `bazaar up${mode === 'cluster' ? ' --cluster' : ''}`,
    cli,
    mode === 'cluster' ? ['up', '--cluster'] : ['up'],
    env,
  );
  const url = `http://127.0.0.1:${gateway}`;
  try {
    await waitFor(`${url}/readyz`, proc, 180_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
  return { url, proc, dataDir, namespace, ports: clusterPorts(services, mode === 'cluster' ? 2 : 1) };
}

/** Removes what a cluster run left on the shared servers: its databases, queues and exchanges. */
export function dropNamespace(namespace: string): Promise<void> {
  return dropServerNamespace(namespace, { postgresUrl: POSTGRES_URL, brokerUrl: RABBITMQ_URL }, SERVICE_NAMES);
}

/** PostgreSQL backends serving a namespace's databases (the database side of cluster mode's CPU), by service. */
export async function postgresBackends(namespace: string): Promise<{ pid: number; service: string }[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT pid, datname FROM pg_stat_activity WHERE datname LIKE $1', [
      `${namespace}\\_%`,
    ]);
    return rows.map((r) => ({ pid: Number(r.pid), service: String(r.datname).slice(namespace.length + 1) }));
  } finally {
    await client.end();
  }
}

export type DbCounters = Record<string, { xacts: number; returned: number; fetched: number; written: number }>;

/** pg_stat_database counters of a namespace's databases: transactions and rows read and written, per service. */
export async function postgresCounters(namespace: string): Promise<DbCounters> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT datname, xact_commit + xact_rollback AS xacts, tup_returned AS returned, tup_fetched AS fetched,
              tup_inserted + tup_updated + tup_deleted AS written
         FROM pg_stat_database WHERE datname LIKE $1`,
      [`${namespace}\\_%`],
    );
    return Object.fromEntries(
      rows.map((r) => [
        String(r.datname).slice(namespace.length + 1),
        {
          xacts: Number(r.xacts),
          returned: Number(r.returned),
          fetched: Number(r.fetched),
          written: Number(r.written),
        },
      ]),
    );
  } finally {
    await client.end();
  }
}
