// Structured JSON logs: every line carries the service and, inside a request, its trace id, span id and request id.
import { type Logger, pino } from 'pino';
import type { LogStore } from './log-store.ts';
import { currentTraceIds } from './request-context.ts';

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
  const level = options.level ?? 'info';
  // The console's store keeps what the level lets through (debug lines cost every request something, so only at
  // LOG_LEVEL=debug); 'silent' silences the output only, the store still keeps info and above.
  const storeLevel = (level === 'silent' ? 'info' : level) as pino.Level;
  const streams: { stream: LogSink; level: pino.Level }[] = [];
  if (level !== 'silent') streams.push({ stream: out, level: level as pino.Level });
  if (options.store) streams.push({ stream: options.store, level: storeLevel });
  const lowest = options.store ? storeLevel : level;
  return pino(
    {
      level: lowest,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redacted, censor: '[redacted]' },
      mixin: () => currentTraceIds(),
      formatters: { level: (label) => ({ level: label }) },
    },
    options.store ? pino.multistream(streams) : out,
  );
}
