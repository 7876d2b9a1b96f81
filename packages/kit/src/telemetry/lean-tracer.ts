// A tracer for paths that start a span on every request. Its spans are the SDK's in every field a processor or
// exporter reads (ids, parent, kind, times, attributes, events, links, status), and they go to the same span
// processors (the console's store, the OTLP batch exporter). What it leaves out is the SDK's per-span machinery:
// the sampler call, span limits, attribute sanitizing, the tracer's own metrics. Sampling is the SDK default's,
// ParentBased(AlwaysOn): every span is recorded unless its parent was not.
import { randomFillSync } from 'node:crypto';
import {
  type Attributes,
  type AttributeValue,
  type Context,
  context,
  type Exception,
  type HrTime,
  INVALID_SPAN_CONTEXT,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  hrTime,
  hrTimeDuration,
  type InstrumentationScope,
  isTimeInput,
  isTracingSuppressed,
  timeInputToHrTime,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';

type Owner = { resource: Resource; scope: InstrumentationScope; processors: SpanProcessor[] };

/** leanTracer starts spans of one resource and scope, and hands each to every processor as it starts and as it ends. */
export function leanTracer(resource: Resource, scope: InstrumentationScope, processors: SpanProcessor[]): Tracer {
  const owner: Owner = { resource, scope, processors };

  function startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    const child = parent !== undefined && trace.isSpanContextValid(parent);
    // A root span's two ids are cut from one piece of the pool: one conversion to hex, not two.
    const hex = randomHex(child ? 8 : 24);
    const ids: SpanContext = {
      traceId: child ? parent.traceId : hex.slice(16),
      spanId: child ? hex : hex.slice(0, 16),
      traceFlags: TraceFlags.SAMPLED,
      traceState: child ? parent.traceState : undefined,
    };
    if (child && !(parent.traceFlags & TraceFlags.SAMPLED))
      return trace.wrapSpanContext({ ...ids, traceFlags: TraceFlags.NONE });
    const span = new LeanSpan(owner, ids, child ? parent : undefined, name, options);
    for (const p of processors) p.onStart(span, ctx);
    return span;
  }

  // startActiveSpan(name, [options, [context,]] fn): fn runs with the span active and gets it.
  function startActiveSpan(name: string, ...rest: unknown[]): unknown {
    const fn = rest[rest.length - 1] as (span: Span) => unknown;
    const options = (rest.length > 1 ? rest[0] : undefined) as SpanOptions | undefined;
    const ctx = (rest.length > 2 ? rest[1] : context.active()) as Context;
    const span = startSpan(name, options, ctx);
    return context.with(trace.setSpan(ctx, span), fn, undefined, span);
  }

  return { startSpan, startActiveSpan } as unknown as Tracer;
}

class LeanSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  ended = false;
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly attributes: Attributes = {};
  readonly links: Link[];
  readonly events: TimedEvent[] = [];
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private readonly owner: Owner;
  private readonly ids: SpanContext;

  constructor(owner: Owner, ids: SpanContext, parent: SpanContext | undefined, name: string, options: SpanOptions) {
    this.owner = owner;
    this.ids = ids;
    this.parentSpanContext = parent;
    this.name = name;
    this.kind = options.kind ?? SpanKind.INTERNAL;
    this.links = options.links ? [...options.links] : [];
    this.startTime = options.startTime === undefined ? hrTime() : timeInputToHrTime(options.startTime);
    if (options.attributes) this.setAttributes(options.attributes);
  }

  get resource(): Resource {
    return this.owner.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.owner.scope;
  }

  spanContext(): SpanContext {
    return this.ids;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    // As the SDK does: an ended span no longer changes, and an attribute without a value is not one.
    if (!this.ended && value !== undefined && value !== null && key.length > 0) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const at = isTimeInput(attributesOrTime) ? attributesOrTime : time;
    const attributes = isTimeInput(attributesOrTime) ? undefined : attributesOrTime;
    this.events.push({
      name,
      attributes,
      time: at === undefined ? hrTime() : timeInputToHrTime(at),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.links.push(...links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // OK is final; UNSET changes nothing (the SDK's rules).
    if (this.ended || this.status.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) return this;
    this.status = status.code === SpanStatusCode.ERROR ? status : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    this.endTime = endTime === undefined ? hrTime() : timeInputToHrTime(endTime);
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) this.duration = [0, 0];
    for (const p of this.owner.processors) p.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else {
      const type = exception.name ?? exception.code;
      if (type) attributes['exception.type'] = String(type);
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }
}

// Ids come from a pool of random bytes filled a few kilobytes at a time, not from a call per span.
const pool = Buffer.allocUnsafe(4096);
let used = pool.length;
function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}
