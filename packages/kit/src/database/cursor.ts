// Opaque cursors: the sort key of the last item, base64url-encoded so clients treat it as a token.
import { validationFailed } from '../server/errors.ts';

/** What one part of a cursor's key is: a text key, or a time as `toISOString` writes it. */
export type CursorPart = 'string' | 'time';

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * decodeCursor answers the key a cursor carries. With `shape`, a key of another length or type is refused as a
 * 400, never handed to SQL (where a made-up cursor such as `["x"]` would fail as a 500).
 */
export function decodeCursor(cursor: string | undefined, shape?: readonly CursorPart[]): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(key) && (shape === undefined || fits(key, shape))) return key;
  } catch {}
  throw validationFailed([{ path: 'querystring.cursor', message: 'is not a cursor this API issued' }]);
}

function fits(key: unknown[], shape: readonly CursorPart[]): boolean {
  return (
    key.length === shape.length &&
    key.every((part, i) => {
      if (typeof part !== 'string' || part.length > 200 || part.includes('\u0000')) return false;
      return shape[i] === 'string' || isIsoTime(part);
    })
  );
}

const isIsoTime = (s: string) => {
  const t = new Date(s);
  return !Number.isNaN(t.getTime()) && t.toISOString() === s;
};
