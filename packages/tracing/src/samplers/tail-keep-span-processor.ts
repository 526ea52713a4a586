import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { SpanContext, SpanStatus } from '@opentelemetry/api';

/** The part of a finished SDK span the tail processor reads (an SDK `ReadableSpan` fits). */
export interface TailSpan {
  readonly status: SpanStatus;
  readonly parentSpanContext?: SpanContext;
  spanContext(): SpanContext;
}

/** Where kept traces go: an SDK `SpanExporter` fits. */
export interface TailSpanExporter<S extends TailSpan> {
  export(spans: S[], resultCallback: (result: { code: number; error?: Error }) => void): void;
  forceFlush?(): Promise<void>;
}

/** Options of {@link TailKeepSpanProcessor}. */
export interface TailKeepSpanProcessorOptions {
  /** `root-error`: keep when the local root fails; `any-error` (default): when any span fails. */
  readonly keepOn?: 'root-error' | 'any-error';
  /** Pending traces held at once; the oldest is discarded beyond it. Default 1000. */
  readonly maxPendingTraces?: number;
  /** Spans held per pending trace; later ones are discarded. Default 512. */
  readonly maxSpansPerTrace?: number;
}

interface Pending<S> {
  spans: S[];
  failed: boolean;
}

/**
 * The tail half of {@link ErrorBiasedSampler}: an SDK `SpanProcessor` that holds the spans of
 * recorded-but-unsampled traces until their local root span ends, then exports the whole trace
 * to `exporter` if it failed (ERROR status) and discards it otherwise. Sampled spans are ignored
 * here (your usual processor exports them). Spans that end after their root follow the decision
 * already taken. Memory is bounded by `maxPendingTraces × maxSpansPerTrace`.
 * @example
 * new BasicTracerProvider({
 *   sampler: new ErrorBiasedSampler({ root: parentBasedRatioSampler(0.01) }),
 *   spanProcessors: [new BatchSpanProcessor(exporter), new TailKeepSpanProcessor(exporter)],
 * });
 */
export class TailKeepSpanProcessor<S extends TailSpan = TailSpan> {
  readonly #exporter: TailSpanExporter<S>;
  readonly #anyError: boolean;
  readonly #maxPending: number;
  readonly #maxSpans: number;
  readonly #pending = new Map<string, Pending<S>>();
  /** Decisions already taken, by trace id (true = kept), bounded like the pending map. */
  readonly #decided = new Map<string, boolean>();
  #kept = 0;
  #discarded = 0;
  #exportFailures = 0;
  #shutdown: Promise<void> | undefined;

  constructor(exporter: TailSpanExporter<S>, options: TailKeepSpanProcessorOptions = {}) {
    this.#exporter = exporter;
    this.#anyError = (options.keepOn ?? 'any-error') === 'any-error';
    this.#maxPending = options.maxPendingTraces ?? 1000;
    this.#maxSpans = options.maxSpansPerTrace ?? 512;
  }

  /** Traces exported because they failed. */
  get keptTraces(): number {
    return this.#kept;
  }

  /** Traces discarded: healthy, or evicted by the pending limit. */
  get discardedTraces(): number {
    return this.#discarded;
  }

  /** Exports the exporter reported as failed (its result code was not 0, SUCCESS). */
  get exportFailures(): number {
    return this.#exportFailures;
  }

  onStart(): void {}

  onEnd(span: S): void {
    if (this.#shutdown !== undefined) return;
    const spanContext = span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED) return;
    const traceId = spanContext.traceId;
    const decided = this.#decided.get(traceId);
    if (decided !== undefined) {
      if (decided) this.#export([span]);
      return;
    }
    let pending = this.#pending.get(traceId);
    if (pending === undefined) {
      pending = { spans: [], failed: false };
      this.#pending.set(traceId, pending);
      if (this.#pending.size > this.#maxPending) this.#evictOldest();
    }
    if (pending.spans.length < this.#maxSpans) pending.spans.push(span);
    const isRoot = span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true;
    const failed = span.status.code === SpanStatusCode.ERROR;
    if (failed && (this.#anyError || isRoot)) pending.failed = true;
    if (!isRoot) return;
    this.#pending.delete(traceId);
    this.#remember(traceId, pending.failed);
    if (pending.failed) {
      this.#kept++;
      this.#export(pending.spans);
    } else {
      this.#discarded++;
    }
  }

  async forceFlush(): Promise<void> {
    await this.#exporter.forceFlush?.();
  }

  /**
   * Discards pending traces and stops accepting spans. Idempotent. The exporter is not shut down:
   * it is usually shared with the processor that exports sampled spans, which owns it.
   */
  shutdown(): Promise<void> {
    if (this.#shutdown === undefined) {
      this.#discarded += this.#pending.size;
      this.#pending.clear();
      this.#decided.clear();
      this.#shutdown = Promise.resolve();
    }
    return this.#shutdown;
  }

  #export(spans: S[]): void {
    this.#exporter.export(spans, (result) => {
      if (result.code !== 0) this.#exportFailures++;
    });
  }

  #remember(traceId: string, kept: boolean): void {
    this.#decided.set(traceId, kept);
    if (this.#decided.size > this.#maxPending) {
      const oldest = this.#decided.keys().next();
      if (oldest.done !== true) this.#decided.delete(oldest.value);
    }
  }

  #evictOldest(): void {
    const oldest = this.#pending.keys().next();
    if (oldest.done === true) return;
    this.#pending.delete(oldest.value);
    this.#remember(oldest.value, false);
    this.#discarded++;
  }
}
