import { describe, expect, it } from 'vitest';
import { ownTimes } from './latency.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, 0, ms)).toISOString();
const span = (
  spanId: string,
  parentSpanId: string | undefined,
  service: string,
  name: string,
  from: number,
  to: number,
) => ({
  spanId,
  parentSpanId,
  service,
  name,
  startTime: at(from),
  durationMs: to - from,
});
const PRODUCER = 3;
const CONSUMER = 4;

describe("a trace's own time by span", () => {
  it('is each span less what its children cover, inside the root, with overlapping children counted once', () => {
    const { rootMs, own } = ownTimes([
      span('root', undefined, 'gateway', 'POST /api/orders', 0, 100),
      span('call', 'root', 'gateway', 'POST orders', 5, 95),
      span('handler', 'call', 'orders', 'POST /orders', 10, 90),
      span('reserve', 'handler', 'orders', 'Reserve', 20, 40),
      span('authorize', 'handler', 'orders', 'Authorize', 30, 70),
      // After the answer: the saga's asynchronous tail does not count.
      span('shipment', 'handler', 'shipping', 'OrderConfirmed', 120, 150),
    ]);
    expect(rootMs).toBe(100);
    expect(Object.fromEntries(own)).toEqual({
      'gateway: POST /api/orders': 10,
      'gateway: POST orders': 10,
      'orders: POST /orders': 30,
      'orders: Reserve': 20,
      'orders: Authorize': 40,
    });
  });

  it("puts a transaction's wait for a connection apart from its work", () => {
    const { own } = ownTimes([
      span('root', undefined, 'gateway', 'POST /api/orders', 0, 100),
      { ...span('tx', 'root', 'orders', 'transaction', 10, 60), attributes: { 'db.client.connection.wait_ms': 30 } },
    ]);
    expect(own.get('orders: transaction, waiting for a connection')).toBe(30);
    expect(own.get('orders: transaction')).toBe(20);
  });

  it('clips a span that outlasts the answer to the answer', () => {
    const { own } = ownTimes([
      span('root', undefined, 'gateway', 'POST /api/orders', 0, 50),
      span('capture', 'root', 'payments', 'POST jazzcash', 40, 80),
    ]);
    expect(own.get('payments: POST jazzcash')).toBe(10);
    expect(own.get('gateway: POST /api/orders')).toBe(40);
  });

  it('leaves out an outbox publish and its consumers, which run beside the answer, not in its path', () => {
    const { own } = ownTimes([
      span('root', undefined, 'gateway', 'POST /api/orders', 0, 100),
      span('handler', 'root', 'orders', 'POST /orders', 10, 90),
      { ...span('publish', 'handler', 'orders', 'publish OrderPlaced', 20, 60), kind: PRODUCER },
      { ...span('consume', 'publish', 'users', 'consume OrderPlaced', 40, 55), kind: CONSUMER },
      span('history', 'consume', 'users', 'transaction', 45, 50),
      span('reserve', 'handler', 'orders', 'Reserve', 30, 50),
    ]);
    expect(Object.fromEntries(own)).toEqual({
      'gateway: POST /api/orders': 20,
      'orders: POST /orders': 60,
      'orders: Reserve': 20,
    });
  });
});
