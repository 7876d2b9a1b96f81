// Tests that need a real RabbitMQ or NATS: on a laptop without one they skip with the reason; on CI it must be there.
import amqp from 'amqplib';
import { connect } from 'nats';

export const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Resolves to the URL once the broker answers (NATS: with JetStream on), or to undefined after printing why. Throws on CI. */
export async function brokerOrSkip(url: string): Promise<string | undefined> {
  try {
    await ping(url);
    return url;
  } catch (err) {
    const reason = `the broker at ${new URL(url).host} is unusable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
    console.warn(`skipping: ${reason}`);
    return undefined;
  }
}

async function ping(url: string): Promise<void> {
  if (url.startsWith('nats:')) {
    const nc = await connect({ servers: url, timeout: 2000, maxReconnectAttempts: 0 });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
    } finally {
      await nc.close();
    }
    return;
  }
  const connection = await amqp.connect(url, { timeout: 2000 });
  await connection.close();
}
