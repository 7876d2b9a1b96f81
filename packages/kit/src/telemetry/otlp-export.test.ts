import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { otlpProcessor, watchExports } from './otlp-export.ts';

const refused = { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED 127.0.0.1:4318') };

/** An exporter that answers each export with the next of the results given, and never answers after them. */
function exporter(...results: ExportResult[]): SpanExporter {
  return {
    export: (_spans, done) => {
      const next = results.shift();
      if (next) done(next);
    },
    shutdown: () => new Promise(() => {}),
  };
}

function captured() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('export-test', { sink: { write: (l) => lines.push(JSON.parse(l)) } });
  return { lines, log: () => log };
}

const sampled = () => ({ spanContext: () => ({ traceFlags: 1 }), resource: {} }) as unknown as ReadableSpan;
const spans = (n: number) => Array.from({ length: n }, sampled);

describe('OTLP export', () => {
  it('counts the spans that failed exports drop, and warns of them once a minute at most', async () => {
    const { lines, log } = captured();
    const registry = new Registry();
    let now = 0;
    const watched = watchExports(exporter(refused, refused, refused, refused), { log, registry, now: () => now });
    const send = (n: number) => watched.export(spans(n), () => {});
    send(2);
    send(3);
    now = 59_000;
    send(1);
    now = 61_000;
    send(4);
    expect(lines).toMatchObject([
      {
        level: 'warn',
        dropped: 2,
        error: 'connect ECONNREFUSED 127.0.0.1:4318',
        msg: 'span export failed; spans dropped',
      },
      { level: 'warn', dropped: 8, msg: 'span export failed; spans dropped' },
    ]);
    expect(await registry.metrics()).toContain('otel_spans_dropped_total 10');
  });

  it('stops at once, with one warn line, when the collector failed the last export', async () => {
    const { lines, log } = captured();
    const processor = otlpProcessor(exporter(refused), { log }, 60_000);
    processor.onEnd(sampled());
    await processor.forceFlush().catch(() => {});
    processor.onEnd(sampled());
    const started = performance.now();
    await processor.shutdown();
    expect(performance.now() - started).toBeLessThan(500);
    expect(lines).toMatchObject([
      { level: 'warn', msg: 'span export failed; spans dropped' },
      { level: 'warn', error: 'connect ECONNREFUSED 127.0.0.1:4318', msg: 'final span export failed; spans dropped' },
    ]);
  });
});
