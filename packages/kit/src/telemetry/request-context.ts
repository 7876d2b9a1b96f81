// What the active context says about the work in hand: its trace, its span and the request it serves.
import { type Context, context, createContextKey, trace } from '@opentelemetry/api';

export const requestIdKey = createContextKey('bazaar.requestId');

/** The ids that every log line inside a traced operation carries. */
export function currentTraceIds(): { traceId?: string; spanId?: string; requestId?: string } {
  const active = context.active();
  const span = trace.getSpan(active);
  const requestId = active.getValue(requestIdKey) as string | undefined;
  if (!span) return requestId ? { requestId } : {};
  const { traceId, spanId } = span.spanContext();
  return requestId ? { traceId, spanId, requestId } : { traceId, spanId };
}

export function withRequestId(ctx: Context, requestId: string): Context {
  return ctx.setValue(requestIdKey, requestId);
}

/** The request id the context carries, if any. */
export function requestIdIn(ctx: Context): string | undefined {
  return ctx.getValue(requestIdKey) as string | undefined;
}
