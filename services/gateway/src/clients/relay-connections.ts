// The connections the gateway forwards requests on: keep-alive HTTP/1.1 sockets to one replica, one request at a
// time on each, the answer relayed as it is parsed. It does only what relaying needs (no redirects, no retries, no
// body decoding), which makes a hop several times cheaper than a general client; the gateway's own requests (health
// checks, JSON for the operations API) use undici. Plain answers (a Content-Length, or no body) are read by the strict
// reader of domain/http-heads.ts; any other answer by http-parser-js.
import type { IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { HTTPParser } from 'http-parser-js';
import { addField, readResponseHead } from '../domain/http-heads.ts';

export type RelayRequest = {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  /** Lower-case names; host, content-length and connection are set here. */
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  /** How long the replica may take to start its answer once the request is out. */
  headersTimeoutMs: number;
  /** Longest silence between two pieces of the answer's body. */
  bodyTimeoutMs: number;
};

/** What a relayed request hears back, in order: start, then headers, data… and end, or error at any point. */
export type RelayHandler = {
  onStart(control: RelayControl): void;
  onHeaders(status: number, headers: IncomingHttpHeaders): void;
  onData(chunk: Buffer): void;
  onEnd(): void;
  /** Once at most, and nothing after it. The error's code says how far the request got (see RelayErrorCode). */
  onError(err: RelayError): void;
};

export type RelayControl = {
  /** pause and resume apply back-pressure: the replica's socket stops being read. */
  pause(): void;
  resume(): void;
  /** abort ends the exchange: its connection is closed and onError hears `reason` (code ABORTED). */
  abort(reason: Error): void;
  /**
   * detach: the exchange will last (an event stream), so its socket leaves the pool, which may open another in its
   * place; the socket closes when the exchange ends. Held streams would otherwise starve every other request.
   */
  detach(): void;
};

/**
 * Codes of a failed relay. Connect failures (the system's ECONNREFUSED, ENOTFOUND… and CONNECT_TIMEOUT) mean nothing
 * was sent. Anything after (ECONNRESET, EPIPE, SOCKET_CLOSED, HEADERS_TIMEOUT, BODY_TIMEOUT, BAD_RESPONSE) means the
 * replica may have acted on the request. ABORTED and CLOSED are the gateway's own doing.
 */
export type RelayErrorCode = string;
export class RelayError extends Error {
  readonly code: RelayErrorCode;
  constructor(code: RelayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export type RelayConnectionsOptions = {
  /** Most sockets open at once; further requests wait their turn. */
  connections: number;
  connectTimeoutMs: number;
  /** How long a socket may sit unused before it is closed (less when the replica's Keep-Alive says so). */
  idleTimeoutMs?: number;
};

export type RelayConnections = {
  dispatch(request: RelayRequest, handler: RelayHandler): void;
  /** close ends every socket; requests still waiting hear CLOSED. */
  close(): void;
};

// Replicas close idle keep-alive sockets too: closing ours first keeps a request from going out on one they close.
const DEFAULT_IDLE_MS = 4_000;
const KEEP_ALIVE_MARGIN_MS = 1_000;
// Head and body leave in one write up to this size; larger bodies follow their head in a second.
const JOINED_BODY_MAX = 64 * 1024;
// A header value may not end its line early: CR, LF or NUL would let it add headers of its own.
const UNSAFE_VALUE = /[\r\n\0]/;

type Pending = { request: RelayRequest; handler: RelayHandler };

// Every relay socket reads into this one buffer (node's `onread`): no buffer is made per read, and each read is
// handled before the next one lands in it. Bytes kept past a read (a partial head, body pieces) are copied.
const readBuffer = Buffer.allocUnsafe(64 * 1024);

export function relayConnections(origin: string, options: RelayConnectionsOptions): RelayConnections {
  const url = new URL(origin);
  const target: Target = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 80),
    hostHeader: url.host,
    connectTimeoutMs: options.connectTimeoutMs,
    idleDefault: options.idleTimeoutMs ?? DEFAULT_IDLE_MS,
  };
  const idle: Connection[] = [];
  const waiting: Pending[] = [];
  const open = new Set<Connection>();
  let closed = false;
  // Idle time is checked, not timed (a timer armed per request costs more than the check): dispatch never sends
  // on a socket idle past its time, and this sweep closes those.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of idle.splice(0))
      if (c.fresh(now)) idle.push(c);
      else c.destroy();
  }, target.idleDefault);
  sweep.unref();

  function dispatch(request: RelayRequest, handler: RelayHandler): void {
    if (closed) {
      handler.onError(new RelayError('CLOSED', 'the gateway is closing its connections'));
      return;
    }
    // A socket that failed while idle closes a moment later: until it has, it is skipped here. One idle too long
    // may be closing at the replica's end: it is closed here instead.
    const now = performance.now();
    let reused = idle.pop();
    while (reused && !(reused.usable && reused.fresh(now))) {
      if (reused.usable) reused.destroy();
      reused = idle.pop();
    }
    if (reused) reused.send(request, handler);
    else if (open.size < options.connections) opened().send(request, handler);
    else waiting.push({ request, handler });
  }

  /** released: a socket finished an exchange and may carry the next one. */
  function released(c: Connection): void {
    const next = waiting.shift();
    if (next) c.send(next.request, next.handler);
    else if (closed) c.destroy();
    else idle.push(c);
  }

  function detached(c: Connection): void {
    open.delete(c);
    const next = waiting.shift();
    if (next) dispatch(next.request, next.handler);
  }

  function gone(c: Connection): void {
    open.delete(c);
    const at = idle.indexOf(c);
    if (at !== -1) idle.splice(at, 1);
    // A waiting request takes the place the closed socket left.
    const next = waiting.shift();
    if (next) dispatch(next.request, next.handler);
  }

  function opened(): Connection {
    const c = connection(target, { released, gone, detached });
    open.add(c);
    return c;
  }

  return {
    dispatch,
    close() {
      closed = true;
      clearInterval(sweep);
      for (const p of waiting.splice(0))
        p.handler.onError(new RelayError('CLOSED', 'the gateway is closing its connections'));
      for (const c of [...open]) if (!c.busy) c.destroy();
    },
  };
}

