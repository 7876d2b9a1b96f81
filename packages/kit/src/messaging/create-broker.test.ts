import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';
import { brokerOrSkip, NATS_URL, RABBITMQ_URL } from '../testing/index.ts';
import { silent } from './broker-contract.ts';
import { createBroker } from './create-broker.ts';

const [rabbitmq, nats] = await Promise.all([brokerOrSkip(RABBITMQ_URL), brokerOrSkip(NATS_URL)]);
const namespace = `test-${randomUUID().slice(0, 8)}`;

describe('createBroker', () => {
  it.each([undefined, '', 'memory://'])('gives the in-process broker for %j', async (url) => {
    const broker = await createBroker(url, silent);
    expect(broker.kind).toBe('in-process');
    await broker.close();
  });

  it('refuses an unknown scheme without echoing the password', async () => {
    const failure = createBroker('kafka://user:s3cret@localhost:9092', silent);
    await expect(failure).rejects.toThrow(/unknown scheme/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it.skipIf(!rabbitmq)('connects to RabbitMQ for amqp://', async () => {
    const broker = await createBroker(rabbitmq, silent, { namespace });
    expect(broker.kind).toBe('rabbitmq');
    await broker.close();
    const connection = await amqp.connect(rabbitmq!);
    const channel = await connection.createChannel();
    for (const exchange of ['events', 'dead']) await channel.deleteExchange(`${namespace}.${exchange}`);
    await connection.close();
  });

  it.skipIf(!nats)('connects to NATS JetStream for nats://', async () => {
    const broker = await createBroker(nats, silent, { namespace });
    expect(broker.kind).toBe('nats');
    await broker.close();
    const nc = await connect({ servers: nats! });
    const jsm = await nc.jetstreamManager();
    for (const stream of ['EVENTS', 'DEAD']) await jsm.streams.delete(`${namespace.toUpperCase()}_${stream}`);
    await nc.close();
  });
});
