// The broker cut off under a steady order load: orders keep being placed (their events wait in the outbox), and
// once the broker is back the relays catch up: every confirmed order gets its shipment, nothing is lost.
import { brokerOrSkip, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { type FaultProxy, faultProxy } from '../support/fault-proxy.ts';
import { ADMIN } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';
import { startCluster } from '../support/targets.ts';

const postgres = await postgresOrSkip();
const rabbit = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;

let proxy: FaultProxy | undefined;
let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
afterAll(async () => {
  proxy?.restore();
  await cluster?.stop();
  await proxy?.close();
}, 60_000);

describe.runIf(rabbit)('a broker outage under load (cluster mode over RabbitMQ)', () => {
  it('loses no event: the outbox holds them and the relays catch up', async () => {
    const broker = new URL(rabbit!);
    proxy = await faultProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    broker.port = String(proxy.port);
    cluster = await startCluster(postgres!, broker.toString(), { COURIER_STEP_MS: '500' });

    const admin = new Shopper(cluster.gatewayUrl);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const sku = 'OUTAGE-1';
    await admin.call('POST', '/api/inventory', {
      sku,
      name: 'Plenty',
      price: { amount: 50000, currency: 'PKR' },
      quantity: 100_000,
    });
    const shoppers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const s = new Shopper(cluster!.gatewayUrl);
        await s.signUp();
        return s;
      }),
    );
    const statuses: number[] = [];
    const until = Date.now() + 14_000;
    const load = shoppers.map(async (s, i) => {
      for (let n = 0; Date.now() < until; n++) {
        const payment = n % 2 ? { method: 'cod' } : { method: 'jazzcash', wallet: '03001234567' };
        const res = await s.order([{ sku, quantity: 1 }], payment, { 'idempotency-key': `outage-${i}-${n}` });
        statuses.push(res.status);
      }
    });
    await new Promise((r) => setTimeout(r, 3000));
    proxy.cut();
    console.log('broker cut');
    await new Promise((r) => setTimeout(r, 8000));
    proxy.restore();
    console.log('broker back');
    await Promise.all(load);

    expect(statuses.length).toBeGreaterThan(20);
    const counts: Record<number, number> = {};
    for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
    console.log('answers', counts);
    expect(statuses.filter((s) => s !== 201 && s !== 202)).toEqual([]);
    const checks = await verifyPlatform(cluster.gatewayUrl, 60_000, ADMIN);
    for (const c of checks)
      console.log(
        `${c.ok ? '✓' : '✗'} ${c.name}${c.problems.length ? `\n    ${c.problems.slice(0, 10).join('\n    ')}` : ''}`,
      );
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    // The users service's read model caught up too: every order is in its owner's history, in its final state.
    for (const s of shoppers) {
      // Shipments keep moving after the load stops: compare once every order is delivered.
      type Row = { id?: string; orderId?: string; status: string };
      let orders: Row[] = [];
      let history: Row[] = [];
      for (let i = 0; i < 300; i++) {
        orders = (await s.call('GET', '/api/orders?limit=100')).body.items;
        history = (await s.call('GET', '/api/users/me/orders?limit=100')).body.items;
        const settled = orders.every((o) => o.status === 'DELIVERED');
        if (settled && orders.every((o) => history.some((h) => h.orderId === o.id && h.status === o.status))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const o of orders) expect(history.find((h) => h.orderId === o.id)?.status, o.id).toBe(o.status);
    }
  }, 180_000);
});
