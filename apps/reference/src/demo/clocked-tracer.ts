import { context as otelContext, trace } from '@opentelemetry/api';
import type { Context, Exception, Link, Span, SpanAttributes, SpanAttributeValue, SpanContext, SpanOptions, SpanStatus, TimeInput, Tracer } from '@opentelemetry/api';
import type { Clock } from '@sightline/core';

/**
 * A span whose end, events and exceptions default to the clock's time (epoch ms) instead of the
 * SDK's, so a test can run minutes of the demo on a `ManualClock` without waiting for them.
 */
class ClockedSpan implements Span {
  readonly #span: Span;
  readonly #clock: Clock;

  constructor(span: Span, clock: Clock) {
    this.#span = span;
    this.#clock = clock;
  }

  spanContext(): SpanContext {
    return this.#span.spanContext();
  }

  setAttribute(key: string, value: SpanAttributeValue): this {
    this.#span.setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    this.#span.setAttributes(attributes);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: SpanAttributes | TimeInput, startTime?: TimeInput): this {
    if (isTimeInput(attributesOrStartTime)) this.#span.addEvent(name, attributesOrStartTime);
    else this.#span.addEvent(name, attributesOrStartTime, startTime ?? this.#clock.now());
    return this;
  }

  addLink(link: Link): this {
    this.#span.addLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.#span.addLinks(links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.#span.setStatus(status);
    return this;
  }

  updateName(name: string): this {
    this.#span.updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    this.#span.end(endTime ?? this.#clock.now());
  }

  isRecording(): boolean {
    return this.#span.isRecording();
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.#span.recordException(exception, time ?? this.#clock.now());
  }
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || Array.isArray(value);
}

type SpanCallback<F> = (span: Span) => F;

/**
 * Wraps `tracer` so its spans start and end at `clock`'s time (epoch ms) unless told otherwise:
 * the demo's spans then carry simulated time when a test drives it with a `ManualClock`.
 * Without a clock the demo uses the tracer as it is (the SDK's high-resolution time).
 */
export function clockedTracer(tracer: Tracer, clock: Clock): Tracer {
  const startSpan = (name: string, options: SpanOptions = {}, ctx?: Context): Span =>
    new ClockedSpan(tracer.startSpan(name, { ...options, startTime: options.startTime ?? clock.now() }, ctx), clock);

  function startActiveSpan<F extends SpanCallback<unknown>>(name: string, fn: F): ReturnType<F>;
  function startActiveSpan<F extends SpanCallback<unknown>>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  function startActiveSpan<F extends SpanCallback<unknown>>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  function startActiveSpan<F extends SpanCallback<unknown>>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> {
    // The three overloads of the API, as the SDK's own tracer tells them apart.
    const [options, ctx, fn] = typeof a === 'function' ? [{}, otelContext.active(), a] : typeof b === 'function' ? [a ?? {}, otelContext.active(), b] : [a ?? {}, b ?? otelContext.active(), c!];
    const span = startSpan(name, options, ctx);
    return otelContext.with(trace.setSpan(ctx, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }

  return { startSpan, startActiveSpan };
}
