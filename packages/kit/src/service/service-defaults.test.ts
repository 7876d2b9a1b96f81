import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope } from '../messaging/envelope.ts';
import { InProcessBroker } from '../messaging/in-process-broker.ts';
import { enqueueAll } from '../messaging/outbox.ts';
import { BROKER_READ_TIMEOUT_MS } from './messaging-metrics.ts';
import { type ServiceKit, serviceDefaults } from './service-defaults.ts';

const migrations = mkdtempSync(join(tmpdir(), 'kit-migrations-'));
const broker = new InProcessBroker({ maxAttempts: 1 });
let kit: ServiceKit;

beforeAll(async () => {
  kit = await serviceDefaults(
    'probe',
    { broker, internalKey: 'k', dataRoot: 'memory://', logLevel: 'silent' },
    { migrations: pathToFileURL(`${migrations}/`) },
  );
});
afterAll(async () => {
  await kit.stop();
  rmSync(migrations, { recursive: true, force: true });
});

/** One sample of the scrape: `name{labels} value` lines of this service as a map. */
async function scrape(of = kit): Promise<Map<string, number>> {
  const text = await of.registry.metrics();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    const labels = (m?.[2] ?? '').split(',').filter((l) => l && l !== `service="${of.name}"`);
    if (m) samples.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return samples;
}

const sample = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;
const inboxRows = async () => (await kit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox'))[0].n;

describe('the database pool gauge', () => {
  it('shows no caller waiting and the connection idle at rest, however often it is scraped', async () => {
    for (let i = 0; i < 3; i++) {
      const samples = await scrape();
      expect(sample(samples, 'db_pool_connections{state="waiting"}')).toBe(0);
      expect(sample(samples, 'db_pool_connections{state="idle"}')).toBe(1);
      // The outbox gauges did query the database in the same scrape.
      expect(samples.has('outbox_backlog_events{}')).toBe(true);
    }
  });
});

describe('the queue gauges', () => {
  it('show the events a stopped consumer of the service holds, and 0 once it has drained', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    await broker.subscribe('probe', ['Stalled'], () => gate);
    const published = Promise.all([1, 2, 3].map(() => broker.publish(envelope('test', { type: 'Stalled', data: {} }))));
    const key = 'broker_queue_messages{consumer="probe",queue="probe",state="unacked"}';
    expect(sample(await scrape(), key)).toBe(3);
    open();
    await published;
    const samples = await scrape();
    expect(samples.get(key)).toBe(0);
    expect(samples.get('broker_queue_messages{consumer="probe",queue="probe",state="ready"}')).toBe(0);
  });

  it('leave out what a broker that fails or does not answer cannot tell, and the scrape does not wait for it', async () => {
    const unreachable = Object.create(new InProcessBroker(), {
      queueDepths: { value: () => new Promise(() => {}) },
      deadLetterCounts: { value: () => Promise.reject(new Error('connection refused')) },
    });
    const cut = await serviceDefaults(
      'cut',
      { broker: unreachable, internalKey: 'k', dataRoot: 'memory://', logLevel: 'silent' },
      { migrations: pathToFileURL(`${migrations}/`) },
    );
    try {
      const started = performance.now();
      const samples = await scrape(cut);
      expect(performance.now() - started).toBeLessThan(BROKER_READ_TIMEOUT_MS + 1000);
      expect([...samples.keys()].filter((k) => k.startsWith('broker_'))).toEqual([]);
      expect(samples.has('outbox_backlog_events{}')).toBe(true);
    } finally {
      await cut.stop();
    }
  });
});

describe('consume', () => {
  it('turns away the events its filter declines without an inbox transaction, and counts them as declined', async () => {
    const applied: string[] = [];
    const committed: string[] = [];
    await kit.consume(
      ['Wanted', 'Unwanted'],
      async (_tx, event) => {
        applied.push(event.type);
        return event.id;
      },
      { accept: (event) => event.type === 'Wanted', afterCommit: (id) => committed.push(id) },
    );
    const wanted = envelope('test', { type: 'Wanted', data: {} });
    await broker.publish(wanted);
    await broker.publish(envelope('test', { type: 'Unwanted', data: {} }));
    // A redelivery is absorbed by the inbox: no second effect, no second afterCommit.
    await broker.publish(wanted);

    expect(applied).toEqual(['Wanted']);
    expect(committed).toEqual([wanted.id]);
    expect(await inboxRows()).toBe(1);
    const samples = await scrape();
    expect(sample(samples, 'events_consumed_total{type="Wanted",outcome="handled"}')).toBe(2);
    expect(sample(samples, 'events_consumed_total{type="Unwanted",outcome="declined"}')).toBe(1);
    expect(sample(samples, 'events_consumed_total{type="Unwanted",outcome="handled"}')).toBe(0);
    expect(sample(samples, 'event_consumer_lag_seconds_count{type="Unwanted"}')).toBe(1);
  });
});

describe('a started service', () => {
  const lines: { msg: string; [field: string]: unknown }[] = [];
  let started: ServiceKit;
  let url: string;
  beforeAll(async () => {
    started = await serviceDefaults(
      'listener',
      {
        broker: new InProcessBroker(),
        internalKey: 'k',
        dataRoot: 'memory://',
        logSink: { write: (l) => void lines.push(JSON.parse(l)) },
      },
      { migrations: pathToFileURL(`${migrations}/`) },
    );
    url = await started.listen(0);
  });
  afterAll(() => started?.stop());

  it('logs one "service listening" line with the address in a field, and not Fastify\'s own', () => {
    expect(lines.filter((l) => l.msg === 'service listening')).toEqual([expect.objectContaining({ address: url })]);
    expect(lines.filter((l) => /Server listening at|http:\/\//.test(l.msg))).toEqual([]);
  });

  it('counts the events its outbox published in a counter that each scrape reads without adding twice', async () => {
    await started.db.transaction((tx) =>
      enqueueAll(tx, 'test', [
        { type: 'A', data: {} },
        { type: 'B', data: {} },
      ]),
    );
    await expect.poll(() => started.relay.stats.published).toBe(2);
    expect(await started.registry.metrics()).toContain('# TYPE outbox_published_events_total counter');
    for (let i = 0; i < 2; i++) expect(sample(await scrape(started), 'outbox_published_events_total{}')).toBe(2);
  });
});
