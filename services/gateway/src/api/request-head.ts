// The strict reader of request heads for the fast lane (fast-lane.ts). It takes only what has one reading: HTTP/1.1,
// a common method, an origin-form target, CRLF lines of visible ASCII, one value per header name, a plain decimal
// Content-Length or no body. Anything else (chunked or ambiguous bodies, Expect, Upgrade, obs-fold, bare LF,
// repeated names, other bytes) is answered 'other' and left, unread, to node:http's parser, which accepts or refuses
// it as it always has. So this reader never has to be lenient, and never disagrees with the upstream's parser.
import type { IncomingHttpHeaders } from 'node:http';

export type RequestHead = {
  method: string;
  /** The request-target as sent: path and query. */
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The body's length in bytes (0: none). */
  bodyLength: number;
  /** The client asked for the connection to end after this answer. */
  close: boolean;
  /** Bytes the head took, its blank line included. */
  size: number;
};

/** node:http's limit on a request head (--max-http-header-size); a longer one is its to refuse with 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

const END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^(GET|HEAD|POST|PUT|PATCH|DELETE) (\/[!-~]*) HTTP\/1\.1$/;
// Field names are tokens (RFC 9110 5.6.2); values are visible ASCII, spaces and tabs. CR and LF only end lines.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FOREIGN = /[^\t\x20-\x7e\r\n]|\r(?!\n)|(?<!\r)\n/;
const DECIMAL = /^\d{1,15}$/;
// Heads that ask for more than a request and its answer: node:http knows what to do with them.
const handedOn = new Set(['transfer-encoding', 'expect', 'upgrade', 'http2-settings']);

/**
 * readRequestHead reads the head that starts at `from`: the head, 'partial' while its blank line has not arrived
 * (and it is still within the limit), or 'other' when it is not one this reader takes.
 */
export function readRequestHead(bytes: Buffer, from: number): RequestHead | 'partial' | 'other' {
  const end = bytes.indexOf(END, from);
  if (end === -1) return bytes.length - from > MAX_HEAD_BYTES ? 'other' : 'partial';
  if (end - from > MAX_HEAD_BYTES) return 'other';
  const text = bytes.toString('latin1', from, end);
  if (FOREIGN.test(text)) return 'other';
  const lines = text.split('\r\n');
  const start = REQUEST_LINE.exec(lines[0]);
  if (start === null) return 'other';
  const headers: IncomingHttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) return 'other';
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 'other';
    const key = name.toLowerCase();
    if (headers[key] !== undefined || handedOn.has(key)) return 'other';
    headers[key] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'];
  if (headers.host === undefined || (length !== undefined && !DECIMAL.test(length))) return 'other';
  const connection = headers.connection;
  return {
    method: start[1],
    url: start[2],
    headers,
    bodyLength: length === undefined ? 0 : Number(length),
    close: connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection),
    size: end + END.length - from,
  };
}
