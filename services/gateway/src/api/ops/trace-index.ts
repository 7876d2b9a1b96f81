// The gateway's span store: every request's trace starts here, so its root spans are the list of recent traces.
import { SpanStore, type StoredSpan } from '@bazaar/kit/telemetry';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { proxiedRouteNames } from '../../domain/routes.ts';

/** A routed request's root span at the gateway, as the traces page lists it. */
export type TraceSummary = {
  traceId: string;
  spanId: string;
  name: string;
  method: string;
  route: string;
  path: string;
  status?: number;
  error: boolean;
  startTime: string;
  durationMs: number;
};

const toMs = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;

/** A request failed when its span says so or it was answered 5xx; a 4xx is the client's, answered as it should be. */
export const answerFailed = (spanFailed: boolean, status: unknown) =>
  spanFailed || (typeof status === 'number' && status >= 500);

/**
 * TraceIndex is the span store the gateway's tracer writes to: each span goes on to the store it wraps (the
 * platform's, shared in embedded mode), and the SERVER span that roots an API request is also kept in a short list.
 */
export class TraceIndex extends SpanStore {
  private readonly store: SpanStore;
  // Start times are formatted when listed, not on every request.
  private readonly roots: (Omit<TraceSummary, 'startTime'> & { startMs: number })[] = [];
  private readonly keep: number;

  constructor(store: SpanStore, keep = 1_000) {
    super(0);
    this.store = store;
    this.keep = keep;
  }

  override add(span: ReadableSpan): void {
    this.store.add(span);
    if (span.kind !== SpanKind.SERVER || (span.parentSpanContext && !span.parentSpanContext.isRemote)) return;
    const route = String(span.attributes['http.route'] ?? '');
    // Traces worth listing start at the proxied API (not /api/ops, pages, scrapes, probes).
    if (!proxiedRouteNames.has(route)) return;
    const status = span.attributes['http.response.status_code'];
    this.roots.push({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      name: span.name,
      method: String(span.attributes['http.request.method'] ?? ''),
      route,
      path: String(span.attributes['url.path'] ?? route),
      status: typeof status === 'number' ? status : undefined,
      error: answerFailed(span.status.code === 2, status),
      startMs: toMs(span.startTime),
      durationMs: Math.round(toMs(span.duration) * 1000) / 1000,
    });
    // Trimmed a quarter at a time: one splice per many adds, not an O(capacity) move on every add.
    if (this.roots.length > this.keep * 1.25) this.roots.splice(0, this.roots.length - this.keep);
  }

  override retention(): { capacity: number; since?: string } {
    return this.store.retention();
  }

  override trace(traceId: string): StoredSpan[] {
    return this.store.trace(traceId);
  }

  override linkingTo(traceId: string): StoredSpan[] {
    return this.store.linkingTo(traceId);
  }

  override recentTraces(limit = 50): { traceId: string; root: StoredSpan }[] {
    return this.store.recentTraces(limit);
  }

  /**
   * The latest API requests' traces, newest first; `failed`: only those answered 4xx or 5xx, or that failed, which
   * the console's own polling of the API would otherwise push out of the list.
   */
  recent({ limit, failed = false }: { limit: number; failed?: boolean }): TraceSummary[] {
    const picked: typeof this.roots = [];
    for (let i = this.roots.length - 1; i >= 0 && picked.length < limit; i--) {
      const root = this.roots[i];
      if (!failed || root.error || (root.status ?? 0) >= 400) picked.push(root);
    }
    return picked.map(({ startMs, ...rest }) => ({ ...rest, startTime: new Date(startMs).toISOString() }));
  }
}
