// The order-history read model through its real consumer path: order summaries delivered late, twice, out of order,
// or replayed from the dead letters long after, never take a customer's entry back to older news.
import { envelope, InProcessBroker } from '@bazaar/kit/messaging';
import type { OrderStatus, OrderSummary } from '@bazaar/orders/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from './main.ts';

const key = 'test-key';
const broker = new InProcessBroker({ maxAttempts: 2, backoffMs: 5 });
let svc: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  svc = await start({ broker, internalKey: key, dataRoot: 'memory://', logLevel: 'silent' }, { port: 0 });
});
afterAll(() => svc.stop());

const placedAt = '2026-03-01T10:00:00.000Z';
const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** The summary orders announces at each version of one order: placed unpriced, priced once confirmed, then shipped. */
function summary(orderId: string, userId: string, status: OrderStatus, version: number): OrderSummary {
  return {
    orderId,
    userId,
    status,
    total: { amount: version === 0 ? 25_000 : 225_000, currency: 'PKR' },
    itemCount: 2,
    ...(version >= 3 ? { trackingNumber: 'TCS000000000001' } : {}),
    placedAt,
    updatedAt: at(version),
    ...(version === 0 ? {} : { version }),
  };
}
const news = (s: OrderSummary) =>
  envelope('orders', { type: s.version ? 'OrderStatusChanged' : 'OrderPlaced', subject: s.orderId, data: s });

async function historyOf(userId: string) {
  const res = await svc.app.inject({
    url: '/api/users/me/orders',
    headers: { 'x-internal-key': key, 'x-user-id': userId, 'x-user-role': 'customer' },
  });
  expect(res.statusCode).toBe(200);
  return res.json().items;
}
const delivered = (orderId: string) => ({
  orderId,
  status: 'DELIVERED',
  total: { amount: 225_000, currency: 'PKR' },
  itemCount: 2,
  trackingNumber: 'TCS000000000001',
  placedAt,
  updatedAt: at(5),
});

describe("a customer's order history", () => {
  it('shows the newest news whatever order the events come in, and redeliveries change nothing', async () => {
    const [orderId, userId] = ['ord_shuffled', 'usr_shuffled'];
    const [placed, confirmed, created, shipped, done] = [
      summary(orderId, userId, 'PENDING', 0),
      summary(orderId, userId, 'CONFIRMED', 2),
      summary(orderId, userId, 'CONFIRMED', 3),
      summary(orderId, userId, 'SHIPPED', 4),
      summary(orderId, userId, 'DELIVERED', 5),
    ].map(news);
    await broker.publish(done);
    for (const late of [confirmed, shipped, placed, created, confirmed, done, shipped]) await broker.publish(late);
    expect(await historyOf(userId)).toEqual([delivered(orderId)]);
  });

  it('keeps the tracking number that came with a newer summary when an older one without it arrives', async () => {
    const [orderId, userId] = ['ord_tracked', 'usr_tracked'];
    await broker.publish(news(summary(orderId, userId, 'SHIPPED', 4)));
    await broker.publish(news(summary(orderId, userId, 'CONFIRMED', 2)));
    expect(await historyOf(userId)).toEqual([
      { ...delivered(orderId), status: 'SHIPPED', updatedAt: at(4), trackingNumber: 'TCS000000000001' },
    ]);
  });

  it('a dead letter replayed after newer news came in leaves the entry at the newer news', async () => {
    const [orderId, userId] = ['ord_replayed', 'usr_replayed'];
    await broker.publish(news(summary(orderId, userId, 'PENDING', 0)));
    // The read model is away while CONFIRMED comes: its delivery fails every attempt and is dead-lettered.
    const confirmed = news(summary(orderId, userId, 'CONFIRMED', 2));
    await svc.db.query('ALTER TABLE order_history RENAME TO order_history_away');
    await broker
      .publish(confirmed)
      .finally(() => svc.db.query('ALTER TABLE order_history_away RENAME TO order_history'));
    expect((await broker.deadLetters()).map((d) => d.event.id)).toContain(confirmed.id);
    await broker.publish(news(summary(orderId, userId, 'DELIVERED', 5)));
    const replayed = await svc.app.inject({
      method: 'POST',
      url: '/internal/ops/dead-letters/replay',
      headers: { 'x-internal-key': key },
      payload: { consumer: 'users', eventId: confirmed.id },
    });
    expect(replayed.json()).toEqual({ replayed: true });
    expect(await historyOf(userId)).toEqual([delivered(orderId)]);
  });
});
