export { createLogger, type Logger, type LogSink } from './logger.ts';
export { createTracing, type Tracing, currentTraceIds, withRequestId, requestIdKey } from './tracing.ts';
export { SpanStore, type StoredSpan } from './span-store.ts';
export { LogStore, type LogEntry } from './log-store.ts';
