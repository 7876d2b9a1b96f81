// A background loop's unit of work (a courier step) is traced only when it writes an event: a pass that finds
// nothing to do leaves no span, where an eager root span would flood the traces with empty ones.
import {
  type Context,
  context,
  createContextKey,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';

const lazyRootKey = createContextKey('bazaar.lazyRootSpan');

type LazyRoot = { span?: Span; start(): Span };

/**
 * withLazyRootSpan runs fn under a root span that starts only when `tracedContext()` asks for one (an event written
 * inside fn); the span is dated from fn's start and ends with it.
 */
export async function withLazyRootSpan<T>(tracer: Tracer, name: string, fn: () => Promise<T>): Promise<T> {
  const startTime = hrTime();
  const lazy: LazyRoot = { start: () => (lazy.span ??= tracer.startSpan(name, { root: true, startTime })) };
  try {
    return await context.with(context.active().setValue(lazyRootKey, lazy), fn);
  } catch (err) {
    lazy.span?.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
    throw err;
  } finally {
    lazy.span?.end();
  }
}

/** tracedContext is the context to propagate: the active one, with a lazy root span waiting in it started. */
export function tracedContext(ctx: Context = context.active()): Context {
  if (trace.getSpan(ctx)) return ctx;
  const lazy = ctx.getValue(lazyRootKey) as LazyRoot | undefined;
  return lazy ? trace.setSpan(ctx, lazy.start()) : ctx;
}
