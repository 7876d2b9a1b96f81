// Health probes and metrics scrapes: called every few seconds by every orchestrator and scraper, so answered without
// a span (traced, they would bury the traces of real work); still, every answer names a trace (API.md).
import { randomBytes } from 'node:crypto';
import { type Context, isSpanContextValid, trace } from '@opentelemetry/api';

export const probeRoutes: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** The trace a probe's answer names: the caller's, from its traceparent, or a fresh id no span will use. */
export function probeTraceId(callerContext: Context): string {
  const caller = trace.getSpanContext(callerContext);
  return caller && isSpanContextValid(caller) ? caller.traceId : randomBytes(16).toString('hex');
}
