import { trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Link, Sampler, SamplingResult, SpanKind } from '@opentelemetry/api';
import { DROPPED, RECORD_ONLY, SAMPLED } from '../internal/sampling-results.js';
import { SemanticAttributes } from '../attributes.js';

/** Options of {@link ErrorBiasedSampler}. */
export interface ErrorBiasedSamplerOptions {
  /** Decides root spans that carry no error attribute, e.g. a ratio or rate-limited sampler. */
  readonly root: Sampler;
  /** Start attributes whose presence keeps a root span. Default `['error.type']`. */
  readonly errorAttributes?: readonly string[];
  /**
   * Record (without sampling) the traces `root` drops, so a {@link TailKeepSpanProcessor} can still
   * keep them when they fail. Default true. With false, dropped traces are not recorded at all.
   */
  readonly recordDropped?: boolean;
}

/**
 * Biases sampling towards failing traces. Head strategy, at span start:
 * 1. a child follows its parent: sampled parent → sampled; unsampled but recording local parent →
 *    recorded (the trace is pending a tail decision); otherwise dropped;
 * 2. a root span whose start attributes include an error attribute (default `error.type`, which a
 *    retry or a dead-letter handler knows up front) is sampled;
 * 3. otherwise `root` decides; what it drops is still recorded (`RECORD`) when `recordDropped`.
 * Tail: register a {@link TailKeepSpanProcessor}, which exports a recorded-but-unsampled trace when
 * one of its spans ends with ERROR status, and discards it otherwise. A head sampler alone cannot
 * know a root will fail: the tail hook is what makes "always keep failed traces" hold.
 */
export class ErrorBiasedSampler implements Sampler {
  readonly #root: Sampler;
  readonly #errorAttributes: readonly string[];
  readonly #recordDropped: boolean;

  constructor(options: ErrorBiasedSamplerOptions) {
    this.#root = options.root;
    this.#errorAttributes = [...(options.errorAttributes ?? [SemanticAttributes.ERROR_TYPE])];
    this.#recordDropped = options.recordDropped ?? true;
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parentSpan = trace.getSpan(context);
    const parent = parentSpan?.spanContext();
    if (parent !== undefined && trace.isSpanContextValid(parent)) {
      if ((parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED) return SAMPLED;
      return !parent.isRemote && parentSpan?.isRecording() === true ? RECORD_ONLY : DROPPED;
    }
    for (const key of this.#errorAttributes) if (attributes[key] !== undefined) return SAMPLED;
    const result = this.#root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (result.decision === DROPPED.decision && this.#recordDropped) return RECORD_ONLY;
    return result;
  }

  toString(): string {
    return `ErrorBiased{root=${this.#root.toString()}}`;
  }
}
