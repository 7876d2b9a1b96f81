// One request and its answer on a fast-lane connection (fast-lane.ts), shaped as the parts of node:http's
// IncomingMessage and ServerResponse the hot path uses (call.ts), and written the way node:http writes them:
// Date, keep-alive and a length or chunked framing added, head and a small body in one write.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { isToken, type RequestHead } from '../domain/http-heads.ts';
import type { EdgeRequest, EdgeResponse } from './call.ts';

/** What an exchange needs of its connection. */
export type LaneConnection = {
  readonly socket: Socket;
  /** The connection must end after this answer: the gateway is closing, or too much unread body would follow. */
  mustClose(): boolean;
  /** The answer is out; the next request may be read. */
  answered(answer: LaneAnswer, closeAfter: boolean): void;
  readonly keepAlive: string;
};

// node:http's rule for header values: tabs, visible ASCII, spaces and obs-text; any other byte is refused.
const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

// Body bytes held for a request nobody reads yet (its caller is still being checked): past this, the socket is
// not read until someone does, as node:http's request stream stops reading at its high-water mark.
const HELD_MAX_BYTES = 64 * 1024;

/** LaneRequest: the head as read, and the body as it arrives ('data' pieces, then 'end'). */
export class LaneRequest implements EdgeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: RequestHead['headers'];
  readonly socket: Socket;
  private ended: boolean;
  private onData: ((chunk: Buffer) => void) | null = null;
  private onEnd: (() => void) | null = null;
  /** Body pieces that arrived before anyone listened (while the caller was being checked). */
  private held: Buffer[] | null = null;
  private heldBytes = 0;

  constructor(head: RequestHead, socket: Socket) {
    this.method = head.method;
    this.url = head.url;
    this.headers = head.headers;
    this.socket = socket;
    this.ended = head.bodyLength === 0;
  }

  on(event: 'data' | 'end', listener: (chunk: Buffer) => void): this {
    if (event === 'data') {
      this.onData = listener;
      const held = this.held;
      this.held = null;
      if (held) for (const chunk of held) listener(chunk);
      if (this.heldBytes > HELD_MAX_BYTES && !this.ended) this.socket.resume();
    } else {
      this.onEnd = listener as () => void;
      if (this.ended) queueMicrotask(this.onEnd);
    }
    return this;
  }

  /** push hands on a piece of the body; `last` when it is the end. */
  push(chunk: Buffer, last: boolean): void {
    if (this.onData) this.onData(chunk);
    else {
      if (this.held) this.held.push(chunk);
      else this.held = [chunk];
      this.heldBytes += chunk.length;
      if (this.heldBytes > HELD_MAX_BYTES) this.socket.pause();
    }
    if (!last) return;
    this.ended = true;
    this.onEnd?.();
  }
}

/** LaneAnswer: the response, written straight to the connection's socket. */
export class LaneAnswer implements EdgeResponse {
  statusCode = 200;
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  private set: Record<string, string> | null = null;
  private lines: HeaderLines | null = null;
  private chunked = false;
  private bodyless = false;
  private closeAfter: boolean;
  private closed = false;
  private readonly head: boolean;
  private readonly closeListeners: (() => void)[] = [];
  private drainListeners: (() => void)[] | null = null;

  private readonly connection: LaneConnection;

  constructor(connection: LaneConnection, request: RequestHead) {
    this.connection = connection;
    this.closeAfter = request.close;
    this.head = request.method === 'HEAD';
  }

  setHeader(name: string, value: string): this {
    if (this.set === null) this.set = {};
    this.set[name.toLowerCase()] = value;
    return this;
  }

  writeHead(status: number, headers: Record<string, string | string[] | number>): this {
    if (this.headersSent)
      throw Object.assign(new Error('The head is sent already.'), { code: 'ERR_HTTP_HEADERS_SENT' });
    this.lines = this.headerLines(status, headers);
    this.statusCode = status;
    return this;
  }

  flushHeaders(): void {
    if (!this.headersSent) this.connection.socket.write(this.headText(undefined), 'latin1');
  }

  write(chunk: Buffer): boolean {
    const { socket } = this.connection;
    if (this.writableEnded || !socket.writable) return false;
    socket.cork();
    if (!this.headersSent) socket.write(this.headText(undefined), 'latin1');
    let ok = true;
    if (this.bodyless || chunk.length === 0) ok = !socket.writableNeedDrain;
    else if (!this.chunked) ok = socket.write(chunk);
    else {
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
    }
    socket.uncork();
    return ok;
  }

