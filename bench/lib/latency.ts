// Where a request's latency goes, from its trace: each span's own time (its duration less what its children cover),
// within the gateway's answer, summed by service and span name over a set of traces. Messaging spans (an outbox
// publish, a consumer's delivery) and what follows them run beside the answer, not in its path: they are left out. It compares the slowest answers
// with those around the median, so the steps that grow in the tail stand out.
import { POOL_WAIT } from '@bazaar/kit/database';
import { SpanKind } from '@opentelemetry/api';
import { fmt } from './report.ts';
import type { Table } from './types.ts';

/** An answer's latency as the client saw it and the trace the gateway gave it (x-trace-id). */
export type Traced = { ms: number; traceId: string };

type Span = {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind?: number;
  startTime: string;
  durationMs: number;
  attributes?: Record<string, unknown>;
};

type Interval = [number, number];

const MESSAGING = new Set<number>([SpanKind.PRODUCER, SpanKind.CONSUMER]);

/** Own time by `service: name`, in ms, of one trace's spans inside its root (the gateway's answer). */
export function ownTimes(spans: Span[]): { rootMs: number; own: Map<string, number> } {
  const at = (s: Span): Interval => {
    const start = Date.parse(s.startTime);
    return [start, start + s.durationMs];
  };
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const root = spans.find((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
  if (!root) return { rootMs: 0, own: new Map() };
  const [from, to] = at(root);
  const offPath = (s: Span): boolean => {
    for (let up: Span | undefined = s; up; up = up.parentSpanId ? byId.get(up.parentSpanId) : undefined)
      if (up.kind !== undefined && MESSAGING.has(up.kind)) return true;
    return false;
  };
  const onPath = spans.filter((s) => !offPath(s));
  const children = new Map<string, Span[]>();
  for (const s of onPath) {
    if (s === root || !s.parentSpanId) continue;
    const siblings = children.get(s.parentSpanId);
    if (siblings) siblings.push(s);
    else children.set(s.parentSpanId, [s]);
  }
  const own = new Map<string, number>();
  for (const s of onPath) {
    const span = at(s);
    const [start, end] = clip(span, [from, to]);
    if (end <= start) continue; // after the answer: the saga's asynchronous tail
    const covered = union((children.get(s.spanId) ?? []).map((c) => clip(at(c), [start, end])));
    const add = (key: string, ms: number) => own.set(key, (own.get(key) ?? 0) + ms);
    let ms = Math.max(0, end - start - covered);
    // A transaction's first moments are its wait for a pooled connection (kit/database/traced.ts): shown apart.
    const wait = Number(s.attributes?.[POOL_WAIT] ?? 0);
    if (wait > 0) {
      const waited = Math.min(ms, Math.max(0, Math.min(span[0] + wait, end) - start));
      add(`${s.service}: ${s.name}, waiting for a connection`, waited);
      ms -= waited;
    }
    add(`${s.service}: ${s.name}`, ms);
  }
  return { rootMs: to - from, own };
}

const clip = ([a, b]: Interval, [from, to]: Interval): Interval => [Math.max(a, from), Math.min(b, to)];

/** The length of a union of intervals. */
function union(intervals: Interval[]): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of intervals.filter(([x, y]) => y > x).sort((p, q) => p[0] - q[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * Fetches the traces of the slowest 1 % of the answers (5 to 20 of them) and of as many around the median through
 * `get` (the admin API's `GET /api/ops/traces/:id`), and tabulates their own time by span, slowest first.
 */
export async function tailBreakdown(
  get: (path: string) => Promise<unknown>,
  answers: Traced[],
  caption: string,
): Promise<Table | undefined> {
  const sorted = [...answers].sort((a, b) => a.ms - b.ms);
  const n = Math.min(20, Math.max(5, Math.ceil(sorted.length / 100)));
  if (sorted.length < 2 * n) return undefined;
  const mid = Math.floor(sorted.length / 2 - n / 2);
  const groups = { slow: sorted.slice(-n), median: sorted.slice(mid, mid + n) };
  const summed = async (group: Traced[]) => {
    const own = new Map<string, number>();
    let clientMs = 0;
    let gatewayMs = 0;
    let found = 0;
    for (const answer of group) {
      // A trace whose spans have left the services' bounded stores is skipped.
      const read = (await get(`/api/ops/traces/${answer.traceId}`).catch(() => undefined)) as
        | { spans: Span[] }
        | undefined;
      if (!read) continue;
      const trace = ownTimes(read.spans);
      found++;
      clientMs += answer.ms;
      gatewayMs += trace.rootMs;
      for (const [key, ms] of trace.own) own.set(key, (own.get(key) ?? 0) + ms);
    }
    const mean = (ms: number) => ms / Math.max(found, 1);
    return {
      found,
      clientMs: mean(clientMs),
      gatewayMs: mean(gatewayMs),
      own: new Map([...own].map(([k, ms]) => [k, mean(ms)])),
    };
  };
  const slow = await summed(groups.slow);
  const median = await summed(groups.median);
  if (slow.found === 0 || median.found === 0) return undefined;
  const keys = [...new Set([...slow.own.keys(), ...median.own.keys()])]
    .sort((a, b) => (slow.own.get(b) ?? 0) - (slow.own.get(a) ?? 0))
    .slice(0, 12);
  const cell = (ms: number | undefined, of: number) => `${fmt(ms ?? 0, 1)} ms (${fmt((100 * (ms ?? 0)) / of, 0)} %)`;
  return {
    caption: `${caption} Slowest: the ${slow.found} slowest answers (mean ${fmt(slow.clientMs, 1)} ms as the client saw them, ${fmt(slow.gatewayMs, 1)} ms inside the gateway); median: ${median.found} answers around the median (${fmt(median.clientMs, 1)} ms, ${fmt(median.gatewayMs, 1)} ms). Own time: a span's duration less what its child spans cover, so a client span's own time is the network and the wait for the callee's event loop; the gap between the client's and the gateway's figure is the wait for a connection and for the gateway to read the request.`,
    columns: ['span (service: name)', 'own time, slowest', 'own time, median'],
    rows: [
      [
        'before the gateway (connection wait, accept)',
        cell(slow.clientMs - slow.gatewayMs, slow.clientMs),
        cell(median.clientMs - median.gatewayMs, median.clientMs),
      ],
      ...keys.map((k) => [k, cell(slow.own.get(k), slow.clientMs), cell(median.own.get(k), median.clientMs)]),
    ],
  };
}
