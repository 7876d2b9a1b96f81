import { describe, expect, it } from 'vitest';
import { orderOfEvent, traceOfEvent } from './dead-letters.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceOfEvent', () => {
  it('reads the trace id from a W3C traceparent', () => {
    expect(traceOfEvent({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` })).toBe(TRACE);
  });
  it('answers undefined for no traceparent, a mangled one or the all-zero id', () => {
    expect(traceOfEvent({})).toBeUndefined();
    expect(traceOfEvent({ traceparent: 'not-a-traceparent' })).toBeUndefined();
    expect(traceOfEvent({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
  });
});

describe('orderOfEvent', () => {
  it('reads the order id from the event’s data', () => {
    expect(orderOfEvent({ data: { orderId: 'ord_1', total: 1 } })).toBe('ord_1');
  });
  it('answers undefined when the data names no order', () => {
    expect(orderOfEvent({ data: { sku: 'TEA-001' } })).toBeUndefined();
    expect(orderOfEvent({ data: 'text' })).toBeUndefined();
    expect(orderOfEvent({})).toBeUndefined();
  });
});
