// order-stream: follows an order's status live. EventSource cannot send a bearer token, so this reads
// `GET /api/orders/{id}/events` with fetch and a stream parser, reconnects when the stream drops, and falls back
// to polling the order when streaming keeps failing.
import { FINAL_STATUSES, isFinal, type OrderStatus } from '@bazaar/web-kit/api-types';
import { createSseParser } from './sse.ts';

export { FINAL_STATUSES, isFinal, type OrderStatus };
export type StatusEvent = { status: OrderStatus; at: string; detail?: string };
export type FollowState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'done';

/** A stop reason the follower cannot fix by trying again (the caller must log in again, say). */
export class FollowError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(`order stream answered ${status}`);
    this.status = status;
    this.body = body;
  }
}

export type FollowOptions = {
  /** The events URL, `/api/orders/{id}/events`. */
  url: string;
  token: () => string | undefined;
  /** Reads the order's current status, for the polling fallback. */
  poll: () => Promise<StatusEvent>;
  onStatus: (event: StatusEvent) => void;
  onState?: (state: FollowState) => void;
  onError?: (error: FollowError) => void;
  fetch?: typeof fetch;
  /** Delays before each reconnection; after the last one the follower polls instead. */
  retryDelaysMs?: readonly number[];
  pollEveryMs?: number;
  /** A stream silent for this long (the server sends keep-alives) is treated as dropped. */
  idleTimeoutMs?: number;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/** followOrder runs until the order reaches a final state, a fatal answer, or stop() is called. */
export function followOrder(options: FollowOptions): { stop: () => void; done: Promise<void> } {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const retryDelays = options.retryDelaysMs ?? [500, 1_000, 2_000, 4_000];
  const pollEvery = options.pollEveryMs ?? 2_000;
  const idleTimeout = options.idleTimeoutMs ?? 45_000;
  const stopper = new AbortController();
  const { signal } = stopper;
  let finished = false;
  let lastState: FollowState | undefined;

  const setState = (state: FollowState) => {
    if (state === lastState) return;
    lastState = state;
    options.onState?.(state);
  };
  const deliver = (event: StatusEvent) => {
    if (signal.aborted) return;
    options.onStatus(event);
    if (isFinal(event.status)) finished = true;
  };

  /** Reads one connection to its end; answers whether any event arrived, throws FollowError when fatal. */
  async function streamOnce(): Promise<boolean> {
    const connection = new AbortController();
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    // Cancelling the reader too ends a pending read whatever the fetch implementation does with the signal.
    const abort = () => {
      connection.abort();
      reader?.cancel().catch(() => {});
    };
    signal.addEventListener('abort', abort);
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(abort, idleTimeout);
    };
    let received = false;
    try {
      const token = options.token();
      arm();
      const res = await doFetch(options.url, {
        headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        signal: connection.signal,
        cache: 'no-store',
      });
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        const body = await res.json().catch(() => undefined);
        throw new FollowError(res.status, body);
      }
      if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream'))
        return false;
      setState('live');
      const parser = createSseParser((e) => {
        if (e.type !== 'status' && e.type !== 'message') return;
        try {
          const parsed = JSON.parse(e.data) as StatusEvent;
          if (typeof parsed.status === 'string') {
            received = true;
            deliver(parsed);
          }
        } catch {
          // A malformed event is skipped; the next one or a poll brings the truth.
        }
      });
      reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        parser.feed(decoder.decode(value, { stream: true }));
        if (finished || signal.aborted) {
          await reader.cancel().catch(() => {});
          break;
        }
      }
      parser.feed(decoder.decode());
      parser.end();
      return received;
    } catch (error) {
      if (error instanceof FollowError) throw error;
      return received;
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', abort);
    }
  }

  async function run() {
    setState('connecting');
    let failures = 0;
    while (!finished && !signal.aborted) {
      const progressed = await streamOnce();
      if (finished || signal.aborted) break;
      // A stream that delivered events and then dropped is a fresh start, not a repeated failure.
      failures = progressed ? 1 : failures + 1;
      if (failures > retryDelays.length) break;
      setState('reconnecting');
      await sleep(retryDelays[failures - 1], signal);
    }
    while (!finished && !signal.aborted) {
      setState('polling');
      try {
        deliver(await options.poll());
      } catch (error) {
        if (error instanceof FollowError) throw error;
      }
      if (!finished) await sleep(pollEvery, signal);
    }
  }

  const done = run()
    .catch((error: unknown) => {
      if (error instanceof FollowError && !signal.aborted) options.onError?.(error);
    })
    .finally(() => setState('done'));

  return { stop: () => stopper.abort(), done };
}
