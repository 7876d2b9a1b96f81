// waterfall: one trace's spans as rows of a timeline: parents before their children (depth-first, each level in
// order of start), each bar placed by its start and sized by its duration, as percentages of the whole trace.

export type SpanLike = {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind: number;
  startTime: string;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
};

export type Row<S extends SpanLike = SpanLike> = {
  span: S;
  depth: number;
  /** Milliseconds from the trace's start. */
  offsetMs: number;
  /** Where the bar starts and how wide it is, in percent of the trace's length (at least a sliver). */
  left: number;
  width: number;
  /** True when the span's parent is not in the trace (not collected, or evicted): it is drawn as a root. */
  orphan: boolean;
};

export type Layout<S extends SpanLike = SpanLike> = { rows: Row<S>[]; totalMs: number; ticks: number[] };

const MIN_WIDTH = 0.25;

export function layout<S extends SpanLike>(spans: readonly S[]): Layout<S> {
  if (spans.length === 0) return { rows: [], totalMs: 0, ticks: [] };
  const startOf = (s: S) => Date.parse(s.startTime);
  const start = Math.min(...spans.map(startOf));
  const end = Math.max(...spans.map((s) => startOf(s) + s.durationMs));
  const totalMs = Math.max(end - start, 0.001);
  const byId = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, S[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && byId.has(s.parentSpanId) ? s.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const order = (list: S[]) =>
    [...list].sort((a, b) => startOf(a) - startOf(b) || (a.kind === 1 ? -1 : 0) - (b.kind === 1 ? -1 : 0));

  const rows: Row<S>[] = [];
  // Iterative depth-first walk: a deep trace cannot overflow the stack.
  const stack: { span: S; depth: number }[] = order(children.get(undefined) ?? [])
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  const seen = new Set<string>();
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    const offsetMs = startOf(span) - start;
    const left = (offsetMs / totalMs) * 100;
    rows.push({
      span,
      depth,
      offsetMs,
      left: Math.min(left, 100 - MIN_WIDTH),
      width: Math.max((span.durationMs / totalMs) * 100, MIN_WIDTH),
      orphan: depth === 0 && span.parentSpanId !== undefined,
    });
    for (const child of order(children.get(span.spanId) ?? []).reverse()) stack.push({ span: child, depth: depth + 1 });
  }
  return { rows, totalMs, ticks: ticksFor(totalMs) };
}

type Linkable = SpanLike & { traceId: string; links?: { traceId: string; spanId: string }[] };

/**
 * withBatches draws a batch that carried one of this trace's calls (it sits in another trace, linked to the call's
 * span) under that call, with the spans under it: every order's trace shows the work done for it.
 */
export function withBatches<S extends Linkable>(traceId: string, spans: readonly S[], linked: readonly S[]): S[] {
  const here = new Set(spans.map((s) => s.spanId));
  const drawn = linked.map((s) => {
    const call = s.links?.find((l) => l.traceId === traceId && here.has(l.spanId));
    return call ? { ...s, parentSpanId: call.spanId } : s;
  });
  return [...spans, ...drawn];
}

/** ticksFor picks 4 to 6 round time marks (in ms) across a trace of this length, 0 included. */
export function ticksFor(totalMs: number): number[] {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
  const step = steps.find((s) => totalMs / s <= 5) ?? totalMs / 5;
  const ticks: number[] = [];
  for (let t = 0; t <= totalMs + 1e-9; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return ticks;
}

/** tickLabel names a time mark as round as it is: 50 ms, 0.5 ms, 2 s (`ms` would say 50.0 ms, 0.50 ms, 2.00 s). */
export function tickLabel(t: number): string {
  if (t === 0) return '0';
  return t < 1000 ? `${Number(t.toPrecision(3))} ms` : `${Number((t / 1000).toPrecision(3))} s`;
}

/** The services' colours: fixed for Bazaar's own, so a service looks the same in every trace. */
const palette: Record<string, string> = {
  gateway: '#4f46e5',
  users: '#0e7490',
  inventory: '#b45309',
  orders: '#15803d',
  payments: '#be185d',
  shipping: '#7c3aed',
};
const spare = ['#0369a1', '#a16207', '#4d7c0f', '#9f1239', '#6d28d9', '#334155'];

export function colourOf(service: string): string {
  if (palette[service]) return palette[service];
  let h = 0;
  for (const ch of service) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return spare[h % spare.length];
}

const kinds = ['internal', 'server', 'client', 'producer', 'consumer'];
export const kindName = (kind: number) => kinds[kind] ?? 'span';
