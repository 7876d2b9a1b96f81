import { describe, expect, it } from 'vitest';
import { colourOf, layout, type SpanLike, tickLabel, ticksFor, withBatches } from './waterfall.ts';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const span = (
  spanId: string,
  parentSpanId: string | undefined,
  at: number,
  durationMs: number,
  service = 'orders',
  kind = 1,
): SpanLike => ({
  spanId,
  parentSpanId,
  name: spanId,
  service,
  kind,
  startTime: new Date(t0 + at).toISOString(),
  durationMs,
  status: 'unset',
});

describe('the waterfall layout', () => {
  it('puts parents before children, depth-first, each level in order of start', () => {
    const { rows } = layout([
      span('c2', 'root', 50, 10),
      span('root', undefined, 0, 100, 'gateway'),
      span('c1', 'root', 10, 30),
      span('g1', 'c1', 12, 5),
    ]);
    expect(rows.map((r) => `${r.span.spanId}@${r.depth}`)).toEqual(['root@0', 'c1@1', 'g1@2', 'c2@1']);
  });

  it('places bars by start and duration as percentages of the whole trace', () => {
    const { rows, totalMs } = layout([span('root', undefined, 0, 200), span('child', 'root', 50, 100)]);
    expect(totalMs).toBe(200);
    expect(rows[1]).toMatchObject({ left: 25, width: 50, offsetMs: 50 });
  });

  it('keeps an instant span visible and inside the track', () => {
    const { rows } = layout([span('root', undefined, 0, 100), span('end', 'root', 100, 0)]);
    expect(rows[1].width).toBeGreaterThan(0);
    expect(rows[1].left + rows[1].width).toBeLessThanOrEqual(100);
  });

  it('draws a span whose parent is missing as a root, marked orphan', () => {
    const { rows } = layout([span('root', undefined, 0, 10), span('lost', 'gone', 5, 1)]);
    expect(rows.find((r) => r.span.spanId === 'lost')).toMatchObject({ depth: 0, orphan: true });
  });

  it('lays out nothing for no spans', () => {
    expect(layout([])).toEqual({ rows: [], totalMs: 0, ticks: [] });
  });
});

describe('time marks', () => {
  it('are round numbers, 0 to the end', () => {
    expect(ticksFor(163)).toEqual([0, 50, 100, 150]);
    expect(ticksFor(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it('are labelled as round as they are, not with the decimals of a measured duration', () => {
    const labels = (totalMs: number) => ticksFor(totalMs).map(tickLabel);
    expect(labels(163)).toEqual(['0', '50 ms', '100 ms', '150 ms']);
    expect(labels(2.3)).toEqual(['0', '0.5 ms', '1 ms', '1.5 ms', '2 ms']);
    expect(labels(5200)).toEqual(['0', '2 s', '4 s']);
    expect(labels(5000)).toEqual(['0', '1 s', '2 s', '3 s', '4 s', '5 s']);
    expect(tickLabel(1250)).toBe('1.25 s');
  });
});

describe('service colours', () => {
  it('are fixed for the known services and stable for others', () => {
    expect(colourOf('orders')).toBe(colourOf('orders'));
    expect(colourOf('orders')).not.toBe(colourOf('payments'));
    expect(colourOf('something-else')).toBe(colourOf('something-else'));
  });
});

describe('batches of other traces', () => {
  const inTrace = (traceId: string, s: SpanLike, links?: { traceId: string; spanId: string }[]) => ({
    ...s,
    traceId,
    ...(links && { links }),
  });
  const A = 'a'.repeat(32);
  const B = 'b'.repeat(32);

  it('draws a batch that carried a call of this trace under that call, with what ran under the batch', () => {
    const spans = [inTrace(A, span('root', undefined, 0, 100)), inTrace(A, span('reserve', 'root', 10, 30))];
    const linked = [
      inTrace(B, span('batch', 'firstcall', 12, 20), [
        { traceId: B, spanId: 'firstcall' },
        { traceId: A, spanId: 'reserve' },
      ]),
      inTrace(B, span('server', 'batch', 14, 10, 'inventory')),
    ];
    const { rows } = layout(withBatches(A, spans, linked));
    expect(rows.map((r) => `${r.span.spanId}@${r.depth}`)).toEqual(['root@0', 'reserve@1', 'batch@2', 'server@3']);
    expect(rows[2].span.traceId).toBe(B);
  });

  it('leaves a batch whose call is not in the trace where its own parent puts it', () => {
    const linked = [inTrace(B, span('batch', 'firstcall', 12, 20), [{ traceId: A, spanId: 'gone' }])];
    expect(withBatches(A, [inTrace(A, span('root', undefined, 0, 100))], linked)[1].parentSpanId).toBe('firstcall');
  });
});
