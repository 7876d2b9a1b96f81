// Structured JSON logs: every line carries the service and, inside a request, its trace id, span id and request id.
import { type Logger, pino } from 'pino';
import type { LogStore } from './log-store.ts';
import { currentTraceIds } from './tracing.ts';

export type { Logger };

/** Paths whose values must never reach a log line. */
const redacted = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-internal-key"]',
  'headers.authorization',
  'headers["x-internal-key"]',
];

export type LogSink = { write(line: string): void };

/** createLogger writes JSON lines to the sink (stdout by default) and, when given, to the in-memory store too. */
export function createLogger(
  service: string,
  options: { level?: string; sink?: LogSink; store?: LogStore } = {},
): Logger {
  const out = options.sink ?? pino.destination({ sync: false });
  const destination = options.store
    ? pino.multistream([
        { stream: out, level: 'trace' },
        { stream: options.store, level: 'trace' },
      ])
    : out;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redacted, censor: '[redacted]' },
      mixin: () => currentTraceIds(),
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
