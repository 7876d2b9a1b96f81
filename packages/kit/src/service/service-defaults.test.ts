import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope } from '../messaging/envelope.ts';
import { InProcessBroker } from '../messaging/in-process-broker.ts';
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
async function scrape(): Promise<Map<string, number>> {
  const text = await kit.registry.metrics();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    const labels = (m?.[2] ?? '').split(',').filter((l) => l && l !== 'service="probe"');
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

describe('consume', () => {
  it('turns away the events its filter declines without an inbox transaction, and counts every delivery', async () => {
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
    expect(sample(samples, 'events_consumed_total{type="Unwanted",outcome="handled"}')).toBe(1);
    expect(sample(samples, 'event_consumer_lag_seconds_count{type="Unwanted"}')).toBe(1);
  });
});
