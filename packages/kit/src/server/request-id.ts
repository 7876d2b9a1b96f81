// requestIdOf: the client's x-request-id when it is one header of printable ASCII, at most 255 characters (safe to
// echo and to log), else a new one. Spaces inside are kept; HTTP itself trims them at the ends.
import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
