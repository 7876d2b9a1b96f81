// The trace a client's request joins. Its traceparent's trace id is kept, so a caller can follow its own request, but
// not its sampling decision: the gateway records every request it answers, so an x-trace-id always finds the request
// in the console's traces as well as in the logs, whatever flags the client sent.
import type { IncomingHttpHeaders } from 'node:http';
import { type Context, propagation, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';

export function clientTraceContext(headers: IncomingHttpHeaders): Context {
  if (headers.traceparent === undefined) return ROOT_CONTEXT;
  const extracted = propagation.extract(ROOT_CONTEXT, headers);
  const parent = trace.getSpanContext(extracted);
  if (!parent || parent.traceFlags & TraceFlags.SAMPLED) return extracted;
  return trace.setSpanContext(extracted, { ...parent, traceFlags: parent.traceFlags | TraceFlags.SAMPLED });
}
