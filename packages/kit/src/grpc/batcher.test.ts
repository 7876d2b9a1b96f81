import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { describe, expect, it } from 'vitest';
import { requestIdIn, withRequestId } from '../telemetry/request-context.ts';
import { createBatcher } from './batcher.ts';
import { currentDeadline, withDeadline } from './deadline.ts';

/** A send whose batches the test answers by hand, in the order they were sent. */
function handSend() {
  const sent: { items: number[]; answer(fail?: Error): void }[] = [];
  const send = (items: number[]) =>
    new Promise<string[]>((resolve, reject) =>
      sent.push({ items, answer: (fail) => (fail ? reject(fail) : resolve(items.map((n) => `#${n}`))) }),
    );
  return { sent, send };
}
// Deadlines travel in the context, as in every service (telemetry/tracing.ts installs the same manager).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracer = trace.getTracer('test');
/** Lets answered batches settle and the batcher's next turn of the event loop run. */
const turn = async () => {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
};

describe('createBatcher', () => {
  it('sends a call at once when no batch is in flight, and gathers the calls that arrive meanwhile', async () => {
    const { sent, send } = handSend();
    const call = createBatcher({ name: 'test/Call', send, tracer, maxInFlight: 1 });
    const first = call(1);
    await turn();
    expect(sent.map((b) => b.items)).toEqual([[1]]);
    const later = [call(2), call(3), call(4)];
    await turn();
    expect(sent).toHaveLength(1); // waiting for the batch in flight
    sent[0].answer();
    expect(await first).toBe('#1');
    await turn();
    expect(sent.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    sent[1].answer();
    expect(await Promise.all(later)).toEqual(['#2', '#3', '#4']);
  });

  it('keeps at most maxInFlight batches of at most maxBatch items in flight', async () => {
    const { sent, send } = handSend();
    const call = createBatcher({ name: 'test/Call', send, tracer, maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((n) => call(n));
    await turn();
    expect(sent.map((b) => b.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    sent[1].answer();
    await turn();
    expect(sent.map((b) => b.items)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    sent[0].answer();
    sent[2].answer();
    await turn();
    sent[3].answer();
    expect(await Promise.all(all)).toEqual(['#1', '#2', '#3', '#4', '#5', '#6', '#7']);
  });

  it('fails every item of a batch that throws, and only those', async () => {
    const { sent, send } = handSend();
    const call = createBatcher({ name: 'test/Call', send, tracer, maxInFlight: 1 });
    const first = call(1);
    await turn();
    const second = call(2);
    sent[0].answer(new Error('upstream down'));
    await expect(first).rejects.toThrow('upstream down');
    await turn();
    sent[1].answer();
    expect(await second).toBe('#2');
  });

  it('fails the batch when the answers do not match the items one for one', async () => {
    const call = createBatcher({ name: 'test/Call', send: async () => ['only one'], tracer });
    const both = [call(1), call(2)].map((p) => p.catch((e: Error) => e.message));
    expect(await Promise.all(both)).toEqual(['test/Call: 1 answers for 2 items', 'test/Call: 1 answers for 2 items']);
  });

  it("runs a batch until the last of its callers' deadlines, and without one when a caller has none", async () => {
    const seen: (number | undefined)[] = [];
    const call = createBatcher({
      name: 'test/Call',
      tracer,
      maxInFlight: 1,
      send: async (items: number[]) => {
        seen.push(currentDeadline());
        return items;
      },
    });
    const within = (at: number | undefined, n: number) =>
      context.with(at === undefined ? context.active() : withDeadline(context.active(), at), () => call(n));
    await Promise.all([within(1_000, 1), within(3_000, 2), within(2_000, 3)]);
    await Promise.all([within(1_000, 4), within(undefined, 5)]);
    expect(seen).toEqual([3_000, undefined]);
  });

  it('sends a batch with the request id of its first caller, so the call it makes names a request', async () => {
    const seen: (string | undefined)[] = [];
    const call = createBatcher({
      name: 'test/Call',
      tracer,
      maxInFlight: 1,
      send: async (items: number[]) => {
        seen.push(requestIdIn(context.active()));
        return items;
      },
    });
    const within = (requestId: string | undefined, n: number) =>
      context.with(requestId ? withRequestId(context.active(), requestId) : context.active(), () => call(n));
    await within('req-1', 1);
    await Promise.all([within('req-2', 2), within('req-3', 3)]);
    await within(undefined, 4);
    expect(seen).toEqual(['req-1', 'req-2', undefined]);
  });
});
