// Event lag at rest: an event written to the outbox in a producer's transaction, relayed by the kit's OutboxRelay
// (handed each event at commit), delivered by the broker and handled through the kit's inbox in a consumer's own
// database; lag = commit → the consumer's transaction committed. Embedded (PGlite + in-process broker) and cluster
// (PostgreSQL + RabbitMQ; + NATS JetStream when it is there). Producer and consumer are in this one process, with
// their own databases and broker connections, so one clock times both ends.
import { randomUUID } from 'node:crypto';
import { type Db, ensureDatabase, openDatabase } from '@bazaar/kit/database';
import {
  type Broker,
  enqueue,
  ensureMessagingTables,
  InProcessBroker,
  inbox,
  OutboxRelay,
} from '@bazaar/kit/messaging';
import { NatsBroker } from '@bazaar/kit/messaging/nats';
import { RabbitMqBroker } from '@bazaar/kit/messaging/rabbitmq';
import { dropBrokerNamespace } from '@bazaar/kit/testing';
import { trace } from '@opentelemetry/api';
import { connect as natsConnect } from 'nats';
import pg from 'pg';
import { pino } from 'pino';
import { Histogram } from '../../apps/cli/src/load/stats.ts';
import { clusterUnavailable, POSTGRES_URL, RABBITMQ_URL } from '../lib/platform.ts';
import { sleep } from '../lib/proc.ts';
import { fmt } from '../lib/report.ts';
import { type BenchSettings, emptyResult, type Scenario } from '../lib/types.ts';

const RATE = 50; // events per second: "at rest", far below what either side can take
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const log = pino({ level: 'silent' });
const tracer = trace.getTracer('bench');

type Setup = {
  label: string;
  producerDb: Db;
  consumerDb: Db;
  producer: Broker;
  consumer: Broker;
  cleanup(): Promise<void>;
};

async function measureLag(setup: Setup, s: BenchSettings) {
  const { producerDb, consumerDb } = setup;
  for (const db of [producerDb, consumerDb]) await ensureMessagingTables(db);
  await consumerDb.exec(
    'CREATE TABLE IF NOT EXISTS lag_effects (n integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())',
  );
  const committed = new Map<number, number>();
  const done = new Map<number, number>();
  let waiter: (() => void) | undefined;
  await setup.consumer.subscribe(
    'bench-lag',
    ['BenchLagEvent'],
    inbox(
      consumerDb,
      'bench-lag',
      tracer,
      async (tx, event) => {
        const n = (event.data as { n: number }).n;
        await tx.query('INSERT INTO lag_effects (n) VALUES ($1) ON CONFLICT DO NOTHING', [n]);
        return n;
      },
      (n) => {
        done.set(n, performance.now());
        waiter?.();
      },
    ),
  );
  const relay = new OutboxRelay(producerDb, setup.producer, log);
  await relay.start();
  const send = async (n: number) => {
    await producerDb.transaction((tx) => enqueue(tx, 'bench', { type: 'BenchLagEvent', data: { n } }));
    committed.set(n, performance.now());
  };
  const waitAll = async (upTo: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (done.size < upTo && Date.now() < deadline)
      await new Promise<void>((r) => {
        waiter = r;
        setTimeout(r, 50);
      });
  };
  try {
    // Warm-up: connections, prepared plans, JIT; not counted.
    const warm = Math.max(20, Math.round(RATE * s.warmupS));
    for (let n = 0; n < warm; n++) {
      await send(n);
      await sleep(1000 / RATE);
    }
    await waitAll(warm, 30_000);
    const first = warm;
    const count = Math.round(RATE * s.durationS * s.reps);
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      void send(first + i);
    }
    await waitAll(first + count, 30_000);
    const h = new Histogram();
    let lost = 0;
    for (let n = first; n < first + count; n++) {
      const c = committed.get(n);
      const d = done.get(n);
      if (c === undefined || d === undefined) lost++;
      else h.record(Math.max(0, d - c));
    }
    return { events: count, p50: h.percentile(50), p99: h.percentile(99), max: h.max, mean: h.mean, lost };
  } finally {
    await relay.stop();
  }
}

async function embedded(): Promise<Setup> {
  const broker = new InProcessBroker();
  const producerDb = await openDatabase({ dataDir: 'memory://' });
  const consumerDb = await openDatabase({ dataDir: 'memory://' });
  return {
    label: 'embedded: PGlite + in-process broker',
    producerDb,
    consumerDb,
    producer: broker,
    consumer: broker,
    async cleanup() {
      await broker.close();
      await producerDb.close();
      await consumerDb.close();
    },
  };
}

async function postgresPair(tag: string) {
  const names = [`bench_lag_${tag}_producer`, `bench_lag_${tag}_consumer`];
  const [p, c] = await Promise.all(names.map((n) => ensureDatabase(POSTGRES_URL, n)));
  const producerDb = await openDatabase({ url: p });
  const consumerDb = await openDatabase({ url: c });
  const drop = async () => {
    await producerDb.close();
    await consumerDb.close();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    for (const n of names) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await admin.end();
  };
  return { producerDb, consumerDb, drop };
}

