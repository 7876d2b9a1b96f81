// Outbox backlog and age, events relayed, and dead letters: read when Prometheus scrapes, so nothing polls meanwhile.
import { Gauge, type Registry } from 'prom-client';
import type { Broker } from '../messaging/broker.ts';
import type { OutboxRelay } from '../messaging/outbox.ts';

export function messagingMetrics(registry: Registry, service: string, relay: OutboxRelay, broker: Broker): void {
  const registers = [registry];
  new Gauge({
    name: 'outbox_backlog_events',
    help: 'Events written to the outbox and not yet published',
    registers,
    async collect() {
      this.set((await relay.backlog()).backlog);
    },
  });
  new Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox event',
    registers,
    async collect() {
      this.set((await relay.backlog()).oldestAgeMs / 1000);
    },
  });
  new Gauge({
    name: 'outbox_published_events',
    help: 'Events this process has relayed to the broker since it started',
    registers,
    collect() {
      this.set(relay.stats.published);
    },
  });
  new Gauge({
    name: 'broker_dead_letters',
    help: 'Events that exhausted their delivery attempts and wait in the dead-letter queue',
    labelNames: ['consumer'],
    registers,
    async collect() {
      this.reset();
      for (const d of await broker.deadLetters())
        if (d.consumer === service || d.consumer.startsWith(`${service}.`)) this.inc({ consumer: d.consumer });
    },
  });
}