type Connection = {
  readonly busy: boolean;
  /** False once the socket failed or was closed, even before its close event. */
  readonly usable: boolean;
  /** fresh: idle for less than its idle time at `now` (performance.now()); true while busy. */
  fresh(now: number): boolean;
  send(request: RelayRequest, handler: RelayHandler): void;
  destroy(): void;
};

type Target = { host: string; port: number; hostHeader: string; connectTimeoutMs: number; idleDefault: number };
type Owner = { released(c: Connection): void; gone(c: Connection): void; detached(c: Connection): void };

/** connection is one socket and its answer parser, carrying one exchange at a time. */
function connection(target: Target, owner: Owner): Connection {
  // Reads land in the one shared buffer (see readBuffer): what outlives a read is copied out of it.
  const socket: Socket = connect({
    host: target.host,
    port: target.port,
    noDelay: true,
    onread: {
      buffer: readBuffer,
      callback: (n) => {
        received(readBuffer.subarray(0, n));
        return true; // pausing is control.pause's, not the callback's
      },
    },
  });
  const parser = new HTTPParser(HTTPParser.RESPONSE);
  let connected = false;
  let current: { request: RelayRequest; handler: RelayHandler; answered: boolean } | null = null;
  let keepAlive = true;
  let outOfPool = false;
  let idleMs = target.idleDefault;
  let lastHint: string | string[] | undefined;
  let idleSince = 0;
  let failed = false;
  // The strict reader's progress: head bytes still arriving, and body bytes still to come. While `parsing`, the
  // current answer is http-parser-js's.
  let pending: Buffer | null = null;
  let bodyLeft = 0;
  let parsing = false;
  // The socket's inactivity timeout: set again only when the phase's limit differs, as each setting makes a timer.
  let armed = target.connectTimeoutMs;
  const arm = (ms: number) => {
    if (armed === ms) return;
    armed = ms;
    socket.setTimeout(ms);
  };

  socket.setTimeout(armed);
  socket.once('connect', () => {
    connected = true;
    if (current) write(current.request);
    else arm(0);
  });

  /** answerHead takes an answer's status and headers; it answers whether the answer has no body. */
  function answerHead(status: number, headers: IncomingHttpHeaders, versionMinor: number): boolean {
    const exchange = current as NonNullable<typeof current>;
    const noBody = bodiless(exchange.request.method, status);
    // The socket carries another exchange only when this answer's end is known without closing it.
    const framed = noBody || headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
    keepAlive =
      framed &&
      versionMinor >= 1 &&
      !String(headers.connection ?? '')
        .toLowerCase()
        .includes('close');
    // A replica sends the same Keep-Alive on every answer: read again only when it changes.
    const hint = headers['keep-alive'];
    if (hint !== lastHint) [lastHint, idleMs] = [hint, keepAliveHint(hint, target.idleDefault)];
    exchange.answered = true;
    exchange.handler.onHeaders(status, headers);
    return noBody;
  }

  function answerEnd(): void {
    const done = current;
    if (!done?.answered) return;
    current = null;
    try {
      done.handler.onEnd();
    } catch (err) {
      // The handler could not pass the answer on (say, a header value node refuses to write): it hears so.
      done.handler.onError(new RelayError('BAD_RESPONSE', 'the answer could not be relayed', { cause: err }));
      destroy();
      return;
    }
    if (!keepAlive || failed || outOfPool) {
      destroy();
      return;
    }
    idleSince = performance.now();
    owner.released(self);
  }

  // The full parser, for answers the strict reader leaves to it (chunked or close-delimited bodies, interim answers).
  parser[HTTPParser.kOnHeadersComplete] = (info) => {
    // An interim answer (100 Continue) has no body: the real answer follows it.
    if (!current || info.statusCode < 200) return 1;
    return answerHead(info.statusCode, headersOf(info.headers), info.versionMinor) ? 1 : 0;
  };
  parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
    current?.handler.onData(offset === 0 && length === chunk.length ? chunk : chunk.subarray(offset, offset + length));
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (current?.answered) parsing = false;
    answerEnd();
  };

  /**
   * read takes the bytes of an answer: a plain one (a Content-Length, or no body) through the strict reader, any
   * other through http-parser-js from its first byte. Bytes past a plain answer's end are an error: one request is
   * out at a time.
   */
  function read(data: Buffer): void {
    if (parsing) {
      const result = parser.execute(Buffer.from(data));
      if (result instanceof Error) throw result;
      return;
    }
    if (bodyLeft > 0) {
      const n = Math.min(bodyLeft, data.length);
      bodyLeft -= n;
      current?.handler.onData(Buffer.from(data.subarray(0, n)));
      if (bodyLeft > 0) return;
      if (n < data.length) throw new Error('the replica sent more than its answer');
      answerEnd();
      return;
    }
    const bytes = pending === null ? data : Buffer.concat([pending, data]);
    pending = null;
    if (!current) throw new Error('the replica sent bytes nobody asked for');
    const head = readResponseHead(bytes, 0);
    if (head === 'partial') {
      pending = bytes === data ? Buffer.from(data) : bytes;
      return;
    }
    if (head === 'other' || (head.length === undefined && !bodiless(current.request.method, head.status))) {
      parsing = true;
      read(bytes);
      return;
    }
    const length = answerHead(head.status, head.headers, 1) ? 0 : (head.length as number);
    if (length === 0) {
      if (bytes.length > head.size) throw new Error('the replica sent more than its answer');
      answerEnd();
      return;
    }
    bodyLeft = length;
    if (bytes.length > head.size) read(bytes.subarray(head.size));
  }

  function received(data: Buffer): void {
    try {
      read(data);
    } catch (err) {
      // A broken answer, or a handler that threw (it could not pass the answer on): this exchange is over, and so
      // is the socket.
      fail('BAD_RESPONSE', 'the replica sent an answer that could not be relayed', err);
      destroy();
      return;
    }
    if (current?.answered) arm(current.request.bodyTimeoutMs); // the answer goes on past this piece
  }
  socket.on('end', () => {
    // An answer without a length ends with the connection; anything else cut short is a broken answer.
    if (current?.answered && parsing) {
      const result = parser.finish();
      if (result instanceof Error) fail('SOCKET_CLOSED', 'the replica closed the connection mid-answer', result);
    }
    if (current) fail('SOCKET_CLOSED', 'the replica closed the connection before answering');
    destroy();
  });
  socket.on('timeout', () => {
    if (!connected) fail('CONNECT_TIMEOUT', 'the replica did not accept a connection in time');
    else if (current?.answered) fail('BODY_TIMEOUT', 'the replica went silent mid-answer');
    else if (current) fail('HEADERS_TIMEOUT', 'the replica did not answer in time');
    destroy();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    fail(err.code ?? 'ECONNRESET', err.message, err);
  });
  socket.on('close', () => {
    if (current) fail('SOCKET_CLOSED', 'the connection to the replica closed');
    owner.gone(self);
  });

  function write(request: RelayRequest): void {
    const head = requestHead(request, target.hostHeader);
    if (head === undefined) {
      fail('BAD_REQUEST_HEADER', 'a header value would break the request line');
      destroy();
      return;
    }
    arm(request.headersTimeoutMs);
    const body = request.body;
    if (body === null || body.length === 0) socket.write(head, 'latin1');
    else if (body.length <= JOINED_BODY_MAX) socket.write(head + body.toString('latin1'), 'latin1');
    else {
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    }
  }

  /** fail tells the current exchange, once, and marks the socket unusable. */
  function fail(code: RelayErrorCode, message: string, cause?: unknown): void {
    failed = true;
    const broken = current;
    current = null;
    broken?.handler.onError(new RelayError(code, message, { cause }));
  }

  function destroy(): void {
    failed = true;
    socket.destroy();
  }

  const control: RelayControl = {
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    abort(reason) {
      fail('ABORTED', reason.message, reason);
      destroy();
    },
    detach() {
      if (outOfPool) return;
      outOfPool = true;
      owner.detached(self);
    },
  };

  const self: Connection = {
    get busy() {
      return current !== null;
    },
    get usable() {
      return !failed && !socket.destroyed;
    },
    fresh: (now) => current !== null || now - idleSince < idleMs,
    send(request, handler) {
      current = { request, handler, answered: false };
      handler.onStart(control);
      if (current === null) return; // aborted from onStart
      if (connected) write(request);
    },
    destroy,
  };
  return self;
}

