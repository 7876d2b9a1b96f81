// BROKER_URL picks the broker: none or memory:// is the embedded in-process one, amqp(s):// RabbitMQ, nats:// NATS.
import type { Logger } from 'pino';
import type { AdapterOptions } from './adapter-common.ts';
import type { Broker } from './broker.ts';
import { InProcessBroker } from './in-process-broker.ts';

/**
 * createBroker connects to the broker the URL names; an unreachable one fails here, at start-up. Each adapter (and its
 * client library) is loaded only when chosen, so embedded mode does not load amqplib and nats at every start.
 */
export async function createBroker(
  url: string | undefined,
  log: Logger,
  options: Omit<AdapterOptions, 'log'> = {},
): Promise<Broker> {
  const scheme = url ? new URL(url).protocol : 'memory:';
  switch (scheme) {
    case 'memory:':
      return new InProcessBroker({ maxAttempts: options.maxAttempts, backoffMs: options.backoffMs, log });
    case 'amqp:':
    case 'amqps:':
      return (await import('./rabbitmq-broker.ts')).RabbitMqBroker.connect(url!, { ...options, log });
    case 'nats:':
      return (await import('./nats-broker.ts')).NatsBroker.connect(url!, { ...options, log });
    default:
      throw new Error(`BROKER_URL ${redact(url!)} has an unknown scheme; use memory://, amqp://, amqps:// or nats://`);
  }
}

// The URL may carry a password; the error names only its scheme and host.
function redact(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}`;
}
