import { describe, expect, it } from 'vitest';
import { type FollowState, followOrder, type StatusEvent } from './order-stream.ts';

const event = (id: number, status: string) =>
  `id: ${id}\ndata: ${JSON.stringify({ status, at: `2026-01-01T00:00:0${id}Z` })}\n\n`;

/** A streaming response that sends the chunks and then either ends or stays open (as a live stream does). */
function sse(chunks: string[], { stayOpen = false } = {}) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!stayOpen) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

function fakeFetch(answers: Array<(init: RequestInit) => Response | Promise<Response>>) {
  const calls: RequestInit[] = [];
  const fn = (async (_url: string, init: RequestInit) => {
    calls.push(init);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    return answer(init);
  }) as unknown as typeof fetch;
  return { fn, calls };
}

function follow(fetchFn: typeof fetch, poll: () => Promise<StatusEvent> = async () => ({ status: 'PENDING', at: '' })) {
  const statuses: string[] = [];
  const states: FollowState[] = [];
  const errors: number[] = [];
  const handle = followOrder({
    url: '/api/orders/ord_1/events',
    token: () => 'tkn',
    fetch: fetchFn,
    poll,
    onStatus: (e) => statuses.push(e.status),
    onState: (s) => states.push(s),
    onError: (e) => errors.push(e.status),
    retryDelaysMs: [5, 5, 5],
    pollEveryMs: 5,
    idleTimeoutMs: 200,
  });
  return { handle, statuses, states, errors };
}

describe('followOrder', () => {
  it('delivers each status from the stream, with the bearer token, and stops at a final state', async () => {
    const { fn, calls } = fakeFetch([
      () =>
        sse([event(1, 'PENDING'), event(2, 'CONFIRMED'), event(3, 'SHIPPED'), event(4, 'DELIVERED')], {
          stayOpen: true,
        }),
    ]);
    const { handle, statuses, states } = follow(fn);
    await handle.done;
    expect(statuses).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    expect(calls).toHaveLength(1);
    expect((calls[0].headers as Record<string, string>).authorization).toBe('Bearer tkn');
    expect(states).toEqual(['connecting', 'live', 'done']);
  });

  it('reconnects when the stream drops before a final state', async () => {
    const { fn, calls } = fakeFetch([
      () => sse([event(1, 'PENDING'), event(2, 'CONFIRMED')]),
      () => sse([event(1, 'PENDING'), event(2, 'CONFIRMED'), event(3, 'SHIPPED'), event(4, 'DELIVERED')]),
    ]);
    const { handle, statuses, states } = follow(fn);
    await handle.done;
    expect(calls).toHaveLength(2);
    expect(statuses.at(-1)).toBe('DELIVERED');
    expect(states).toContain('reconnecting');
  });

  it('treats a silent stream as dropped and reconnects', async () => {
    const { fn, calls } = fakeFetch([
      () => sse([event(1, 'CONFIRMED')], { stayOpen: true }),
      () => sse([event(1, 'CONFIRMED'), event(2, 'DELIVERED')]),
    ]);
    const { handle, statuses } = follow(fn);
    await handle.done;
    expect(calls).toHaveLength(2);
    expect(statuses.at(-1)).toBe('DELIVERED');
  });

  it('falls back to polling when streaming keeps failing', async () => {
    const { fn, calls } = fakeFetch([
      () => new Response('bad gateway', { status: 502 }),
      () => Promise.reject(new TypeError('network down')),
    ]);
    const polled = ['CONFIRMED', 'SHIPPED', 'DELIVERED'];
    const { handle, statuses, states } = follow(
      fn,
      async () => ({ status: polled.shift() ?? 'DELIVERED', at: '' }) as StatusEvent,
    );
    await handle.done;
    expect(calls).toHaveLength(4);
    expect(statuses).toEqual(['CONFIRMED', 'SHIPPED', 'DELIVERED']);
    expect(states).toContain('polling');
  });

  it('gives up at once on an answer that retrying cannot fix (401)', async () => {
    const { fn, calls } = fakeFetch([
      () =>
        new Response(JSON.stringify({ code: 'UNAUTHENTICATED' }), {
          status: 401,
          headers: { 'content-type': 'application/problem+json' },
        }),
    ]);
    const { handle, errors, statuses } = follow(fn);
    await handle.done;
    expect(calls).toHaveLength(1);
    expect(errors).toEqual([401]);
    expect(statuses).toEqual([]);
  });

  it('stops when asked, without reporting an error', async () => {
    const { fn } = fakeFetch([() => sse([event(1, 'CONFIRMED')], { stayOpen: true })]);
    const { handle, statuses, errors, states } = follow(fn);
    await new Promise((r) => setTimeout(r, 20));
    handle.stop();
    await handle.done;
    expect(statuses).toEqual(['CONFIRMED']);
    expect(errors).toEqual([]);
    expect(states.at(-1)).toBe('done');
  });
});
