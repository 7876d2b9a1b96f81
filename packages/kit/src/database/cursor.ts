// Opaque cursors: the sort key of the last item, base64url-encoded so clients treat it as a token.
import { validationFailed } from '../server/errors.ts';

/** What one part of a cursor's key is: a text key, a time as `toISOString` writes it, or a serial id's digits. */
export type CursorPart = 'string' | 'time' | 'serial';

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * pageOf turns the rows of a query asked for limit + 1 into one page: the first `limit` rows, and a cursor at the
 * last of them (keyOf gives its sort key) when the extra row shows that more follow.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (last: T) => unknown[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
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
      if (shape[i] === 'serial') return /^[0-9]{1,18}$/.test(part);
      return shape[i] === 'string' || isIsoTime(part);
    })
  );
}

const isIsoTime = (s: string) => {
  const t = new Date(s);
  return !Number.isNaN(t.getTime()) && t.toISOString() === s;
};
