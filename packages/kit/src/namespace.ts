// What a cluster run leaves on the shared servers, removed: its databases, and its queues and exchanges (RabbitMQ)
// or streams (NATS). `bazaar reset --cluster` drops a namespace (BAZAAR_NAMESPACE); cluster tests and the bench run
// under namespaces of their own and drop them when done.
import amqp from 'amqplib';
import { connect } from 'nats';
import pg from 'pg';
import { streamNames } from './messaging/nats-streams.ts';
import { Topology } from './messaging/rabbitmq-topology.ts';

/** dropNamespace removes the services' databases (<namespace>_<service>) and the namespace's broker names. */
export async function dropNamespace(
  namespace: string,
  servers: { postgresUrl: string; brokerUrl: string },
  services: readonly string[],
): Promise<void> {
  const admin = new pg.Client({ connectionString: servers.postgresUrl });
  await admin.connect();
  try {
    // Quoted as ensureDatabase creates them: unquoted, a mixed-case namespace would name another (lower-case) database.
    for (const s of services)
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(`${namespace}_${s}`)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await dropBrokerNamespace(servers.brokerUrl, namespace, services);
}

/** dropBrokerNamespace removes the namespace's exchanges and the consumers' queues (RabbitMQ), or its streams (NATS). */
export async function dropBrokerNamespace(
  brokerUrl: string,
  namespace: string,
  consumers: readonly string[],
): Promise<void> {
  if (brokerUrl.startsWith('amqp')) await dropRabbitTopology(brokerUrl, namespace, consumers);
  else await dropNatsStreams(brokerUrl, namespace);
}

async function dropRabbitTopology(url: string, namespace: string, consumers: readonly string[]): Promise<void> {
  const topology = new Topology(namespace);
  const connection = await amqp.connect(url);
  connection.on('error', () => {});
  // A channel closes on its first error (a queue that was never declared): one channel per deletion.
  const attempt = async (fn: (channel: amqp.Channel) => Promise<unknown>) => {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    await fn(channel).catch(() => {});
    await channel.close().catch(() => {});
  };
  try {
    for (const consumer of consumers) {
      await attempt((c) => c.deleteQueue(topology.queue(consumer)));
      await attempt((c) => c.deleteQueue(topology.deadQueue(consumer)));
    }
    await attempt((c) => c.deleteQueue(topology.dead));
    await attempt((c) => c.deleteExchange(topology.events));
    await attempt((c) => c.deleteExchange(topology.dead));
  } finally {
    await connection.close();
  }
}

async function dropNatsStreams(url: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: url.replace('nats://', '') });
  try {
    const jsm = await nc.jetstreamManager();
    const { events, dead } = streamNames(namespace);
    for (const name of [events, dead]) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}
