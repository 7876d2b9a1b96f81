export { type LogEntry, LogStore } from './log-store.ts';
export { createLogger, type Logger, type LogSink } from './logger.ts';
export { type SpanRef, SpanStore, type StoredSpan } from './span-store.ts';
export { createTracing, currentTraceIds, requestIdKey, type Tracing, withRequestId } from './tracing.ts';
