// Events travel as CloudEvents 1.0 JSON with the W3C traceparent extension, so traces continue across the broker.
import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';

export type Envelope<T = unknown> = {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  traceparent?: string;
  data: T;
};

export type NewEvent<T = unknown> = { type: string; subject?: string; data: T };

export function envelope<T>(source: string, event: NewEvent<T>): Envelope<T> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: event.type,
    subject: event.subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    traceparent: carrier.traceparent,
    data: event.data,
  };
}