  end(data?: string, encoding: 'latin1' | 'utf8' = 'utf8'): this {
    const { socket } = this.connection;
    if (this.writableEnded) return this;
    this.writableEnded = true;
    if (!socket.writable) return this;
    const done = (err?: Error | null) => {
      if (!err) this.finished();
    };
    if (!this.headersSent) {
      const head = this.headText(data === undefined ? 0 : Buffer.byteLength(data, encoding));
      if (data === undefined || this.bodyless) socket.write(head, 'latin1', done);
      else if (encoding === 'latin1') socket.write(head + data, 'latin1', done);
      else {
        socket.cork();
        socket.write(head, 'latin1');
        socket.write(data, encoding, done);
        socket.uncork();
      }
      return this;
    }
    socket.cork();
    if (data !== undefined && data.length > 0 && !this.bodyless) {
      if (this.chunked) socket.write(`${Buffer.byteLength(data, encoding).toString(16)}\r\n${data}\r\n`, encoding);
      else socket.write(data, encoding);
    }
    // An answer of known length that was written already has nothing left but its end: an empty write marks it.
    socket.write(this.chunked ? '0\r\n\r\n' : '', 'latin1', done);
    socket.uncork();
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.connection.socket.destroy();
    return this;
  }

  on(_event: 'close', listener: () => void): this {
    this.closeListeners.push(listener);
    return this;
  }

  once(_event: 'drain', listener: () => void): this {
    if (this.drainListeners) this.drainListeners.push(listener);
    else this.drainListeners = [listener];
    return this;
  }

  /** drained: the socket took what was waiting; writers may go on. */
  drained(): void {
    const listeners = this.drainListeners;
    this.drainListeners = null;
    if (listeners) for (const listener of listeners) listener();
  }

  /** lost: the connection closed before the answer was out. */
  lost(): void {
    this.destroyed = true;
    this.emitClose();
  }

  private finished(): void {
    this.writableFinished = true;
    this.emitClose();
    this.connection.answered(this, this.closeAfter);
  }

  private emitClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }

  /**
   * headerLines checks and writes out the headers, setHeader's and then writeHead's (which win), as node:http does in
   * writeHead: a name or value it would refuse throws here, before anything is sent.
   */
  private headerLines(status: number, given: Record<string, string | string[] | number> | null): HeaderLines {
    const lines: HeaderLines = {
      text: `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`,
      hasLength: false,
      hasDate: false,
      close: false,
    };
    const set = this.set;
    if (set) for (const name in set) if (!given || given[name] === undefined) addLine(lines, name, set[name]);
    if (given) for (const name in given) addLine(lines, name, given[name]);
    return lines;
  }

  /** headText: the head as it leaves, with its framing; `length` is known when the whole body goes with it. */
  private headText(length: number | undefined): string {
    const status = this.statusCode;
    const lines = this.lines ?? this.headerLines(status, null);
    this.headersSent = true;
    let text = lines.text;
    if (!lines.hasDate) text += `date: ${httpDate()}\r\n`;
    this.bodyless = this.head || status === 204 || status === 304 || status < 200;
    if (!this.bodyless && !lines.hasLength) {
      if (length === undefined) {
        this.chunked = true;
        text += 'transfer-encoding: chunked\r\n';
      } else text += `content-length: ${length}\r\n`;
    }
    if (lines.close || this.connection.mustClose()) this.closeAfter = true;
    return `${text}${this.closeAfter ? 'connection: close\r\n' : `connection: keep-alive\r\nkeep-alive: ${this.connection.keepAlive}\r\n`}\r\n`;
  }
}

type HeaderLines = { text: string; hasLength: boolean; hasDate: boolean; close: boolean };

// Names found to be tokens: answers carry the same few names again and again, and a lookup costs less than the
// pattern. Bounded, so names that are always new (none should be) only cost the pattern.
const tokenNames = new Set<string>();
const TOKEN_NAMES_KEPT = 1_000;

/** addLine adds a header's lines, or notes what the framing will say instead (connection, length, date). */
function addLine(lines: HeaderLines, name: string, value: string | string[] | number): void {
  // Only a name as long as date, connection, keep-alive, content-length or transfer-encoding is lower-cased to see.
  const n = name.length;
  switch (n === 4 || n === 10 || n === 14 || n === 17 ? name.toLowerCase() : '') {
    case 'connection':
      if (String(value).toLowerCase().includes('close')) lines.close = true;
      return;
    case 'keep-alive':
    case 'transfer-encoding':
      return;
    case 'content-length':
      lines.hasLength = true;
      break;
    case 'date':
      lines.hasDate = true;
  }
  if (!tokenNames.has(name)) {
    if (!isToken(name)) throw invalid(`The header name ${JSON.stringify(name)} is not a token.`);
    if (tokenNames.size < TOKEN_NAMES_KEPT) tokenNames.add(name);
  }
  if (typeof value === 'object') for (const one of value) lines.text += valueLine(name, one);
  else lines.text += valueLine(name, typeof value === 'string' ? value : String(value));
}

function valueLine(name: string, value: string): string {
  if (UNSAFE_VALUE.test(value)) throw invalid(`The header ${name} holds a control character.`);
  return `${name}: ${value}\r\n`;
}

function invalid(message: string): Error {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_CHAR' });
}

// The Date header changes once a second: it is made once a second.
let dateSecond = -1;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