async function rabbit(): Promise<Setup> {
  const tag = randomUUID().slice(0, 8);
  const namespace = `bench_lag_${tag}`;
  const { producerDb, consumerDb, drop } = await postgresPair(tag);
  const producer = await RabbitMqBroker.connect(RABBITMQ_URL, { log, namespace });
  const consumer = await RabbitMqBroker.connect(RABBITMQ_URL, { log, namespace });
  return {
    label: 'cluster: PostgreSQL + RabbitMQ',
    producerDb,
    consumerDb,
    producer,
    consumer,
    async cleanup() {
      await consumer.close();
      await producer.close();
      await drop();
      await dropBrokerNamespace(RABBITMQ_URL, namespace, ['bench-lag']);
    },
  };
}

async function nats(): Promise<Setup | undefined> {
  try {
    const nc = await natsConnect({ servers: NATS_URL, timeout: 2000, maxReconnectAttempts: 0 });
    await (await nc.jetstreamManager()).getAccountInfo();
    await nc.close();
  } catch {
    return undefined;
  }
  const tag = randomUUID().slice(0, 8);
  const namespace = `bench_lag_${tag}`;
  const { producerDb, consumerDb, drop } = await postgresPair(`n${tag}`);
  const producer = await NatsBroker.connect(NATS_URL, { log, namespace });
  const consumer = await NatsBroker.connect(NATS_URL, { log, namespace });
  return {
    label: 'cluster: PostgreSQL + NATS JetStream',
    producerDb,
    consumerDb,
    producer,
    consumer,
    async cleanup() {
      await consumer.close();
      await producer.close();
      await drop();
      await dropBrokerNamespace(NATS_URL, namespace, []);
    },
  };
}

export const lagScenario: Scenario = {
  id: 'lag',
  title: 'Event lag (outbox commit → consumer done)',
  async run(s: BenchSettings) {
    const result = emptyResult();
    const rows: { id: string; label: string; events: number; p50: number; p99: number; max: number; lost: number }[] =
      [];
    const clusterWhy = await clusterUnavailable();
    const makers: [string, () => Promise<Setup | undefined>][] = [
      ['embedded', embedded],
      ['rabbitmq', async () => (clusterWhy ? undefined : rabbit())],
      ['nats', async () => (clusterWhy ? undefined : nats())],
    ];
    if (clusterWhy) result.notes.push(`Cluster rows skipped: ${clusterWhy}.`);
    for (const [id, make] of makers) {
      const setup = await make();
      if (!setup) {
        if (id === 'nats' && !clusterWhy) result.notes.push(`NATS row skipped: no JetStream at ${NATS_URL}.`);
        continue;
      }
      s.log(`  ${setup.label}: ${RATE} events/s for ${s.durationS * s.reps} s`);
      try {
        const r = await measureLag(setup, s);
        s.log(
          `    p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 1)} ms, ${r.lost} not delivered in time`,
        );
        rows.push({ id, label: setup.label, ...r });
      } finally {
        await setup.cleanup().catch((err) => s.log(`    cleanup failed: ${(err as Error).message}`));
      }
    }
    result.tables.push({
      caption: `${RATE} events per second for ${s.durationS * s.reps} s (${s.warmupS} s of warm-up first). Each event: INSERT into the outbox (+ pg_notify) in the producer's transaction; the relay publishes it and marks it sent; the consumer's inbox transaction inserts the event id and the effect row.`,
      columns: ['setup', 'events', 'p50', 'p99', 'max', 'not delivered within 30 s'],
      rows: rows.map((r) => [
        r.label,
        r.events,
        `${fmt(r.p50, 2)} ms`,
        `${fmt(r.p99, 2)} ms`,
        `${fmt(r.max, 1)} ms`,
        r.lost,
      ]),
    });
    for (const r of rows) {
      result.metrics[`${r.id}.p50Ms`] = r.p50;
      result.metrics[`${r.id}.p99Ms`] = r.p99;
      result.metrics[`${r.id}.maxMs`] = r.max;
    }
    const worst = rows.length ? rows.reduce((a, b) => (a.p99 >= b.p99 ? a : b)) : undefined;
    result.budgets.push({
      name: 'Event lag p99 at rest (every setup)',
      target: '< 50 ms',
      actual: rows.length ? rows.map((r) => `${r.id} ${fmt(r.p99, 1)} ms`).join(', ') : 'not measured',
      met: worst ? worst.p99 < 50 : null,
    });
    result.charts.push({
      title: 'Event lag p99 (ms, lower is better)',
      unit: 'ms',
      bars: rows.map((r) => ({ label: r.label.replace(/^\w+: /, ''), value: r.p99, highlight: true })),
    });
    return result;
  },
};
