import { trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Link, Sampler, SamplingResult, SpanKind } from '@opentelemetry/api';
import { DROPPED, SAMPLED } from '../internal/sampling-results.js';
import { ConsistentRatioSampler } from './consistent-ratio-sampler.js';

/**
 * Follows the parent's sampled flag when there is a valid parent span context (local or remote),
 * and asks `root` only for root spans, so a trace is decided once, at its root.
 */
export class ParentBasedSampler implements Sampler {
  readonly #root: Sampler;

  constructor(root: Sampler) {
    this.#root = root;
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (parent === undefined || !trace.isSpanContextValid(parent)) {
      return this.#root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED : DROPPED;
  }

  toString(): string {
    return `ParentBased{root=${this.#root.toString()}}`;
  }
}

/**
 * The usual production sampler: parent-based, with a {@link ConsistentRatioSampler} at the root.
 * @example
 * new BasicTracerProvider({ sampler: parentBasedRatioSampler(0.1) });
 */
export function parentBasedRatioSampler(ratio: number): ParentBasedSampler {
  return new ParentBasedSampler(new ConsistentRatioSampler(ratio));
}
