// The fast lane: the gateway's connections are served on the socket itself while every request on them is a
// proxied API call, without node:http's request and response objects, which cost a proxied request more than all
// of the gateway's own work (bench/RESULTS.md, gateway hop). Each head is read by the strict reader
// (domain/http-heads.ts); at the first one it does not take, or that is not a proxied route, the connection and the
// bytes read so far go to node:http's own connection handling for the rest of the connection's life. Requests are
// served one at a time, in order, as node:http serves them.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_HEAD_BYTES, readRequestHead } from '../domain/http-heads.ts';
import { LaneAnswer, type LaneConnection, LaneRequest } from './lane-exchange.ts';
import type { ProxyEdge } from './proxy-edge.ts';

export type FastLaneOptions = {
  /** How long a connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
  /** How long a request head may take to arrive once it has begun. */
  headersTimeoutMs: number;
};

/** FastLane: `close` ends idle connections now and the others after their answer, for the server to stop. */
export type FastLane = { close(): void };

// A body the answer did not wait for is read and dropped up to this size; past it the connection ends instead.
const DISCARD_MAX_BYTES = 64 * 1024;

type Shared = {
  server: Server;
  nodeHttp: (socket: Socket) => void;
  proxy: ProxyEdge;
  options: FastLaneOptions;
  keepAlive: string;
  open: Set<Connection>;
  closing: boolean;
};

/** fastLane puts itself in front of node:http's handling of `server`'s connections. */
export function fastLane(server: Server, proxy: ProxyEdge, options: FastLaneOptions): FastLane {
  const [nodeHttp] = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeListener('connection', nodeHttp);
  const shared: Shared = {
    server,
    nodeHttp,
    proxy,
    options,
    keepAlive: `timeout=${Math.floor(options.keepAliveTimeoutMs / 1000)}`,
    open: new Set(),
    closing: false,
  };
  server.on('connection', (socket: Socket) => shared.open.add(new Connection(socket, shared)));
  return {
    close() {
      shared.closing = true;
      for (const c of shared.open) if (c.idle()) c.socket.destroy();
    },
  };
}

class Connection implements LaneConnection {
  /** Bytes read and not yet taken: a head still arriving, or pipelined requests. */
  private buffer: Buffer | null = null;
  private answer: LaneAnswer | null = null;
  /** The request whose body is still arriving, and how many bytes of it are to come. */
  private request: LaneRequest | null = null;
  private bodyLeft = 0;
  /** performance.now() when the head still arriving began; 0 when none is. */
  private headSince = 0;
  /** Ends a request whose body has not all arrived within the server's requestTimeout, as node:http does. */
  private bodyTimer: NodeJS.Timeout | null = null;
  private ending = false;

  readonly socket: Socket;
  private readonly shared: Shared;

