// HTTP/1.1 heads read strictly, for the gateway's hot path: requests on the fast lane (api/fast-lane.ts) and answers
// on the relay's connections (clients/relay-connections.ts). A reader takes only what has one reading: HTTP/1.1,
// CRLF lines of visible ASCII, a decimal Content-Length or a body the status rules out. Anything else (chunked or
// close-delimited bodies, Expect, Upgrade, obs-fold, bare LF, other bytes) is 'other' and goes, unread, to a full
// parser: node:http's for requests, http-parser-js for answers. So these readers never have to be lenient.

/** Header names in lower case, as node:http gives them. */
export type HeadFields = Record<string, string>;

export type RequestHead = {
  method: string;
  /** The request-target as sent: path and query. */
  url: string;
  headers: HeadFields;
  /** The body's length in bytes (0: none). */
  bodyLength: number;
  /** The client asked for the connection to end after this answer. */
  close: boolean;
  /** Bytes the head took, its blank line included. */
  size: number;
};

export type ResponseHead = {
  status: number;
  /** Repeated names joined as node:http joins them: set-cookie as a list, others with ", ". */
  headers: Record<string, string | string[]>;
  /** The Content-Length; undefined when there is none (the status alone may say there is no body). */
  length: number | undefined;
  size: number;
};

/** node:http's limit on a head (--max-http-header-size); a longer one is the full parser's to refuse. */
export const MAX_HEAD_BYTES = 16 * 1024;

const END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^(GET|HEAD|POST|PUT|PATCH|DELETE) (\/[!-~]*) HTTP\/1\.1$/;
const STATUS_LINE = /^HTTP\/1\.1 ([2-5]\d\d)(?: [\t -~]*)?$/;
// The characters of a token (RFC 9110 5.6.2), which header names are.
const TOKEN_CHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const TOKEN = new RegExp(`^${TOKEN_CHAR}+$`);
// One header line: a token for its name, a colon, a value of visible ASCII, spaces and tabs, CRLF. Read line after
// line from where the last ended, it leaves no room for a bare CR or LF, a fold or other bytes.
const FIELD = new RegExp(`(${TOKEN_CHAR}+):[\\t ]*([\\t\\x20-\\x7e]*)\\r\\n`, 'y');
const DECIMAL = /^\d{1,15}$/;
// Heads that ask for more than one message with a known end: the full parser knows what to do with them.
const requestHandedOn = new Set(['transfer-encoding', 'expect', 'upgrade', 'http2-settings']);
const responseHandedOn = new Set(['transfer-encoding', 'upgrade']);

/**
 * readRequestHead reads the request head that starts at `from`: the head, 'partial' while its blank line has not
 * arrived (and it is still within the limit), or 'other' when it is not one to read strictly. A repeated name is
 * 'other' too: node:http's rules for joining them differ by header.
 */
export function readRequestHead(bytes: Buffer, from: number): RequestHead | 'partial' | 'other' {
  const head = headText(bytes, from);
  if (typeof head === 'string') return head;
  const { text, fieldsAt } = head;
  const start = REQUEST_LINE.exec(text.slice(0, fieldsAt - 2));
  if (start === null) return 'other';
  const headers: HeadFields = {};
  FIELD.lastIndex = fieldsAt;
  while (FIELD.lastIndex < text.length) {
    const field = FIELD.exec(text);
    if (field === null) return 'other';
    const name = field[1].toLowerCase();
    if (headers[name] !== undefined || requestHandedOn.has(name)) return 'other';
    headers[name] = field[2].trimEnd();
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
    size: head.size,
  };
}

/** readResponseHead reads an answer's head as readRequestHead reads a request's; interim (1xx) answers are 'other'. */
export function readResponseHead(bytes: Buffer, from: number): ResponseHead | 'partial' | 'other' {
  const head = headText(bytes, from);
  if (typeof head === 'string') return head;
  const { text, fieldsAt } = head;
  const start = STATUS_LINE.exec(text.slice(0, fieldsAt - 2));
  if (start === null) return 'other';
  const headers: Record<string, string | string[]> = {};
  FIELD.lastIndex = fieldsAt;
  while (FIELD.lastIndex < text.length) {
    const field = FIELD.exec(text);
    if (field === null) return 'other';
    const name = field[1].toLowerCase();
    const value = field[2].trimEnd();
    if (responseHandedOn.has(name) || name === '__proto__') return 'other';
    if (name === 'content-length' && headers[name] !== undefined) return 'other';
    addField(headers, name, value);
  }
  const length = headers['content-length'];
  if (length !== undefined && !DECIMAL.test(length as string)) return 'other';
  return {
    status: Number(start[1]),
    headers,
    length: length === undefined ? undefined : Number(length),
    size: head.size,
  };
}

/** isToken: the name is a token, as header names must be. */
export const isToken = (name: string) => TOKEN.test(name);

/** addField adds one header line's field as node:http joins repeats: set-cookie as a list, others with ", ". */
export function addField(headers: Record<string, string | string[]>, name: string, value: string): void {
  const seen = Object.hasOwn(headers, name) ? headers[name] : undefined;
  if (seen === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
  else if (Array.isArray(seen)) seen.push(value);
  else headers[name] = `${seen}, ${value}`;
}

/**
 * headText: the head once its blank line is in, as text that ends with its last line's CRLF, and where its header
 * lines begin.
 */
function headText(bytes: Buffer, from: number): { text: string; fieldsAt: number; size: number } | 'partial' | 'other' {
  const end = bytes.indexOf(END, from);
  if (end === -1) return bytes.length - from > MAX_HEAD_BYTES ? 'other' : 'partial';
  if (end - from > MAX_HEAD_BYTES) return 'other';
  const text = bytes.toString('latin1', from, end + 2);
  return { text, fieldsAt: text.indexOf('\r\n') + 2, size: end + END.length - from };
}
