import type { Logger } from '@bazaar/kit/telemetry';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  retry,
} from 'cockatiel';
import { request } from 'undici';
import type { BreakerState, CallOptions, Try } from './provider.ts';

// resilient-http: one POST-JSON helper with the resilience both wallet adapters share, so they cannot drift apart.

export type ResilienceOptions = {
  timeoutMs?: number; // per HTTP call; default 1500
  retries?: number; // extra attempts on 5xx / connection errors only; default 2
  backoffMs?: number; // first backoff delay (exponential, jittered); default 100
  breakerThreshold?: number; // consecutive failed calls that open the breaker; default 5
  halfOpenAfterMs?: number; // how long the breaker stays open before a trial call; default 10 000
  observer?: ProviderObserver; // spans and log lines of the calls; none in unit tests of the formats
};

/** Where a provider's calls are seen: a client span per call, a line per retry, failure and breaker change. */
export type ProviderObserver = { provider: string; tracer: Tracer; log: Logger };

export type PostResult =
  | { ok: true; status: number; body: Record<string, unknown> }
  | { ok: false; reason: NonNullable<Try['failure']> | 'breaker_open'; message: string };

// RetryableError: 5xx or a connection failure; the request is idempotent by txn ref, so repeating it is safe.
class RetryableError extends Error {
  readonly reason: 'server_error' | 'connection';
  constructor(reason: 'server_error' | 'connection', message: string) {
    super(message);
    this.reason = reason;
  }
}
// TimeoutError: not retried, the provider may still complete the debit; the caller inquires instead.
class TimeoutError extends Error {}
// AbortedError: the caller gave up; never counted against the provider.
class AbortedError extends Error {}
// BadResponseError: an answer we cannot parse; counted, not retried.
class BadResponseError extends Error {}
// DEADLINE: the abort reason of a call past its timeout, one for all (undici only passes it on).
const DEADLINE = new Error('provider call deadline');

export type ResilientPoster = {
  /** `onTry` hears of each request sent, the ones retried inside too, once the post is over. */
  post(
    url: string,
    body: Record<string, unknown>,
    headers: Record<string, string>,
    call?: CallOptions,
  ): Promise<PostResult>;
  breakerState(): BreakerState;
};

export function createResilientPoster(options: ResilienceOptions = {}): ResilientPoster {
  const timeoutMs = options.timeoutMs ?? 1500;
  const retryPolicy = retry(
    handleWhen((e) => e instanceof RetryableError),
    {
      maxAttempts: options.retries ?? 2,
      backoff: new ExponentialBackoff({ initialDelay: options.backoffMs ?? 100, maxDelay: 2000 }),
    },
  );
  // A provider that refuses connections, fails with 5xx or answers garbage opens the breaker; a timeout does not: it
  // may be one transaction's (the sandbox's wallet 03000000003), and opening on it would turn every other wallet away
  // for halfOpenAfter, while the provider's deadline already bounds how long a hanging provider holds an order.
  const breaker = circuitBreaker(
    handleWhen((e) => e instanceof RetryableError || e instanceof BadResponseError),
    {
      halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    },
  );

  const seen = options.observer;
  if (seen) {
    const { provider, log } = seen;
    retryPolicy.onRetry((r) =>
      log.warn({ provider, attempt: r.attempt, err: errorText(r) }, 'provider call failed; retrying'),
    );
    breaker.onBreak(() => log.error({ provider }, 'provider circuit breaker opened'));
    breaker.onHalfOpen(() => log.info({ provider }, 'provider circuit breaker half-open: trying a call'));
    breaker.onReset(() => log.info({ provider }, 'provider circuit breaker closed'));
  }

  type Sent = Omit<Try, 'retried'>;
  async function once(
    url: string,
    payload: string,
    headers: Record<string, string>,
    sent: Sent[],
    outer?: AbortSignal,
  ) {
    // A timer cleared on the answer, not AbortSignal.timeout: that one outlives the call (undici's listener keeps it)
    // and builds a DOMException when it fires, long after the answer, on every call.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(DEADLINE), timeoutMs);
    const signal = outer ? AbortSignal.any([deadline.signal, outer]) : deadline.signal;
    const tried: Sent = { startedAt: new Date().toISOString(), durationMs: 0 };
    const start = performance.now();
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: payload,
        signal,
      });
      tried.status = res.statusCode;
      const text = await res.body.text();
      if (res.statusCode >= 500) throw new RetryableError('server_error', `provider answered HTTP ${res.statusCode}`);
      const body = parseObject(text);
      if (!body) throw new BadResponseError(`provider answered HTTP ${res.statusCode} without a JSON object`);
      return { status: res.statusCode, body };
    } catch (e) {
      const err = classified(e, deadline.signal, outer);
      tried.failure = reasonOf(err);
      throw err;
    } finally {
      clearTimeout(timer);
      tried.durationMs = Math.round(performance.now() - start);
      sent.push(tried);
    }
  }

  // classified: what ended a request, in the terms the retry policy and the breaker act on.
  function classified(e: unknown, deadline: AbortSignal, outer?: AbortSignal): Error {
    if (e instanceof RetryableError || e instanceof BadResponseError) return e;
    if (outer?.aborted) return new AbortedError('aborted by caller');
    if (deadline.aborted) return new TimeoutError(`no answer within ${timeoutMs} ms`);
    return new RetryableError('connection', `connection failed: ${(e as Error).message}`);
  }

  return {
    async post(url, body, headers, { signal, onTry } = {}) {
      const payload = JSON.stringify(body);
      const path = new URL(url).pathname;
      const span = seen?.tracer.startSpan(`POST ${seen.provider}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'peer.service': seen.provider, 'http.request.method': 'POST', 'url.path': path },
      });
      let result: PostResult;
      const sent: Sent[] = [];
      try {
        const res = await breaker.execute(() => retryPolicy.execute(() => once(url, payload, headers, sent, signal)));
        result = { ok: true, ...res };
      } catch (e) {
        result = failure(e);
      } finally {
        // Every request but the last was retried: each is a call the provider saw, and the audit trail keeps it.
        for (const [i, t] of sent.entries()) onTry?.({ ...t, retried: i < sent.length - 1 });
      }
      if (span) {
        if (result.ok) span.setAttribute('http.response.status_code', result.status);
        else {
          span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
          if (result.reason !== 'aborted')
            seen!.log.warn(
              { provider: seen!.provider, path, reason: result.reason, err: result.message },
              'provider call failed',
            );
        }
        span.end();
      }
      return result;
    },
    breakerState() {
      if (breaker.state === CircuitState.Closed) return 'closed';
      if (breaker.state === CircuitState.HalfOpen) return 'half-open';
      return 'open';
    },
  };
}

function failure(e: unknown): PostResult {
  const message = e instanceof Error ? e.message : String(e);
  if (isBrokenCircuitError(e)) return { ok: false, reason: 'breaker_open', message: 'circuit breaker open' };
  return { ok: false, reason: reasonOf(e), message };
}

function reasonOf(e: unknown): NonNullable<Try['failure']> {
  if (e instanceof RetryableError) return e.reason;
  if (e instanceof TimeoutError) return 'timeout';
  if (e instanceof BadResponseError) return 'bad_response';
  if (e instanceof AbortedError || isTaskCancelledError(e)) return 'aborted';
  throw e;
}

const errorText = (r: { error: unknown } | { value: unknown }) =>
  'error' in r ? (r.error instanceof Error ? r.error.message : String(r.error)) : 'bad answer';

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