  constructor(socket: Socket, shared: Shared) {
    this.socket = socket;
    this.shared = shared;
    socket.setTimeout(shared.options.keepAliveTimeoutMs);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('timeout', this.onTimeout);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  get keepAlive(): string {
    return this.shared.keepAlive;
  }

  /** idle: no request is being served (a head may be arriving). */
  idle(): boolean {
    return this.answer === null;
  }

  mustClose(): boolean {
    return this.shared.closing || this.bodyLeft > DISCARD_MAX_BYTES;
  }

  answered(answer: LaneAnswer, closeAfter: boolean): void {
    if (this.answer !== answer) return;
    this.answer = null;
    this.request = null;
    if (closeAfter || this.shared.closing) {
      this.ending = true;
      this.socket.destroySoon();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.next();
  }

  private onData = (chunk: Buffer): void => {
    if (this.ending) return;
    const rest = this.bodyLeft > 0 ? this.takeBody(chunk) : chunk;
    if (rest === null) return;
    this.buffer = this.buffer === null ? rest : Buffer.concat([this.buffer, rest]);
    if (this.answer === null) this.next();
    // Pipelined requests wait for this answer; past a head's worth of them, the socket is not read until then.
    else if (this.buffer.length > MAX_HEAD_BYTES) this.socket.pause();
  };

  /** takeBody hands the current request its share of `chunk` (dropped once it was answered); the rest comes back. */
  private takeBody(chunk: Buffer): Buffer | null {
    const n = Math.min(this.bodyLeft, chunk.length);
    this.bodyLeft -= n;
    this.request?.push(n === chunk.length ? chunk : chunk.subarray(0, n), this.bodyLeft === 0);
    if (this.bodyLeft === 0) {
      this.request = null;
      this.stopBodyTimer();
    }
    return n === chunk.length ? null : chunk.subarray(n);
  }

  /** next starts on the next request read whole enough, or passes the connection to node:http. */
  private next(): void {
    while (this.answer === null && this.buffer !== null && !this.ending) {
      const head = readRequestHead(this.buffer, 0);
      if (head === 'partial') {
        const now = performance.now();
        if (this.headSince === 0) this.headSince = now;
        else if (now - this.headSince > this.shared.options.headersTimeoutMs) this.socket.destroy();
        return;
      }
      this.headSince = 0;
      const match = head === 'other' ? undefined : this.shared.proxy.route(head.method, head.url, head.headers);
      if (head === 'other' || match === undefined) {
        this.handOver();
        return;
      }
      let rest: Buffer | null = this.buffer.length === head.size ? null : this.buffer.subarray(head.size);
      const request = new LaneRequest(head, this.socket);
      const answer = new LaneAnswer(this, head);
      this.answer = answer;
      this.bodyLeft = head.bodyLength;
      if (head.bodyLength > 0) {
        this.request = request;
        const limit = this.shared.server.requestTimeout;
        if (limit > 0) this.bodyTimer = setTimeout(this.onRequestTimeout, limit);
        if (rest !== null) rest = this.takeBody(rest);
      }
      this.buffer = rest;
      this.shared.proxy.serveRoute(request, answer, match);
    }
  }

  /** handOver gives the connection, unread bytes first, to node:http, which serves it from here on. */
  private handOver(): void {
    const { socket } = this;
    socket.pause();
    socket.removeListener('data', this.onData);
    socket.removeListener('drain', this.onDrain);
    socket.removeListener('timeout', this.onTimeout);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
    socket.setTimeout(0);
    this.stopBodyTimer();
    this.shared.open.delete(this);
    if (this.buffer !== null) socket.unshift(this.buffer);
    this.buffer = null;
    this.shared.nodeHttp.call(this.shared.server, socket);
    socket.resume();
  }

  private stopBodyTimer(): void {
    if (this.bodyTimer === null) return;
    clearTimeout(this.bodyTimer);
    this.bodyTimer = null;
  }

  // A body still short at requestTimeout (stalled or trickled) would hold the connection for ever: the lane answers
  // as node:http does, by the server's clientError handler (408 REQUEST_TIMEOUT), or ends a discarded body's connection.
  private onRequestTimeout = (): void => {
    this.bodyTimer = null;
    if (this.bodyLeft === 0 || this.ending) return;
    this.ending = true;
    if (this.answer === null || this.answer.headersSent) this.socket.destroy();
    else this.shared.server.emit('clientError', requestTimedOut(), this.socket);
  };

  private onDrain = (): void => {
    this.answer?.drained();
  };

  // Idle past the keep-alive time: closed, as node:http closes it. A request in flight has the upstream's timeouts.
  private onTimeout = (): void => {
    if (this.answer === null) this.socket.destroy();
  };

  // The client stopped sending: as node:http does (its server does not allow half-open connections), the request in
  // flight is given up and the connection ends; 'close' follows.
  private onEnd = (): void => {
    this.ending = true;
    this.socket.end();
  };

  // An error is followed by 'close', which cleans up.
  private onError = (): void => {};

  private onClose = (): void => {
    this.stopBodyTimer();
    this.shared.open.delete(this);
    const answer = this.answer;
    this.answer = null;
    answer?.lost();
  };
}

const requestTimedOut = () => Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
