import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SpanStore } from './span-store.ts';
import { createTracing } from './tracing.ts';

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const parentContext = (flags: '01' | '00') =>
  propagation.extract(ROOT_CONTEXT, { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-${flags}` });

async function traced() {
  const store = new SpanStore();
  const ended: ReadableSpan[] = [];
  const tracing = await createTracing('lean-test', store);
  store.add = ((add) => (span: ReadableSpan) => {
    ended.push(span);
    add.call(store, span);
  })(store.add);
  return { tracer: tracing.tracer, store, ended };
}

describe('the lean tracer', () => {
  it('records a root span as the SDK would: fresh ids, kind, attributes, times, status, resource', async () => {
    const { tracer, store, ended } = await traced();
    const span = tracer.startSpan('GET /api/products', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', skipped: undefined },
    });
    span.setAttribute('http.response.status_code', 500);
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    span.end();
    span.setAttribute('after.end', 1);
    span.end();
    const { traceId, spanId, traceFlags } = span.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(traceFlags).toBe(1);
    expect(ended).toHaveLength(1);
    const [recorded] = ended;
    expect(recorded).toMatchObject({
      name: 'GET /api/products',
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 500 },
      status: { code: SpanStatusCode.ERROR, message: 'upstream failed' },
      parentSpanContext: undefined,
      ended: true,
      instrumentationScope: { name: 'lean-test' },
    });
    expect(recorded.attributes).not.toHaveProperty('skipped');
    expect(recorded.attributes).not.toHaveProperty('after.end');
    expect(recorded.resource.attributes['service.name']).toBe('lean-test');
    expect(recorded.duration[0]).toBeGreaterThanOrEqual(0);
    expect(recorded.endTime[0] * 1e9 + recorded.endTime[1]).toBeGreaterThanOrEqual(
      recorded.startTime[0] * 1e9 + recorded.startTime[1],
    );
    expect(store.trace(traceId)).toMatchObject([{ spanId, service: 'lean-test', status: 'error' }]);
  });

  it('continues a sampled remote parent and gives every span its own id', async () => {
    const { tracer, store } = await traced();
    const a = tracer.startSpan('a', {}, parentContext('01'));
    const b = tracer.startSpan('b', {}, parentContext('01'));
    a.end();
    b.end();
    expect(a.spanContext().traceId).toBe(PARENT_TRACE);
    expect(a.spanContext().spanId).not.toBe(b.spanContext().spanId);
    expect(store.trace(PARENT_TRACE).map((s) => s.parentSpanId)).toEqual([PARENT_SPAN, PARENT_SPAN]);
  });

  it('records nothing under a parent that was not sampled, but keeps its trace for propagation', async () => {
    const { tracer, ended } = await traced();
    const span = tracer.startSpan('unsampled', {}, parentContext('00'));
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext()).toMatchObject({ traceId: PARENT_TRACE, traceFlags: 0 });
    expect(ended).toHaveLength(0);
  });

  it('starts a root span when told to, whatever the context holds', async () => {
    const { tracer } = await traced();
    const span = tracer.startSpan('fresh', { root: true }, parentContext('01'));
    expect(span.spanContext().traceId).not.toBe(PARENT_TRACE);
  });

  it('records nothing while tracing is suppressed (an exporter sending spans)', async () => {
    const { tracer, ended } = await traced();
    const span = tracer.startSpan('export call', {}, suppressTracing(ROOT_CONTEXT));
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(ended).toHaveLength(0);
  });

  it('runs startActiveSpan with the span active, in each of its call forms', async () => {
    const { tracer } = await traced();
    const seen: unknown[] = [];
    const result = tracer.startActiveSpan('one', (span) => {
      seen.push(trace.getActiveSpan() === span);
      span.end();
      return 'one';
    });
    tracer.startActiveSpan('two', { kind: SpanKind.CONSUMER }, (span) => {
      seen.push(trace.getActiveSpan() === span);
      span.end();
    });
    tracer.startActiveSpan('three', {}, parentContext('01'), (span) => {
      seen.push(span.spanContext().traceId === PARENT_TRACE && trace.getActiveSpan() === span);
      span.end();
    });
    expect(result).toBe('one');
    expect(seen).toEqual([true, true, true]);
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps events and exceptions with their times; OK is final and UNSET changes nothing', async () => {
    const { tracer, ended } = await traced();
    const span = tracer.startSpan('saga step');
    span.addEvent('reserved', { lines: 2 });
    span.recordException(new TypeError('no stock'));
    span.setStatus({ code: SpanStatusCode.OK });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    span.end();
    const [recorded] = ended;
    expect(recorded.events.map((e) => [e.name, e.attributes])).toEqual([
      ['reserved', { lines: 2 }],
      ['exception', expect.objectContaining({ 'exception.type': 'TypeError', 'exception.message': 'no stock' })],
    ]);
    expect(recorded.events[0].time[0]).toBeGreaterThan(0);
    expect(recorded.status).toEqual({ code: SpanStatusCode.OK });
  });
});
