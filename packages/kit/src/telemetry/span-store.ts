// A bounded in-memory span exporter: the console draws traces from it without any extra server.
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export type StoredSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind: number;
  startTime: string;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, unknown>;
  /** Spans of other traces this one works for: a batch's span links to the span of each item it carries. */
  links?: SpanRef[];
};

export type SpanRef = { traceId: string; spanId: string };

const toMs = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;

// Kept as recorded; the start time is formatted only when a span is read, since most are never read.
type Kept = Omit<StoredSpan, 'startTime'> & { startMs: number };

// A resource's attributes getter rebuilds its merged view on every read: the name is looked up once per resource.
const names = new WeakMap<ReadableSpan['resource'], string>();
function serviceOf(resource: ReadableSpan['resource']): string {
  let name = names.get(resource);
  if (name === undefined) {
    name = String(resource.attributes['service.name'] ?? 'unknown');
    names.set(resource, name);
  }
  return name;
}

const view = ({ startMs, ...rest }: Kept): StoredSpan => ({ ...rest, startTime: new Date(startMs).toISOString() });

export class SpanStore implements SpanExporter {
  private readonly spans: Kept[] = [];
  private readonly capacity: number;

  constructor(capacity = 20_000) {
    this.capacity = capacity;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const s of spans) this.add(s);
    done({ code: ExportResultCode.SUCCESS });
  }

  add(s: ReadableSpan): void {
    const ctx = s.spanContext();
    this.spans.push({
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      parentSpanId: s.parentSpanContext?.spanId,
      name: s.name,
      service: serviceOf(s.resource),
      kind: s.kind,
      startMs: toMs(s.startTime),
      durationMs: Math.round(toMs(s.duration) * 1000) / 1000,
      status: s.status.code === 2 ? 'error' : s.status.code === 1 ? 'ok' : 'unset',
      // An ended span's attributes no longer change: kept as they are, not copied.
      attributes: s.attributes,
      // Every kept span has the same shape (a cheaper add on the hot path); undefined is left out of JSON.
      links:
        s.links.length > 0 ? s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })) : undefined,
    });
    // Trimmed a quarter at a time: one splice per many adds, not an O(capacity) move on every add.
    if (this.spans.length > this.capacity * 1.25) this.spans.splice(0, this.spans.length - this.capacity);
  }

  /** How much is kept: the newest `capacity` spans, the oldest of them started at `since` (absent when none is). */
  retention(): { capacity: number; since?: string } {
    const oldest = this.spans[0];
    return oldest
      ? { capacity: this.capacity, since: new Date(oldest.startMs).toISOString() }
      : { capacity: this.capacity };
  }

  trace(traceId: string): StoredSpan[] {
    return this.spans.filter((s) => s.traceId === traceId).map(view);
  }

  /** The spans of other traces that link to a span of this one: the batches that carried its calls. */
  linkingTo(traceId: string): StoredSpan[] {
    return this.spans
      .filter((s) => s.links !== undefined && s.traceId !== traceId && s.links.some((l) => l.traceId === traceId))
      .map(view);
  }

  recentTraces(limit = 50): { traceId: string; root: StoredSpan }[] {
    const roots = this.spans.filter((s) => !s.parentSpanId || !this.spans.some((p) => p.spanId === s.parentSpanId));
    return roots
      .slice(-limit)
      .reverse()
      .map((root) => ({ traceId: root.traceId, root: view(root) }));
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
