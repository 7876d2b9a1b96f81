// Calls to another service's REST API: trace context, request id and the internal key go along; problems come back typed.
import { context, propagation, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { Pool } from 'undici';
import type { Caller } from '../server/auth.ts';
import { AppError } from '../server/errors.ts';
import { requestIdKey } from '../telemetry/tracing.ts';

/** An upstream answered with a problem or could not be reached; `problem` is what it said, when it said anything. */
export class UpstreamError extends Error {
  readonly status: number;
  readonly problem?: Record<string, unknown>;
  constructor(status: number, message: string, problem?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
  get code(): string | undefined {
    return this.problem?.code as string | undefined;
  }
}

export type CallOptions = {
  body?: unknown;
  caller?: Caller | null;
  timeoutMs?: number;
  headers?: Record<string, string>;
};

export type Client = {
  call<T>(method: string, path: string, options?: CallOptions): Promise<T>;
  close(): Promise<void>;
};

const unreachable = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'EHOSTUNREACH',
]);

/**
 * createClient talks to one service; baseUrl may list replicas separated by commas. Calls go round robin, and a
 * call that could not reach a replica at all moves on to the next (the internal APIs are idempotent).
 */
export function createClient(name: string, baseUrl: string, tracer: Tracer, internalKey?: string): Client {
  const pools = baseUrl.split(',').map((url) => new Pool(url.trim(), { connections: 32, pipelining: 1 }));
  let next = 0;
  const send = async (request: Parameters<Pool['request']>[0]) => {
    for (let attempt = 0; ; attempt++) {
      const pool = pools[next++ % pools.length];
      try {
        return await pool.request(request);
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (!unreachable.has(code) || attempt + 1 >= pools.length) throw err;
      }
    }
  };
  return {
    async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
      const span = tracer.startSpan(`${method} ${name}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'url.path': path.split('?')[0], 'peer.service': name },
      });
      const ctx = trace.setSpan(context.active(), span);
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      propagation.inject(ctx, headers);
      const requestId = context.active().getValue(requestIdKey);
      if (typeof requestId === 'string') headers['x-request-id'] = requestId;
      if (internalKey) headers['x-internal-key'] = internalKey;
      if (options.caller)
        Object.assign(headers, { 'x-user-id': options.caller.id, 'x-user-role': options.caller.role });
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      try {
        const res = await send({
          method: method as 'GET',
          path,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          headersTimeout: options.timeoutMs ?? 5000,
          bodyTimeout: options.timeoutMs ?? 5000,
        });
        span.setAttribute('http.response.status_code', res.statusCode);
        const text = await res.body.text();
        const json = text ? JSON.parse(text) : undefined;
        if (res.statusCode >= 400) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw new UpstreamError(res.statusCode, `${name} answered ${res.statusCode}`, json);
        }
        return json as T;
      } catch (err) {
        if (err instanceof UpstreamError) throw err;
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        throw new UpstreamError(503, `${name} is unreachable: ${(err as Error).message}`);
      } finally {
        span.end();
      }
    },
    close: async () => void (await Promise.all(pools.map((p) => p.close()))),
  };
}

/** passThrough turns an upstream's 4xx problem into our own error with the same code, for answers we relay. */
export function passThrough(err: unknown): never {
  if (err instanceof UpstreamError && err.problem && err.status < 500)
    throw new AppError(String(err.problem.code), err.status, String(err.problem.detail ?? err.message));
  throw err;
}
