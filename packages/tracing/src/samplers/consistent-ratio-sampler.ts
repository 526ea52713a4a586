import type { Context, Sampler, SamplingResult } from '@opentelemetry/api';
import { IssueCollector } from '@sightline/core';
import { DROPPED, SAMPLED } from '../internal/sampling-results.js';
import { checkRatio, isKept, thresholdFor } from './threshold.js';
import type { Threshold } from './threshold.js';

/**
 * Keeps a `ratio` (0..1) of traces by trace id, with the current OpenTelemetry specification's
 * consistent-probability rule (not the older JS XOR-of-words algorithm): the randomness R is the
 * least significant 56 bits of the trace id, the rejection threshold is T = (1 − ratio) × 2^56,
 * and a trace is kept when R ≥ T. The same trace id always gets the same decision at a given ratio,
 * and every trace kept at a lower ratio is kept at a higher one, across services and languages
 * that implement the same rule. It decides for every span it is asked about: wrap it in
 * {@link ParentBasedSampler} so children follow their parent. Throws `TRACING_SAMPLER_INVALID`
 * for a ratio outside [0, 1].
 */
export class ConsistentRatioSampler implements Sampler {
  readonly ratio: number;
  readonly #threshold: Threshold;

  constructor(ratio: number) {
    const issues = new IssueCollector();
    checkRatio(issues, ratio, 'ratio');
    issues.throwIfAny('TRACING_SAMPLER_INVALID', 'ConsistentRatioSampler');
    this.ratio = ratio;
    this.#threshold = thresholdFor(ratio);
  }

  shouldSample(_context: Context, traceId: string): SamplingResult {
    return isKept(traceId, this.#threshold) ? SAMPLED : DROPPED;
  }

  toString(): string {
    return `ConsistentRatioSampler{${this.ratio}}`;
  }
}
