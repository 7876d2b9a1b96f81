// outage: whether an error says that something was out of reach (a database down, restarting or refusing connections,
// a connection refused or cut), as against a statement or a handler that failed on its own. Waiting helps the first.

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs for the same: class 08 (connection exception), the server shutting down or starting
 * (57P01, 57P02, 57P03) and too many connections (53300).
 */
const isUnavailableState = (code: string) => /^08/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code);

/** What node-postgres says, with no code, when the server went away mid-conversation. */
const CUT =
  /^Connection terminated|^Client has encountered a connection error|^timeout exceeded when trying to connect/;

/** isOutage: the error (or one it was caused by) says that a server could not be reached or went away. */
export function isOutage(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK.has(code) || isUnavailableState(code))) return true;
  if (CUT.test(err.message)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isOutage(e, depth + 1))) return true;
  return isOutage(err.cause, depth + 1);
}
