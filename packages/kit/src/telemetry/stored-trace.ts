// Work that outlives its request (a saga step retried by a sweep minutes later) stays in the request's trace: the
// request's traceparent is stored beside the work, and whoever picks the work up later continues that trace.
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

/** The W3C traceparent of the context's trace, to store with work that a later run takes up; undefined outside one. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(tracedContext(ctx), carrier);
  return carrier.traceparent;
}

/**
 * Runs fn under a span named `name`, a child of the stored traceparent's span (a root span when there is none), so
 * its calls and log lines carry the trace of the request that began the work.
 */
export async function continueTrace<T>(
  tracer: Tracer,
  name: string,
  traceparent: string | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, traceparent ? { traceparent } : {});
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
