import type { Context, Sampler, SamplingResult } from '@opentelemetry/api';
import { IssueCollector, systemClock } from '@sightline/core';
import type { Clock } from '@sightline/core';
import { DROPPED, SAMPLED } from '../internal/sampling-results.js';
import { checkPositive } from './threshold.js';

/** Options of {@link RateLimitedSampler}. */
export interface RateLimitedSamplerOptions {
  /** Traces kept per second on average (> 0). */
  readonly tracesPerSecond: number;
  /** Largest burst kept at once (>= 1 traces). Default: `max(1, tracesPerSecond)`. */
  readonly burst?: number;
  /** Time source. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * Keeps at most `tracesPerSecond` traces per second with a token bucket on the injected clock:
 * the bucket holds up to `burst` tokens, refills continuously at `tracesPerSecond`, and each kept
 * trace takes one. Over any interval of `t` ms it keeps at most `burst + tracesPerSecond × t / 1000`
 * traces. Every call is a root decision: wrap it in {@link ParentBasedSampler}. Throws
 * `TRACING_SAMPLER_INVALID` for a rate or burst that is not a positive finite number (burst >= 1).
 */
export class RateLimitedSampler implements Sampler {
  readonly tracesPerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  readonly #tokensPerMs: number;
  #tokens: number;
  #last: number;

  constructor(options: RateLimitedSamplerOptions) {
    const issues = new IssueCollector();
    checkPositive(issues, options?.tracesPerSecond, 'tracesPerSecond', 'traces per second');
    if (options?.burst !== undefined && !(typeof options.burst === 'number' && Number.isFinite(options.burst) && options.burst >= 1)) {
      issues.add(['burst'], `must be a finite number of traces >= 1, got ${String(options.burst)}`, 'SAMPLER_BURST');
    }
    issues.throwIfAny('TRACING_SAMPLER_INVALID', 'RateLimitedSampler');
    this.tracesPerSecond = options.tracesPerSecond;
    this.burst = options.burst ?? Math.max(1, options.tracesPerSecond);
    this.#clock = options.clock ?? systemClock;
    this.#tokensPerMs = options.tracesPerSecond / 1000;
    this.#tokens = this.burst;
    this.#last = this.#clock.now();
  }

  shouldSample(_context: Context, _traceId: string): SamplingResult {
    const now = this.#clock.now();
    if (now > this.#last) {
      const refilled = this.#tokens + (now - this.#last) * this.#tokensPerMs;
      this.#tokens = refilled > this.burst ? this.burst : refilled;
      this.#last = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return SAMPLED;
    }
    return DROPPED;
  }

  toString(): string {
    return `RateLimitedSampler{${this.tracesPerSecond}/s, burst=${this.burst}}`;
  }
}
