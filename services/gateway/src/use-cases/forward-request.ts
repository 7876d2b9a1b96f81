// Forwarding: the request goes to a healthy replica with identity and trace context, moves to another replica when
// that is safe, and the answer streams back as it comes. The hop has no span of its own: the service's SERVER span is
// a child of the gateway's, which names the upstream (peer.service) and, when the hop failed, why (error.type).
import { AppError } from '@bazaar/kit/server';
import type { Logger } from '@bazaar/kit/telemetry';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type Call, type EdgeResponse, endSpan, writeProblem } from '../api/call.ts';
import type { RelayControl, RelayHandler } from '../clients/relay-connections.ts';
import type { Replica, Upstream } from '../clients/upstreams.ts';
import { answerHeaders, upstreamHeaders } from './forward-headers.ts';
import { brokenConnection, closes, isIdempotent, notConnected, problemFor, serviceDown } from './forward-retry.ts';

export type Forward = (call: Call, upstream: Upstream) => void;

export type ForwardOptions = {
  log: Logger;
  registry: Registry;
  internalKey: string;
  /** Behind a load balancer: the client's X-Forwarded-For is extended rather than replaced. */
  trustProxy: boolean;
  /** How long a replica may take to send its status line and headers. */
  headersTimeoutMs: number;
  /** Longest silence between two pieces of an answer body (event streams included). */
  idleTimeoutMs: number;
  /** Event streams one client (a user, or an address when anonymous) may hold open at once; more are 429. */
  streamsPerClient: number;
};

// Answers up to this size with a known length are gathered and written with their head in one go: one write.
const GATHERED_MAX_BYTES = 64 * 1024;
/** Forwarder: `forward` handles one request; `drain`, when the gateway stops, ends open event streams and keep-alive. */
export type Forwarder = { forward: Forward; drain(): void };

type Exchange = {
  call: Call;
  res: EdgeResponse;
  up: Upstream;
  headers: Record<string, string | string[]>;
  controller: RelayControl | null;
  /** The replicas that failed this request so far, in order; null until one does. */
  tried: Replica[] | null;
  /** Ends the current attempt's claim on its replica's pending count (once). */
  settle: () => void;
  /** Set when the gateway stops: the stream is ended cleanly rather than cut. */
  ending: boolean;
  /** The client an open event stream is counted against; null when the answer is not a stream. */
  streamOf: string | null;
  /** Set once an answer's status is decided: from then on nothing is retried (a failure cuts the connection once the
   * head is out, and is a 502 problem before). */
  answered: boolean;
};

