import type { Context, Sampler, SamplingResult } from '@opentelemetry/api';
import { IssueCollector, systemClock } from '@sightline/core';
import type { Clock } from '@sightline/core';
import { DROPPED, SAMPLED } from '../internal/sampling-results.js';
import { checkPositive, checkRatio, isKept, thresholdFor } from './threshold.js';
import type { Threshold } from './threshold.js';

/** Options of {@link AdaptiveSampler}. */
export interface AdaptiveSamplerOptions {
  /** Budget: traces kept per second (> 0). */
  readonly targetTracesPerSecond: number;
  /** Length of one observation window, ms (> 0). Default 1000. */
  readonly windowMs?: number;
  /** Ratio used before the first window closes (0..1). Default 1. */
  readonly initialRatio?: number;
  /** Lowest ratio it will go to (0..1). Default 0. */
  readonly minRatio?: number;
  /** Time source. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * Keeps about `targetTracesPerSecond` traces per second whatever the load: it counts the root
 * decisions offered in each window and, when the window closes, sets the ratio for the next window
 * to `target / observed rate` (clamped to [minRatio, 1]). Decisions use the consistent 56-bit
 * threshold rule, so they stay consistent with {@link ConsistentRatioSampler} at the same ratio.
 *
 * Convergence: after a step change in load, the window in which it happens is measured on a mix
 * of old and new load; the next window is measured on the new load alone; from the second window
 * after the change the kept rate is on target (up to sampling noise). So it converges within 2
 * windows. Every call is a root decision: wrap it in {@link ParentBasedSampler}. Throws
 * `TRACING_SAMPLER_INVALID` for bad options.
 */
export class AdaptiveSampler implements Sampler {
  readonly targetTracesPerSecond: number;
  readonly windowMs: number;
  readonly minRatio: number;
  readonly #clock: Clock;
  #ratio: number;
  #threshold: Threshold;
  #windowStart: number;
  #offered = 0;

  constructor(options: AdaptiveSamplerOptions) {
    const issues = new IssueCollector();
    checkPositive(issues, options?.targetTracesPerSecond, 'targetTracesPerSecond', 'traces per second');
    if (options?.windowMs !== undefined) checkPositive(issues, options.windowMs, 'windowMs', 'ms');
    if (options?.initialRatio !== undefined) checkRatio(issues, options.initialRatio, 'initialRatio');
    if (options?.minRatio !== undefined) checkRatio(issues, options.minRatio, 'minRatio');
    issues.throwIfAny('TRACING_SAMPLER_INVALID', 'AdaptiveSampler');
    this.targetTracesPerSecond = options.targetTracesPerSecond;
    this.windowMs = options.windowMs ?? 1000;
    this.minRatio = options.minRatio ?? 0;
    this.#clock = options.clock ?? systemClock;
    this.#ratio = Math.max(this.minRatio, options.initialRatio ?? 1);
    this.#threshold = thresholdFor(this.#ratio);
    this.#windowStart = this.#clock.now();
  }

  /** The ratio (0..1) in force for the current window. */
  get ratio(): number {
    return this.#ratio;
  }

  shouldSample(_context: Context, traceId: string): SamplingResult {
    const now = this.#clock.now();
    const elapsed = now - this.#windowStart;
    if (elapsed >= this.windowMs) this.#adjust(now, elapsed);
    this.#offered++;
    return isKept(traceId, this.#threshold) ? SAMPLED : DROPPED;
  }

  toString(): string {
    return `AdaptiveSampler{target=${this.targetTracesPerSecond}/s, ratio=${this.#ratio}}`;
  }

  #adjust(now: number, elapsed: number): void {
    // Observed offered rate over the closed window(s); idle gaps count, so a burst after a pause
    // is not mistaken for a low rate.
    const offeredPerSecond = (this.#offered * 1000) / elapsed;
    const wanted = offeredPerSecond === 0 ? 1 : this.targetTracesPerSecond / offeredPerSecond;
    const ratio = wanted >= 1 ? 1 : wanted < this.minRatio ? this.minRatio : wanted;
    if (ratio !== this.#ratio) {
      this.#ratio = ratio;
      this.#threshold = thresholdFor(ratio);
    }
    this.#offered = 0;
    this.#windowStart = now;
  }
}