/** requestHead writes the request line and headers; undefined when a value carries a line break. */
function requestHead(request: RelayRequest, hostHeader: string): string | undefined {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${hostHeader}\r\n`;
  const headers = request.headers;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') {
      if (UNSAFE_VALUE.test(value)) return undefined;
      head += `${name}: ${value}\r\n`;
    } else
      for (const v of value) {
        if (UNSAFE_VALUE.test(v)) return undefined;
        head += `${name}: ${v}\r\n`;
      }
  }
  const length = request.body?.length ?? 0;
  if (length > 0 || request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH')
    head += `content-length: ${length}\r\n`;
  return `${head}\r\n`;
}

/** headersOf turns the parser's [name, value, …] list into node's shape: lower-case names, repeats joined. */
function headersOf(raw: string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) addField(out, raw[i].toLowerCase(), raw[i + 1]);
  return out;
}

/** bodiless: answers that have no body whatever their headers say (RFC 9112 6.3). */
const bodiless = (method: string, status: number) => method === 'HEAD' || status === 204 || status === 304;

/** keepAliveHint reads `Keep-Alive: timeout=N` and closes our side a second before the replica would. */
function keepAliveHint(value: string | string[] | undefined, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  const match = /timeout=(\d+)/i.exec(value);
  if (!match) return fallback;
  return Math.max(Math.min(Number(match[1]) * 1000 - KEEP_ALIVE_MARGIN_MS, fallback), 500);
}
