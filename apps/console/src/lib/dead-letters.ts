// What a dead letter's event points at: the trace that wrote it (its W3C traceparent) and the order it is about.

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id in an event's traceparent, or undefined when it has none (an all-zero id is none). */
export function traceOfEvent(event: Record<string, unknown>): string | undefined {
  const match = typeof event.traceparent === 'string' ? TRACEPARENT.exec(event.traceparent) : null;
  return match && !/^0+$/.test(match[1]) ? match[1] : undefined;
}

/** The order an event's data names (every order event carries orderId), or undefined. */
export function orderOfEvent(event: Record<string, unknown>): string | undefined {
  const data = event.data;
  if (!data || typeof data !== 'object') return undefined;
  const orderId = (data as Record<string, unknown>).orderId;
  return typeof orderId === 'string' && orderId ? orderId : undefined;
}
