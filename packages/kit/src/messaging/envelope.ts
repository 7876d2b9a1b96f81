// Events travel as CloudEvents 1.0 JSON with the W3C traceparent extension, so traces continue across the broker, and
// a requestid extension, so the lines a consumer writes name the request that caused the event.
import { randomUUID } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { requestIdIn } from '../telemetry/request-context.ts';
import { traceparentOf } from '../telemetry/stored-trace.ts';

export type Envelope<T = unknown> = {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  traceparent?: string;
  /** The id of the request whose work wrote the event, when there was one. */
  requestid?: string;
  data: T;
};

export type NewEvent<T = unknown> = { type: string; subject?: string; data: T };

export function envelope<T>(source: string, event: NewEvent<T>): Envelope<T> {
  const ctx = context.active();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: event.type,
    subject: event.subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    traceparent: traceparentOf(ctx),
    requestid: requestIdIn(ctx),
    data: event.data,
  };
}
