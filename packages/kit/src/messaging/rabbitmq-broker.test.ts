import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import pino, { type Logger } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { brokerOrSkip, RABBITMQ_URL } from '../testing/index.ts';
import {
  BACKOFF_MS,
  brokerContract,
  event,
  MAX_ATTEMPTS,
  recorder,
  settle,
  silent,
  stalledConsumer,
  unique,
  until,
} from './broker-contract.ts';
import { RabbitMqBroker } from './rabbitmq-broker.ts';

const url = await brokerOrSkip(RABBITMQ_URL);
const run = promisify(execFile);
// Closing a connection from the server side needs rabbitmqctl (root, on the broker's machine).
const rabbitmqctl = await run('rabbitmqctl', ['-q', 'list_connections', 'pid']).then(
  () => true,
  () => false,
);
const namespace = `test-${randomUUID().slice(0, 8)}`;
const consumers: string[] = [];

function open(log: Logger = silent): Promise<RabbitMqBroker> {
  return RabbitMqBroker.connect(url!, { log, namespace, maxAttempts: MAX_ATTEMPTS, backoffMs: BACKOFF_MS });
}

function consumer(name: string): string {
  consumers.push(unique(name));
  return consumers.at(-1)!;
}

describe.skipIf(!url)('RabbitMqBroker', () => {
  afterAll(async () => {
    const connection = await amqp.connect(url!);
    const channel = await connection.createChannel();
    for (const name of consumers) {
      await channel.deleteQueue(`${namespace}.${name}`);
      await channel.deleteQueue(`${namespace}.${name}.dead`);
    }
    await channel.deleteExchange(`${namespace}.events`);
    await channel.deleteExchange(`${namespace}.dead`);
    await connection.close();
  });

  brokerContract({ open, consumer });

  it("counts what waits in a stopped consumer's queue past its prefetch (32), and 0 once it has drained", async () => {
    const broker = await open();
    const name = consumer('stalled');
    await stalledConsumer(broker, name, 40, () => [{ queue: `${namespace}.${name}`, ready: 8 }]);
    expect(await broker.queueDepths(unique('nobody'))).toEqual([]);
    await broker.close();
  });

  it("logs an event nobody consumes in the event's trace, with the request id it carries", async () => {
    await createTracing('rabbitmq-test'); // the context manager and propagator every service installs
    const lines: Record<string, unknown>[] = [];
    const broker = await open(
      createLogger('test', { level: 'debug', sink: { write: (l) => lines.push(JSON.parse(l)) } }),
    );
    const unrouted = {
      ...event(unique('unrouted')),
      traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`,
      requestid: 'req-1',
    };
    await broker.publish(unrouted);
    await until(() => lines.some((l) => l.eventId === unrouted.id));
    expect(lines.find((l) => l.eventId === unrouted.id)).toMatchObject({
      msg: 'event has no consumer',
      traceId: 'c'.repeat(32),
      spanId: 'd'.repeat(16),
      requestId: 'req-1',
    });
    await broker.close();
  });

  it.skipIf(!rabbitmqctl)(
    'after the server closes its connection, rejects publish without waiting to reconnect, then reconnects and resumes',
    async () => {
      let broker: RabbitMqBroker | undefined;
      let reconnected = false;
      let duringOutage: Promise<{ code?: string; state: boolean }> | undefined;
      // Publish from inside the 'connection lost' log line, the moment the adapter knows it is disconnected, and
      // note when it has connected again.
      const write = (line: string) => {
        if (line.includes('connection lost'))
          duringOutage = settle(
            () => broker!.publish(event('any')),
            () => reconnected,
          );
        else if (duringOutage && line.includes('rabbitmq connected')) reconnected = true;
      };
      broker = await open(pino({ level: 'info' }, { write }));
      const type = unique('resume');
      const { seen, handler } = recorder();
      await broker.subscribe(consumer('resume'), [type], handler);
      await broker.publish(event(type));
      await until(() => seen.length === 1);

      await closeConnectionsNamed(namespace);
      await until(() => duringOutage !== undefined);
      // It failed without waiting for the connection to come back: it settled before the adapter reconnected.
      expect(await duringOutage!).toEqual({ code: 'BROKER_UNAVAILABLE', state: false });

      // As the outbox does: retry until the reconnected broker takes it, then the re-attached consumer gets it.
      const after = event(type);
      await until(() =>
        broker!.publish(after).then(
          () => true,
          () => false,
        ),
      );
      await until(() => seen.some((e) => e.id === after.id));
      expect(reconnected).toBe(true);
      await broker.close();
    },
  );
});

async function closeConnectionsNamed(prefix: string): Promise<void> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    '--no-table-headers',
    'list_connections',
    'pid',
    'client_properties',
  ]);
  const ours = stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${prefix}`))
    .map((line) => line.split('\t')[0]);
  expect(ours.length).toBeGreaterThan(0);
  for (const pid of ours) await run('rabbitmqctl', ['-q', 'close_connection', pid, 'test: forced close']);
}
