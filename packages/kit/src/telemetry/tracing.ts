// OpenTelemetry tracing for one service: W3C trace context in and out, spans kept in memory for the console.
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Registry } from 'prom-client';
import { leanTracer } from './lean-tracer.ts';
import { createLogger, type Logger } from './logger.ts';
import { otlpProcessor } from './otlp-export.ts';
import type { SpanStore } from './span-store.ts';

export { currentTraceIds, requestIdIn, requestIdKey, withRequestId } from './request-context.ts';

let globalsInstalled = false;

/** The context manager and propagator are process-wide; services in one process share them. */
function installGlobals(): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** shutdown flushes what is left for the collector, for a couple of seconds at most, and never throws. */
export type Tracing = { tracer: Tracer; shutdown(): Promise<void> };

export type TracingOptions = {
  /** Where export failures are reported (one warn line a minute at most); a logger of its own on stdout if absent. */
  log?: Logger;
  /** Where otel_spans_dropped_total is registered. */
  registry?: Registry;
};

/**
 * createTracing keeps spans in the store (for the console) and exports them over OTLP/HTTP when an endpoint is set.
 * The exporter is loaded only then: it is a tenth of a second of module loading at every start that has no collector.
 */
export async function createTracing(
  service: string,
  store?: SpanStore,
  otlpEndpoint?: string,
  options: TracingOptions = {},
): Promise<Tracing> {
  installGlobals();
  const processors: SpanProcessor[] = [];
  if (store) processors.push(storeProcessor(store));
  if (otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` });
    // Made only when there is something to say and no logger was given.
    let log = options.log;
    const logger = () => {
      log ??= createLogger(service);
      return log;
    };
    processors.push(otlpProcessor(exporter, { log: logger, registry: options.registry }));
  }
  const resource = resourceFromAttributes({ 'service.name': service });
  return {
    tracer: leanTracer(resource, { name: service }, processors),
    shutdown: async () => {
      await Promise.all(processors.map((p) => p.shutdown()));
    },
  };
}

/**
 * storeProcessor hands each ended span straight to the in-memory store: SimpleSpanProcessor would wrap every span
 * in an export call under a suppressed context, a cost per request the store does not need.
 */
function storeProcessor(store: SpanStore): SpanProcessor {
  return {
    onStart() {},
    onEnd(span: ReadableSpan) {
      if (span.spanContext().traceFlags & 1) store.add(span);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
