import { randomUUID } from 'node:crypto';
import { InProcessBroker } from '@bazaar/kit/messaging';
import { serviceDefaults } from '@bazaar/kit/service';
import { SpanStore } from '@bazaar/kit/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { shipmentsRepo } from '../data/shipments-repo.ts';
import { migrations } from '../main.ts';
import { startCourierSimulator } from './courier-simulator.ts';

const spans = new SpanStore();
const kit = await serviceDefaults(
  'shipping',
  { broker: new InProcessBroker(), internalKey: 'k', dataRoot: 'memory://', logLevel: 'silent', spanStore: spans },
  { migrations },
);
afterAll(() => kit.stop());

const STEP_MS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the courier simulator', () => {
  it('runs each step under a root span of its own that its event carries, and an idle pass makes none', async () => {
    const orderId = randomUUID();
    const at = new Date(Date.now() - 10 * STEP_MS).toISOString();
    await kit.db.transaction((tx) =>
      shipmentsRepo.insert(tx, {
        orderId,
        userId: 'usr_ayesha',
        trackingNumber: `TCS${Date.now()}`,
        courier: 'TCS',
        city: 'Karachi',
        address: 'House 12, Block 7, Clifton',
        phone: '03001234567',
        at,
      }),
    );
    const courier = startCourierSimulator({ db: kit.db, log: kit.log, stepMs: STEP_MS, tracer: kit.tracer });
    const events = async () =>
      (await kit.db.query<{ envelope: { traceparent?: string } }>('SELECT envelope FROM outbox ORDER BY seq')).map(
        (r) => r.envelope,
      );
    for (let i = 0; i < 100 && (await events()).length < 4; i++) await sleep(STEP_MS);
    await sleep(10 * STEP_MS); // passes that find nothing due
    await courier.stop();

    const written = await events();
    expect(written).toHaveLength(4); // PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED
    const roots = spans.recentTraces(1000).map((t) => t.root);
    expect(roots.map((s) => s.name)).toEqual(Array(4).fill('courier step'));
    for (const event of written) {
      const [, traceId, spanId] = event.traceparent?.split('-') ?? [];
      expect(spans.trace(traceId)).toMatchObject([{ name: 'courier step', spanId, service: 'shipping' }]);
    }
  });
});
