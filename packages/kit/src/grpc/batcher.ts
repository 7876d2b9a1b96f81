// Gathering calls: while a batch is in flight, the calls that arrive wait and go together in the next one. A call
// that finds no batch in flight goes at once (after the I/O callbacks of this turn of the event loop), so a quiet
// system waits for nothing, and a busy one sends fewer, larger calls: fewer messages, transactions and wake-ups.
import { type Context, context, type Link, ROOT_CONTEXT, type Span, type Tracer, trace } from '@opentelemetry/api';
import { Histogram, type Registry } from 'prom-client';
import { requestIdIn, withRequestId } from '../telemetry/request-context.ts';
import { MAX_BATCH } from './batch-outcomes.ts';
import { currentDeadline, withDeadline } from './deadline.ts';

export type BatcherOptions<I, O> = {
  /** The call's name in spans: `inventory/Reserve`. */
  name: string;
  /** Answers a batch, one answer per item in the items' order; a throw fails every item of the batch. */
  send(items: I[]): Promise<O[]>;
  tracer: Tracer;
  /** The most items in one batch; default MAX_BATCH (100), what a batch method takes. */
  maxBatch?: number;
  /** The most batches in flight at once; default 2 (one per replica of a pair). */
  maxInFlight?: number;
  /** Where batch_items{call} is registered: how many items each batch carried. */
  registry?: Registry;
};

type Waiting<I, O> = {
  item: I;
  span: Span;
  /** The deadline of the work the call was made for, if any. */
  deadline?: number;
  /** The id of the request the call was made for, if any. */
  requestId?: string;
  resolve(o: O): void;
  reject(e: unknown): void;
};

/**
 * createBatcher answers each item as `send` answers it within its batch. Each item has a span in its caller's trace;
 * the batch's own span (and the call it makes) sits in the first item's trace, linked from the others.
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): (item: I) => Promise<O> {
  const { name, tracer, maxBatch = MAX_BATCH, maxInFlight = 2 } = options;
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;
  const sizes = options.registry && batchItems(options.registry);

  const schedule = () => {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (inFlight < maxInFlight && queue.length > 0) void flush(queue.splice(0, maxBatch));
    });
  };

  async function flush(batch: Waiting<I, O>[]): Promise<void> {
    inFlight++;
    sizes?.observe({ call: name }, batch.length);
    const links: Link[] = batch.slice(1).map((w) => ({ context: w.span.spanContext() }));
    const parent: Context = trace.setSpan(ROOT_CONTEXT, batch[0].span);
    const span = tracer.startSpan(`${name} batch`, { attributes: { 'batch.size': batch.length }, links }, parent);
    try {
      // The batch serves many callers: it runs until the last of their deadlines (none if one has none), and the
      // client's own timeout bounds it; it goes with the first caller's request id, as its span is in that trace.
      const deadlines = batch.map((w) => w.deadline);
      let ctx = trace.setSpan(ROOT_CONTEXT, span);
      if (deadlines.every((d) => d !== undefined)) ctx = withDeadline(ctx, Math.max(...deadlines));
      if (batch[0].requestId !== undefined) ctx = withRequestId(ctx, batch[0].requestId);
      const answers = await context.with(ctx, () => options.send(batch.map((w) => w.item)));
      if (answers.length !== batch.length)
        throw new Error(`${name}: ${answers.length} answers for ${batch.length} items`);
      for (const [i, w] of batch.entries()) w.resolve(answers[i]);
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      span.end();
      inFlight--;
      schedule();
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      const span = tracer.startSpan(name, { attributes: { 'batch.waited': inFlight >= maxInFlight } });
      const settle = () => span.end();
      queue.push({
        item,
        span,
        deadline: currentDeadline(),
        requestId: requestIdIn(context.active()),
        resolve: (o) => {
          settle();
          resolve(o);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      schedule();
    });
}

function batchItems(registry: Registry): Histogram<'call'> {
  return (
    (registry.getSingleMetric('batch_items') as Histogram<'call'> | undefined) ??
    new Histogram({
      name: 'batch_items',
      help: 'Items per batch of gathered calls, by call',
      labelNames: ['call'],
      registers: [registry],
      buckets: [1, 2, 4, 8, 16, 32, 64],
    })
  );
}
