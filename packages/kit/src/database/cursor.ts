// Opaque cursors: the sort key of the last item, base64url-encoded so clients treat it as a token.
import { validationFailed } from '../server/errors.ts';

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(key)) return key;
  } catch {}
  throw validationFailed([{ path: 'querystring.cursor', message: 'is not a cursor this API issued' }]);
}
