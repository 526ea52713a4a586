import { context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Sampler, SpanKind, SpanStatusCode, Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SightlineError } from '@sightline/core';
import { AttributionSpanProcessor } from './attribution-span-processor.js';
import { causationChain } from './causation.js';
import type { CausationStep } from './causation.js';
import { W3CPropagator } from './w3c-propagator.js';

/** Options of {@link installTestTracing}. */
export interface TestTracingOptions {
  /** Sampler of the test provider. Default: the SDK default (parent-based always-on). */
  readonly sampler?: Sampler;
  /** Extra span processors, run after the attribution processor and before the capture. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

/** What a span is expected to look like; only the fields given are compared. */
export interface ExpectedSpan {
  readonly name?: string;
  readonly kind?: SpanKind;
  /** A subset of the span's attributes (arrays compared element by element). */
  readonly attributes?: Attributes;
  readonly status?: SpanStatusCode;
  /** Name of the parent span. */
  readonly parent?: string;
}

/**
 * An installed test tracing setup: a real OTel SDK `BasicTracerProvider` that captures finished
 * spans in memory, registered globally with an `AsyncLocalStorage` context manager and the strict
 * {@link W3CPropagator}. Call {@link TestTracing.shutdown} when the test file ends.
 */
export class TestTracing {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  readonly tracer: Tracer;
  readonly #contextManager: AsyncLocalStorageContextManager;
  #closed: Promise<void> | undefined;

  /** @internal Use {@link installTestTracing}. */
  constructor(provider: BasicTracerProvider, exporter: InMemorySpanExporter, contextManager: AsyncLocalStorageContextManager) {
    this.provider = provider;
    this.exporter = exporter;
    this.#contextManager = contextManager;
    this.tracer = provider.getTracer('@sightline/tracing/testing');
  }

  /** Every finished span, in the order they ended. */
  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** Finished spans named `name`. */
  spansNamed(name: string): ReadableSpan[] {
    return this.spans().filter((s) => s.name === name);
  }

  /**
   * The one finished span named `name`. Throws `TRACING_SPAN_NOT_FOUND` (listing the names seen)
   * when there is none, `TRACING_SPAN_AMBIGUOUS` when there are several.
   */
  span(name: string): ReadableSpan {
    const found = this.spansNamed(name);
    if (found.length === 1 && found[0] !== undefined) return found[0];
    const names = this.spans().map((s) => s.name);
    if (found.length === 0) {
      throw new SightlineError('TRACING_SPAN_NOT_FOUND', `No finished span named "${name}"; finished spans: ${names.length === 0 ? '(none)' : names.join(', ')}`, { name, names });
    }
    throw new SightlineError('TRACING_SPAN_AMBIGUOUS', `${found.length} finished spans are named "${name}"; use spansNamed() to pick one`, { name, count: found.length });
  }

  /** The finished parent of `span` in the same trace, if captured. */
  parentOf(span: ReadableSpan): ReadableSpan | undefined {
    const parent = span.parentSpanContext;
    if (parent === undefined) return undefined;
    return this.spans().find((s) => s.spanContext().spanId === parent.spanId && s.spanContext().traceId === parent.traceId);
  }

  /** The finished children of `span`. */
  childrenOf(span: ReadableSpan): ReadableSpan[] {
    const { spanId, traceId } = span.spanContext();
    return this.spans().filter((s) => s.parentSpanContext?.spanId === spanId && s.parentSpanContext.traceId === traceId);
  }

  /** {@link causationChain} over the captured spans. */
  causationChain(messageId: string): CausationStep<ReadableSpan>[] {
    return causationChain(this.spans(), messageId);
  }

  /**
   * Asserts that the span named `expected.name` (or `span` itself) matches `expected`, and returns
   * it. Throws `TRACING_SPAN_MISMATCH` listing every difference.
   */
  assertSpan(target: string | ReadableSpan, expected: ExpectedSpan): ReadableSpan {
    const span = typeof target === 'string' ? this.span(target) : target;
    const problems: string[] = [];
    if (expected.name !== undefined && span.name !== expected.name) problems.push(`name is "${span.name}", expected "${expected.name}"`);
    if (expected.kind !== undefined && span.kind !== expected.kind) problems.push(`kind is ${span.kind}, expected ${expected.kind}`);
    if (expected.status !== undefined && span.status.code !== expected.status) problems.push(`status is ${span.status.code}, expected ${expected.status}`);
    for (const [key, value] of Object.entries(expected.attributes ?? {})) {
      const actual = span.attributes[key];
      if (JSON.stringify(actual) !== JSON.stringify(value)) problems.push(`attribute ${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
    }
    if (expected.parent !== undefined) {
      const parent = this.parentOf(span);
      if (parent?.name !== expected.parent) problems.push(`parent is ${parent === undefined ? '(none captured)' : `"${parent.name}"`}, expected "${expected.parent}"`);
    }
    if (problems.length > 0) {
      throw new SightlineError('TRACING_SPAN_MISMATCH', `Span "${span.name}" does not match:\n  - ${problems.join('\n  - ')}`, { name: span.name, problems });
    }
    return span;
  }

  /** Forgets the captured spans. */
  reset(): void {
    this.exporter.reset();
  }

  /** Shuts the provider down and unregisters the globals. Idempotent. */
  shutdown(): Promise<void> {
    this.#closed ??= (async () => {
      await this.provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      this.#contextManager.disable();
    })();
    return this.#closed;
  }
}

/**
 * Installs a real OTel SDK for tests and returns a handle to assert on the spans it captures.
 * Replaces any global tracer provider, context manager and propagator (tests only).
 * @example
 * const tracing = installTestTracing();
 * afterAll(() => tracing.shutdown());
 * await traceCommand(command, handler);
 * tracing.assertSpan('command PlaceOrder', { kind: SpanKind.CONSUMER });
 */
export function installTestTracing(options: TestTracingOptions = {}): TestTracing {
  trace.disable();
  context.disable();
  propagation.disable();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CPropagator());
  const exporter = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [new AttributionSpanProcessor(), ...(options.spanProcessors ?? []), new SimpleSpanProcessor(exporter)];
  const provider = new BasicTracerProvider(options.sampler === undefined ? { spanProcessors: processors } : { sampler: options.sampler, spanProcessors: processors });
  trace.setGlobalTracerProvider(provider);
  return new TestTracing(provider, exporter, contextManager);
}
