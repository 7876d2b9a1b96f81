import type { Db } from '@bazaar/kit/database';
import { createLogger } from '@bazaar/kit/telemetry';
import { describe, expect, it } from 'vitest';
import { HISTORY_CHANNEL, historySignal } from './history-signal.ts';

/** A database that records the NOTIFYs sent through it. */
function recordingDb() {
  const sent: string[] = [];
  const db = {
    query: async (sql: string, params: unknown[]) => {
      expect(sql).toBe('SELECT pg_notify($1, $2)');
      expect(params[0]).toBe(HISTORY_CHANNEL);
      sent.push(params[1] as string);
      return [];
    },
  } as unknown as Db;
  return { db, sent };
}
const log = createLogger('orders', { level: 'silent' });
const settle = () => new Promise((r) => setTimeout(r, 150));

describe('the order change signal between replicas', () => {
  it('sends the orders changed within a short batch as one NOTIFY, each once', async () => {
    const { db, sent } = recordingDb();
    const signal = historySignal(db, log);
    for (const id of ['ord_a', 'ord_b', 'ord_a', 'ord_c']) signal.changed(id);
    await settle();
    expect(sent).toHaveLength(1);
    const other = historySignal(recordingDb().db, log);
    expect(other.heard(sent[0]!)).toEqual(['ord_a', 'ord_b', 'ord_c']);
    await Promise.all([signal.stop(), other.stop()]);
  });

  it('ignores what its own process sent: those streams were woken at the commit', async () => {
    const { db, sent } = recordingDb();
    const signal = historySignal(db, log);
    signal.changed('ord_a');
    await settle();
    expect(signal.heard(sent[0]!)).toEqual([]);
    await signal.stop();
  });

  it('splits a batch too long for one payload, every one under PostgreSQL’s 8,000 bytes', async () => {
    const { db, sent } = recordingDb();
    const signal = historySignal(db, log);
    const ids = Array.from({ length: 400 }, (_, i) => `ord_${String(i).padStart(36, '0')}`);
    for (const id of ids) signal.changed(id);
    await settle();
    expect(sent.length).toBeGreaterThan(1);
    for (const payload of sent) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const other = historySignal(recordingDb().db, log);
    expect(sent.flatMap((p) => other.heard(p))).toEqual(ids);
    await other.stop();
  });

  it('sends what is pending when stopped, rather than drop it', async () => {
    const { db, sent } = recordingDb();
    const signal = historySignal(db, log);
    signal.changed('ord_a');
    await signal.stop();
    expect(sent).toHaveLength(1);
  });
});