export function forwarder(options: ForwardOptions): Forwarder {
  const { log, internalKey, trustProxy, headersTimeoutMs, idleTimeoutMs } = options;
  const failures = new Counter({
    name: 'gateway_upstream_failures_total',
    help: 'Forwarded requests that failed at an upstream, by upstream and reason',
    labelNames: ['upstream', 'reason'] as const,
    registers: [options.registry],
  });
  const streams = new Set<Exchange>();
  const streamsOf = new Map<string, number>();
  new Gauge({
    name: 'gateway_open_event_streams',
    help: 'Event streams the gateway holds open to the services',
    registers: [options.registry],
    collect() {
      this.set(streams.size);
    },
  });
  let draining = false;

  /** admitStream counts an event stream against its client, unless the client holds as many as it may already. */
  function admitStream(x: Exchange): boolean {
    const client = x.call.caller ? `user:${x.call.caller.id}` : `ip:${x.call.ip}`;
    const open = streamsOf.get(client) ?? 0;
    if (open >= options.streamsPerClient) return false;
    streamsOf.set(client, open + 1);
    x.streamOf = client;
    streams.add(x);
    return true;
  }

  function streamClosed(x: Exchange): void {
    streams.delete(x);
    if (x.streamOf === null) return;
    const left = (streamsOf.get(x.streamOf) ?? 1) - 1;
    if (left > 0) streamsOf.set(x.streamOf, left);
    else streamsOf.delete(x.streamOf);
    x.streamOf = null;
  }

  function forward(call: Call, up: Upstream): void {
    const { res } = call;
    call.span?.setAttribute('peer.service', up.name);
    const headers = upstreamHeaders(call, internalKey, trustProxy);
    const x: Exchange = {
      call,
      res,
      up,
      headers,
      controller: null,
      tried: null,
      settle: noop,
      ending: false,
      streamOf: null,
      answered: false,
    };
    res.on('close', () => {
      streamClosed(x);
      x.settle();
      if (res.writableFinished) return;
      // The client went away: stop the upstream's work (an event stream, a slow answer) and close the span.
      x.controller?.abort(new Error('client closed the connection'));
      endSpan(call);
    });
    // pick answers a replica whenever nothing was tried yet: there is at least one.
    send(x, up.pick() as Replica);
  }

  function send(x: Exchange, replica: Replica): void {
    const { req, body } = x.call;
    replica.pending++;
    let settled = false;
    x.settle = () => {
      if (settled) return;
      settled = true;
      replica.pending--;
    };
    replica.relay.dispatch(
      {
        path: req.url as string,
        method: req.method as string,
        headers: x.headers,
        body,
        headersTimeoutMs,
        bodyTimeoutMs: idleTimeoutMs,
      },
      relay(x, replica),
    );
  }

  /**
   * retryTarget answers the replica to try next after `replica` failed this request, or undefined when there is none
   * left or nothing may be retried: the answer's status already went out.
   */
  function retryTarget(x: Exchange, replica: Replica): Replica | undefined {
    if (x.answered || x.res.headersSent || x.res.destroyed || draining) return undefined;
    const tried = x.tried ?? [];
    tried.push(replica);
    x.tried = tried;
    return tried.length < x.up.replicas.length ? x.up.pick(tried) : undefined;
  }

  /** passOver ends a closing replica's dropped refusal: on to the next replica, or a 503 problem document. */
  function passOver(x: Exchange, next: Replica | undefined): void {
    if (next) {
      send(x, next);
      return;
    }
    x.call.span?.setAttribute('error.type', 'REPLICA_CLOSING');
    x.call.failure = { upstream: x.up.name, reason: 'REPLICA_CLOSING' };
    writeProblem(x.call, serviceDown(x.up.name));
  }

  function relay(x: Exchange, replica: Replica): RelayHandler {
    const { call, res, up } = x;
    const { req } = call;
    // A closing replica's 502/503 is read off the connection and dropped: another replica answers instead (retryOn),
    // or, when the request may not be repeated, the client gets a problem document rather than the bare refusal.
    let discard = false;
    let retryOn: Replica | undefined;
    // A small answer of known length waits here for its end, then leaves with its head in one write.
    let gathered: Buffer[] | null = null;
    let status = 0;
    let head: Record<string, string | string[]> | null = null;
    return {
      onStart(controller) {
        x.controller = controller;
        if (res.destroyed) controller.abort(new Error('client closed the connection'));
      },
      onHeaders(statusCode, answer) {
        if ((statusCode === 502 || statusCode === 503) && closes(answer)) {
          // A replica that is shutting down refuses new work this way: no more traffic for it, and an idempotent
          // request goes to another replica once this answer has been read off the connection.
          const reason = `HTTP_${statusCode}_CLOSING`;
          up.down(replica, reason);
          failures.inc({ upstream: up.name, reason });
          if (isIdempotent(req)) retryOn = retryTarget(x, replica);
          discard = retryOn !== undefined || !String(answer['content-type']).startsWith('application/problem+json');
          if (discard) return;
        } else if (statusCode === 503 && isIdempotent(req)) {
          // A replica with no room (a cap of its own) need not speak for the others: an idempotent request tries the
          // next one, and the replica stays in use. When every one is full, the last one's answer goes out as it is.
          retryOn = retryTarget(x, replica);
          discard = retryOn !== undefined;
          if (discard) return void failures.inc({ upstream: up.name, reason: 'HTTP_503' });
        }
        const headers = answerHeaders(answer, call.id, call.traceId);
        if (draining) headers.connection = 'close';
        x.answered = true;
        const type = answer['content-type'];
        const length = Number(answer['content-length']);
        if (length <= GATHERED_MAX_BYTES && !String(type).startsWith('text/event-stream')) {
          [gathered, status, head] = [[], statusCode, headers];
          return;
        }
        // A HEAD's answer has no body, whatever its type says: it holds nothing open.
        const stream = req.method !== 'HEAD' && typeof type === 'string' && type.startsWith('text/event-stream');
        if (stream && !admitStream(x)) {
          writeProblem(call, tooManyStreams(options.streamsPerClient));
          x.controller?.abort(new Error('too many open event streams'));
          return;
        }
        res.writeHead(statusCode, headers);
        if (stream) {
          // An event stream's headers go out at once (the first event may be a while); stopping ends it. It holds its
          // socket for as long as it lasts: out of the pool, and it no longer weighs on the choice of replica.
          res.flushHeaders();
          x.controller?.detach();
          x.settle();
        }
      },
      onData(chunk) {
        if (discard) return;
        if (gathered) {
          gathered.push(chunk);
          return;
        }
        if (!res.write(chunk)) {
          x.controller?.pause();
          res.once('drain', () => x.controller?.resume());
        }
      },
      onEnd() {
        x.settle();
        if (discard) return passOver(x, retryOn);
        if (gathered && head) {
          res.writeHead(status, head);
          const body = gathered.length === 1 ? gathered[0] : Buffer.concat(gathered);
          // A latin1 string (bytes unchanged) is joined to the head string by node:http: one socket write, no writev.
          res.end(body.toString('latin1'), 'latin1');
        } else res.end();
      },
      onError(err) {
        x.settle();
        if (x.ending) {
          res.end();
          return;
        }
        if (res.destroyed || res.writableEnded) return; // the client left first; its close handler cleaned up
        if (discard) return passOver(x, retryOn); // the refusal broke off: what follows it is decided already
        const code = err.code;
        const reason = code || 'ERROR';
        const facts = { upstream: up.name, replica: replica.url, reason, traceId: call.traceId, requestId: call.id };
        failures.inc({ upstream: up.name, reason });
        const unsent = notConnected.has(code);
        const broken = brokenConnection.has(code);
        if (unsent || broken) up.down(replica, reason);
        // Nothing reached the replica: any request may go elsewhere. It went out and the connection broke before an
        // answer: only a request that means the same when repeated.
        const next = unsent || (broken && isIdempotent(req)) ? retryTarget(x, replica) : undefined;
        if (next) {
          log.debug(facts, 'retrying on another replica');
          return send(x, next);
        }
        call.span?.setAttribute('error.type', reason);
        if (res.headersSent) {
          // Mid-answer the status is gone already: the only honest signal left is a cut connection.
          log.warn(facts, 'upstream answer broke off');
          res.destroy();
        } else {
          // Logged once the answer is out, with its status (proxy-edge.ts).
          call.failure = { upstream: up.name, replica: replica.url, reason };
          writeProblem(call, problemFor(up.name, err));
        }
      },
    };
  }

  return {
    forward,
    drain() {
      draining = true;
      for (const x of streams) {
        x.ending = true;
        x.controller?.abort(new Error('the gateway is stopping'));
      }
    },
  };
}

const tooManyStreams = (limit: number) =>
  new AppError('RATE_LIMITED', 429, `At most ${limit} event streams may be open at once. Close one and try again.`, {
    retryAfter: 5,
  });

const noop = () => {};
