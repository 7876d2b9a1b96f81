// The loggers a Fastify server writes through: ours, without Fastify's own "Server listening at <url>" line, whose
// facts sit in the message; each server logs its own listening line with the address as a field.
import type { Logger } from '../telemetry/logger.ts';

/**
 * fastifyLoggers gives Fastify, for its own instance lines, a child of `log` that lets warnings and errors through
 * only (its one info line is the startup line), and `log` itself for requests: no child logger per request, the
 * logger's mixin adds the trace, span and request ids.
 */
export function fastifyLoggers(log: Logger) {
  const level = log.levelVal > log.levels.values.warn ? log.level : 'warn';
  return { loggerInstance: log.child({}, { level }), childLoggerFactory: () => log };
}
