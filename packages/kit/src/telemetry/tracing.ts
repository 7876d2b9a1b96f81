// OpenTelemetry tracing for one service: W3C trace context in and out, spans kept in memory for the console.
import { type Context, context, createContextKey, propagation, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { leanTracer } from './lean-tracer.ts';
import type { SpanStore } from './span-store.ts';

export const requestIdKey = createContextKey('bazaar.requestId');

let globalsInstalled = false;

/** The context manager and propagator are process-wide; services in one process share them. */
function installGlobals(): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export type Tracing = { tracer: Tracer; shutdown(): Promise<void> };

/**
 * createTracing keeps spans in the store (for the console) and exports them over OTLP/HTTP when an endpoint is set.
 * The exporter is loaded only then: it is a tenth of a second of module loading at every start that has no collector.
 */
export async function createTracing(service: string, store?: SpanStore, otlpEndpoint?: string): Promise<Tracing> {
  installGlobals();
  const processors: SpanProcessor[] = [];
  if (store) processors.push(storeProcessor(store));
  if (otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` })),
    );
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

/** The ids that every log line inside a traced operation carries. */
export function currentTraceIds(): { traceId?: string; spanId?: string; requestId?: string } {
  const active = context.active();
  const span = trace.getSpan(active);
  const requestId = active.getValue(requestIdKey) as string | undefined;
  if (!span) return requestId ? { requestId } : {};
  const { traceId, spanId } = span.spanContext();
  return requestId ? { traceId, spanId, requestId } : { traceId, spanId };
}

export function withRequestId(ctx: Context, requestId: string): Context {
  return ctx.setValue(requestIdKey, requestId);
}
