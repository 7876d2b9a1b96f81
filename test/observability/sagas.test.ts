// Saga figures, as Prometheus and the operations console see them: outcomes by kind (and rejection reason), step
// durations, and the orders by status and sagas by step that GET /api/ops/messaging reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';

let platform: Embedded;
let metrics: string;
let admin: Shopper;

beforeAll(async () => {
  // A slow courier: the confirmed order can still be cancelled before pick-up.
  platform = await startTestPlatform({ courierStepMs: 60_000 });
  const shopper = new Shopper(platform.gatewayUrl);
  await shopper.signUp();
  const kept = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'jazzcash', wallet: '03001234567' });
  expect(kept.body.status).toBe('CONFIRMED');
  const cancelled = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
    method: 'easypaisa',
    wallet: '03001234567',
  });
  expect((await shopper.call('POST', `/api/orders/${cancelled.body.id}/cancel`)).body.status).toBe('CANCELLED');
  const declined = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
    method: 'jazzcash',
    wallet: '03000000002',
  });
  expect(declined.status).toBe(402);
  metrics = await fetch(`${platform.urls.orders}/metrics`).then((r) => r.text());
  admin = new Shopper(platform.gatewayUrl);
  await admin.logIn(ADMIN.email, ADMIN.password);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

/** The sample of `name` whose labels include all of `labels` (in whatever order the exposition writes them). */
const value = (name: string, labels: Record<string, string>) => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf('}')).includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

describe('saga figures', () => {
  it('count each saga outcome once, a rejection with its reason', () => {
    expect(value('orders_saga_outcomes_total', { outcome: 'confirmed' })).toBe(2);
    expect(value('orders_saga_outcomes_total', { outcome: 'cancelled' })).toBe(1);
    expect(value('orders_saga_outcomes_total', { outcome: 'rejected', reason: 'PAYMENT_DECLINED' })).toBe(1);
  });

  it('time every step the sagas ran', () => {
    for (const step of ['RESERVE', 'AUTHORIZE', 'CONFIRM', 'COMPENSATE', 'CANCEL'])
      expect(value('orders_saga_step_duration_seconds_count', { step }) ?? 0, step).toBeGreaterThan(0);
  });

  it('show orders by status and sagas by step in the operations API', async () => {
    const res = await admin.call('GET', '/api/ops/messaging');
    expect(res.status).toBe(200);
    expect(res.body.sagas).toEqual({
      ordersByStatus: { CONFIRMED: 1, CANCELLED: 1, REJECTED: 1 },
      sagasByStep: { DONE: 3 },
      inFlight: 0,
      retryingCount: 0,
      retrying: [],
    });
  });
});
