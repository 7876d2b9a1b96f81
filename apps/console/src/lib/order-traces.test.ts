import { describe, expect, it } from 'vitest';
import { ordersOfTrace, tracesOfOrder } from './order-traces.ts';

describe('tracesOfOrder', () => {
  it('groups an order’s lines by trace, oldest first, with each trace’s services and messages once', () => {
    const traces = tracesOfOrder([
      { time: '2026-12-07T00:00:05.000Z', traceId: 'b', service: 'orders', msg: 'order cancelled' },
      { time: '2026-12-07T00:00:01.000Z', traceId: 'a', service: 'orders', msg: 'order placed' },
      { time: '2026-12-07T00:00:01.200Z', traceId: 'a', service: 'payments', msg: 'payment authorised' },
      { time: '2026-12-07T00:00:01.300Z', traceId: 'a', service: 'orders', msg: 'order confirmed' },
      { time: '2026-12-07T00:00:01.100Z', traceId: 'a', service: 'orders', msg: 'order placed' },
      { time: '2026-12-07T00:00:02.000Z', service: 'orders', msg: 'saga compensated' },
    ]);
    expect(traces).toEqual([
      {
        traceId: 'a',
        startedAt: '2026-12-07T00:00:01.000Z',
        services: ['orders', 'payments'],
        messages: ['order placed', 'payment authorised', 'order confirmed'],
      },
      { traceId: 'b', startedAt: '2026-12-07T00:00:05.000Z', services: ['orders'], messages: ['order cancelled'] },
    ]);
  });
});

describe('ordersOfTrace', () => {
  it('names each order a trace’s lines carry once, in the order first named, and skips lines without one', () => {
    expect(
      ordersOfTrace([
        { msg: 'request', method: 'POST' },
        { msg: 'order placed', orderId: 'ord_b' },
        { msg: 'payment declined', orderId: 'ord_b' },
        { msg: 'stock reserved', orderId: 'ord_a' },
        { msg: 'odd line', orderId: 42 },
      ]),
    ).toEqual(['ord_b', 'ord_a']);
  });
});
