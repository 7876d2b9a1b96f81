// OTLP export that a collector being down cannot hurt: lost spans are counted and reported (one warn line a minute
// at most), and the final flush at shutdown is bounded and never throws.
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/** How long a stop waits for the last spans to reach the collector. */
export const SHUTDOWN_MS = 2_000;
const WARN_EVERY_MS = 60_000;

export type ExportReport = { log: () => Logger; registry?: Registry; now?: () => number };

type Watched = SpanExporter & { closing: boolean; lastError?: string };

// A refused connection may come as an AggregateError (one per address tried): an empty message, but a code.
const messageOf = (err: unknown) => {
  const e = err as { message?: string; code?: string } | undefined;
  return e?.message || e?.code || String(err ?? 'export failed');
};

/** watchExports counts the spans each failed export drops and warns of them, once a minute at most. */
export function watchExports(exporter: SpanExporter, report: ExportReport): Watched {
  const now = report.now ?? Date.now;
  const dropped = report.registry && droppedSpans(report.registry);
  let unreported = 0;
  let warnedAt = Number.NEGATIVE_INFINITY;
  const watched: Watched = {
    closing: false,
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        watched.lastError = result.code === ExportResultCode.SUCCESS ? undefined : messageOf(result.error);
        if (watched.lastError !== undefined) {
          dropped?.inc(spans.length);
          unreported += spans.length;
          // While closing, the shutdown's own line tells of the final export.
          if (!watched.closing && now() - warnedAt >= WARN_EVERY_MS) {
            report.log().warn({ dropped: unreported, error: watched.lastError }, 'span export failed; spans dropped');
            unreported = 0;
            warnedAt = now();
          }
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
  return watched;
}

/** otlpProcessor batches spans to the exporter; its shutdown waits SHUTDOWN_MS at most, none for a failing collector. */
export function otlpProcessor(exporter: SpanExporter, report: ExportReport, shutdownMs = SHUTDOWN_MS): SpanProcessor {
  const watched = watchExports(exporter, report);
  const batch = new BatchSpanProcessor(watched);
  return {
    onStart: (span, ctx) => batch.onStart(span, ctx),
    onEnd: (span) => batch.onEnd(span),
    forceFlush: () => batch.forceFlush(),
    async shutdown() {
      watched.closing = true;
      // A collector that failed the last export is not waited for: its retries would hold the stop for seconds.
      const failing = watched.lastError;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(failing ?? `no answer within ${shutdownMs} ms`), failing ? 0 : shutdownMs);
      });
      const flushed = batch.shutdown().then(
        () => undefined,
        (err: unknown) => messageOf(err),
      );
      const error = await Promise.race([flushed, late]);
      clearTimeout(timer);
      if (error !== undefined) report.log().warn({ error }, 'final span export failed; spans dropped');
    },
  };
}

function droppedSpans(registry: Registry): Counter {
  return (
    (registry.getSingleMetric('otel_spans_dropped_total') as Counter | undefined) ??
    new Counter({
      name: 'otel_spans_dropped_total',
      help: 'Spans lost because the OTLP exporter could not deliver them (the collector down or refusing)',
      registers: [registry],
    })
  );
}
