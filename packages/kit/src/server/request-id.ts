// requestIdOf: the client's x-request-id when it is one header of visible ASCII (safe to echo and to log), else a
// new one.
import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
