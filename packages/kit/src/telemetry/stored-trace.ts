// Work that outlives its request (a saga step retried by a sweep minutes later) stays in the request's trace: the
// request's traceparent and request id are stored beside the work, and whoever picks it up later continues both.
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { tracedContext } from './lazy-root-span.ts';
import { requestIdIn, withRequestId } from './request-context.ts';

/** What work stored now keeps of the context that gave it: its trace and the request it serves, when there are. */
export type StoredTrace = { traceparent?: string; requestId?: string };

/** The W3C traceparent of the context's trace, to store with work that a later run takes up; undefined outside one. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(tracedContext(ctx), carrier);
  return carrier.traceparent;
}

/** The trace and request id of the context, to store with work that a later run takes up (continueTrace). */
export function storedTraceOf(ctx: Context = context.active()): StoredTrace {
  return { traceparent: traceparentOf(ctx), requestId: requestIdIn(ctx) };
}

/**
 * Runs fn under a span named `name`, a child of the stored traceparent's span (a root span when there is none), so
 * its calls and log lines carry the trace, and the request id, of the request that began the work.
 */
export async function continueTrace<T>(
  tracer: Tracer,
  name: string,
  stored: StoredTrace,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const { traceparent, requestId } = stored;
  const extracted = propagation.extract(ROOT_CONTEXT, traceparent ? { traceparent } : {});
  const parent = requestId ? withRequestId(extracted, requestId) : extracted;
  const span = tracer.startSpan(name, { attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
    throw err;
  } finally {
    span.end();
  }
}
