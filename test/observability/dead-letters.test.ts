// The dead-letter queue through the admin API: a consumer that keeps failing an event parks it there (never drops
// it), GET /api/ops/messaging shows it with its error, and POST /api/ops/dead-letters/replay puts it back on the
// consumer's queue: handled once the consumer is fixed, parked again while it still fails.
import { randomUUID } from 'node:crypto';
import type { Envelope } from '@bazaar/kit/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';

type Letter = { service: string; consumer: string; eventId: string; type: string; error: string; attempts: number };

let platform: Embedded;
let admin: Shopper;

const event = (type: string, data: unknown): Envelope => ({
  specversion: '1.0',
  id: randomUUID(),
  source: 'dead-letter-test',
  type,
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  data,
});

async function letters(): Promise<{ deadLetters: Letter[]; services: { service: string; deadLetters: number }[] }> {
  const res = await admin.call('GET', '/api/ops/messaging');
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  admin = new Shopper(platform.gatewayUrl);
  await admin.logIn(ADMIN.email, ADMIN.password);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

describe('the dead-letter queue in the operations API', () => {
  it('a poisoned OrderConfirmed is parked for shipping with its error, and a replay that still fails parks it again', async () => {
    const poison = event('OrderConfirmed', { orderId: 'ord_poison' });
    // The in-process broker resolves once every consumer has handled the event or given up on it.
    await platform.platform.broker.publish(poison);

    const before = await letters();
    const parked = before.deadLetters.find((d) => d.eventId === poison.id && d.consumer === 'shipping');
    expect(parked).toMatchObject({ service: 'shipping', type: 'OrderConfirmed', attempts: 5 });
    expect(parked!.error.length).toBeGreaterThan(0);
    expect(before.services.find((s) => s.service === 'shipping')!.deadLetters).toBeGreaterThanOrEqual(1);
    // Prometheus sees it too.
    const metrics = await fetch(`${platform.urls.shipping}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/broker_dead_letters\{consumer="shipping",service="shipping"\} 1/);

    const replay = await admin.call('POST', '/api/ops/dead-letters/replay', {
      service: 'shipping',
      consumer: 'shipping',
      eventId: poison.id,
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ replayed: true, service: 'shipping', consumer: 'shipping', eventId: poison.id });
    const after = await letters();
    expect(after.deadLetters.filter((d) => d.eventId === poison.id && d.consumer === 'shipping')).toHaveLength(1);
  });

  it('a replay after the consumer is fixed is handled once, and the letter leaves the queue', async () => {
    let fixed = false;
    const handled: string[] = [];
    await platform.platform.broker.subscribe('users.replay-probe', ['ReplayProbe'], async (e) => {
      if (!fixed) throw new Error('ReplayProbe is not understood yet');
      handled.push(e.id);
    });
    const probe = event('ReplayProbe', { n: 1 });
    await platform.platform.broker.publish(probe);
    expect((await letters()).deadLetters.find((d) => d.eventId === probe.id)).toMatchObject({
      service: 'users',
      consumer: 'users.replay-probe',
      error: 'Error: ReplayProbe is not understood yet',
    });

    fixed = true;
    const replay = await admin.call('POST', '/api/ops/dead-letters/replay', {
      service: 'users',
      consumer: 'users.replay-probe',
      eventId: probe.id,
    });
    expect(replay.status).toBe(200);
    expect(handled).toEqual([probe.id]);
    expect((await letters()).deadLetters.find((d) => d.eventId === probe.id)).toBeUndefined();

    const again = await admin.call('POST', '/api/ops/dead-letters/replay', {
      service: 'users',
      consumer: 'users.replay-probe',
      eventId: probe.id,
    });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('NOT_FOUND');
  });

  it('refuses a consumer of another service, unknown fields, and anyone but an admin', async () => {
    const body = { service: 'users', consumer: 'shipping', eventId: randomUUID() };
    const wrong = await admin.call('POST', '/api/ops/dead-letters/replay', body);
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('VALIDATION_FAILED');
    expect(wrong.body.errors).toEqual([{ path: 'consumer', message: 'is not a consumer of users' }]);

    const extra = await admin.call('POST', '/api/ops/dead-letters/replay', { ...body, consumer: 'users', force: true });
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([{ path: 'force', message: 'is not an allowed field' }]);

    const customer = new Shopper(platform.gatewayUrl);
    await customer.signUp();
    expect((await customer.call('POST', '/api/ops/dead-letters/replay', body)).status).toBe(403);
    expect((await customer.call('GET', '/api/ops/messaging')).status).toBe(403);
    expect((await new Shopper(platform.gatewayUrl).call('GET', '/api/ops/messaging')).status).toBe(401);
  });
});
