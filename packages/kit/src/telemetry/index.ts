export { tracedContext, withLazyRootSpan } from './lazy-root-span.ts';
export { type LogEntry, LogStore } from './log-store.ts';
export { createLogger, type Logger, type LogSink } from './logger.ts';
export { type SpanRef, SpanStore, type StoredSpan } from './span-store.ts';
export { continueTrace, type StoredTrace, storedTraceOf, traceparentOf } from './stored-trace.ts';
export {
  createTracing,
  currentTraceIds,
  requestIdIn,
  requestIdKey,
  type Tracing,
  type TracingOptions,
  withRequestId,
} from './tracing.ts';
