// Outbox backlog and age, events relayed, queue depths and dead letters: read when Prometheus scrapes, so nothing polls
// meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Broker } from '../messaging/broker.ts';
import type { Envelope } from '../messaging/envelope.ts';
import type { OutboxRelay } from '../messaging/outbox-relay.ts';

/** The longest a scrape waits for the broker: an outage must not hold /metrics past Prometheus's scrape timeout. */
export const BROKER_READ_TIMEOUT_MS = 2000;

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
  let counted = 0;
  new Counter({
    name: 'outbox_published_events_total',
    help: 'Events this process has relayed to the broker since it started',
    registers,
    collect() {
      this.inc(relay.stats.published - counted);
      counted = relay.stats.published;
    },
  });
  new Gauge({
    name: 'broker_dead_letters',
    help: 'Events that exhausted their delivery attempts and wait in the dead-letter queue',
    labelNames: ['consumer'],
    registers,
    async collect() {
      this.reset();
      for (const [consumer, count] of (await fromBroker(() => broker.deadLetterCounts([service]))) ?? [])
        this.set({ consumer }, count);
    },
  });
  new Gauge({
    name: 'broker_queue_messages',
    help: 'Events in each queue this service consumes, as the broker counts them, by state: ready (waiting to be delivered), unacked (delivered, not yet settled)',
    labelNames: ['consumer', 'queue', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const { queue, ready, unacked } of (await fromBroker(() => broker.queueDepths(service))) ?? []) {
        this.set({ consumer: service, queue, state: 'ready' }, ready);
        if (unacked !== undefined) this.set({ consumer: service, queue, state: 'unacked' }, unacked);
      }
    },
  });
}

/**
 * fromBroker is what a read of the broker gives, or undefined when it fails or outlasts BROKER_READ_TIMEOUT_MS: the
 * gauge then has no sample, so Prometheus marks its series stale instead of showing a count it could not read.
 */
async function fromBroker<T>(read: () => Promise<T>): Promise<T | undefined> {
  const done = new AbortController();
  const late = sleep(BROKER_READ_TIMEOUT_MS, undefined, { signal: done.signal }).catch(() => undefined);
  try {
    return await Promise.race([
      Promise.resolve()
        .then(read)
        .catch(() => undefined),
      late,
    ]);
  } finally {
    done.abort();
  }
}

/** What became of a delivery: handled, turned away by the consumer's `accept`, or failed (to be retried). */
export type ConsumeOutcome = 'handled' | 'declined' | 'failed';

/** Consumer lag (event time to handling done) and outcomes, per event type. */
export function consumerMetrics(registry: Registry) {
  const lag = new Histogram({
    name: 'event_consumer_lag_seconds',
    help: 'From an event being written to this consumer having handled it',
    labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'events_consumed_total',
    help: 'Deliveries to this consumer, by type and outcome (handled, declined by its filter, failed and to be retried)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  return {
    start(event: Envelope) {
      return (outcome: ConsumeOutcome) => {
        outcomes.inc({ type: event.type, outcome });
        // A declined delivery is done with too: its lag counts.
        if (outcome !== 'failed')
          lag.observe({ type: event.type }, Math.max(0, Date.now() - Date.parse(event.time)) / 1000);
      };
    },
  };
}
