// One proxied request as the hot path carries it: the raw request and response, its ids, span and caller.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { type AppError, type Caller, problemOf, retryAfterOf } from '@bazaar/kit/server';
import { type Span, SpanStatusCode } from '@opentelemetry/api';

/** What the hot path reads of a request: node:http's IncomingMessage, or the fast lane's (fast-lane.ts). */
export type EdgeRequest = {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  socket: Socket;
  /** The body: 'data' with each piece, then 'end'. */
  on(event: 'data' | 'end', listener: (chunk: Buffer) => void): unknown;
};

/** What the hot path does with an answer: node:http's ServerResponse, or the fast lane's. */
export type EdgeResponse = {
  statusCode: number;
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers: Record<string, string | string[] | number>): unknown;
  flushHeaders(): void;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(data: string): unknown;
  end(data: string, encoding: 'latin1' | 'utf8'): unknown;
  destroy(): unknown;
  /** 'close' once: after the answer is out (writableFinished) or when the client left before. */
  on(event: 'close', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
};

export type Call = {
  req: EdgeRequest;
  res: EdgeResponse;
  /** The x-request-id: the client's when valid, else a new one. */
  id: string;
  /** The SERVER span; undefined once ended. */
  span: Span | undefined;
  traceId: string;
  /** The W3C traceparent the upstream hears: this trace, the SERVER span as parent. */
  traceparent: string;
  /** The route that matched, as spans and metrics name it: `/api/orders/:id`, or the route table's `/api/orders/*`. */
  route: string;
  /** The verified caller the service will hear; null: anonymous. */
  caller: Caller | null;
  /** The request body, read whole and counted against the limit; null when there is none. */
  body: Buffer | null;
  /** The client's address (X-Forwarded-For's last entry, the one the trusted proxy appended) and protocol. */
  ip: string;
  protocol: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** The problem the gateway answered itself, when it did (not a service's answer passed through); else null. */
  problem: AppError | null;
  /** Why the hop to the service failed, when it did (error.type on the span); else null. */
  failure: HopFailure | null;
};

/** A hop that failed: the service, the replica that failed last, and why (`ECONNREFUSED`, `HEADERS_TIMEOUT`…). */
export type HopFailure = { upstream: string; replica?: string; reason: string };

/** writeProblem answers a call with an RFC 9457 problem document; `retry-after` goes along when the error has one. */
export function writeProblem(call: Call, error: AppError): void {
  const { res } = call;
  if (res.headersSent || res.destroyed) return;
  call.problem = error;
  const body = JSON.stringify(problemOf(error, call.traceId));
  const headers: Record<string, string | number> = {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': call.id,
    'x-trace-id': call.traceId,
  };
  const retryAfter = retryAfterOf(error);
  if (retryAfter) headers['retry-after'] = retryAfter;
  res.writeHead(error.status, headers);
  res.end(body);
}

/** endSpan closes the call's SERVER span; a response the client abandoned ends it too, without a status. */
export function endSpan(call: Call, status?: number): void {
  const span = call.span;
  if (!span) return;
  call.span = undefined;
  if (status !== undefined) {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
