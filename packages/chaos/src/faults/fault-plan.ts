import { SightlineError } from '@sightline/core';
import { createRandom, sampleNormal } from '../internal/random.js';
import type { Random } from '../internal/random.js';
import { realScheduler } from '../scheduler.js';
import type { Scheduler } from '../scheduler.js';
import { emptyStats } from './fault.js';
import type { FaultStats } from './fault.js';

/** Delay added before a call, ms. `normal` is clamped at 0. */
export type LatencySpec =
  | { readonly distribution: 'fixed'; readonly ms: number }
  | { readonly distribution: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly distribution: 'normal'; readonly meanMs: number; readonly stdDevMs: number };

/** What to do to a matched call. Every field is optional; they combine in the order listed. */
export interface FaultPlanOptions {
  /** Delay every matched call. */
  readonly latency?: LatencySpec;
  /** Probability 0..1 that a call fails with `error()` instead of running. */
  readonly errorRate?: number;
  /** Builds the injected error; default a `SightlineError` with code `CHAOS_INJECTED_ERROR`. */
  readonly error?: () => Error;
  /** Probability 0..1 that a call hangs: never settles until the fault is reverted (then it rejects). */
  readonly hangRate?: number;
  /** Probability 0..1 that a call fails with `CHAOS_INJECTED_TIMEOUT` after `timeoutMs`. */
  readonly timeoutRate?: number;
  /** Delay before the injected timeout error, ms (default 1000). */
  readonly timeoutMs?: number;
  /** At most `limit` calls per `windowMs`; the rest fail with `CHAOS_RATE_LIMITED`. */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /** Seed for the probabilities, so a run is reproducible. */
  readonly seed?: number;
  /** Time source for latency and rate limits (default the real one). */
  readonly scheduler?: Scheduler;
}

const STREAK = 5;

/**
 * The decision engine shared by function wrappers, fetch and http interception: for each call,
 * `before()` delays, throws or hangs as configured, and counts what it did.
 */
export class FaultPlan {
  readonly #options: FaultPlanOptions;
  readonly #random: Random;
  readonly #scheduler: Scheduler;
  readonly #stats: FaultStats = emptyStats();
  readonly #pending = new Set<(error: Error) => void>();
  #streak = 0;
  #windowStart = 0;
  #windowCount = 0;
  #revertController = new AbortController();

  constructor(options: FaultPlanOptions) {
    validatePlan(options);
    this.#options = options;
    this.#random = createRandom(options.seed);
    this.#scheduler = options.scheduler ?? realScheduler;
  }

  stats(): FaultStats {
    return { ...this.#stats };
  }

  /** Applies the plan to one call; resolves when the call may proceed. */
  async before(): Promise<void> {
    const o = this.#options;
    const s = this.#stats;
    s.matched += 1;
    if (this.#streak >= STREAK) s.callsAfterErrorStreak += 1;
    if (o.rateLimit) {
      const now = this.#scheduler.now();
      if (now - this.#windowStart >= o.rateLimit.windowMs) {
        this.#windowStart = now;
        this.#windowCount = 0;
      }
      this.#windowCount += 1;
      if (this.#windowCount > o.rateLimit.limit) {
        this.#fail();
        throw new SightlineError('CHAOS_RATE_LIMITED', `injected rate limit: more than ${o.rateLimit.limit} calls per ${o.rateLimit.windowMs} ms`, { ...o.rateLimit });
      }
    }
    if (o.latency) {
      const ms = sampleLatency(o.latency, this.#random);
      s.injectedDelays += 1;
      s.maxInjectedDelayMs = Math.max(s.maxInjectedDelayMs, ms);
      await this.#scheduler.sleep(ms, this.#revertController.signal).catch(() => undefined);
    }
    if (o.hangRate !== undefined && this.#random() < o.hangRate) {
      this.#fail();
      await new Promise<void>((_, reject) => {
        // A hung call is released (rejected) on revert, so no promise outlives the fault.
        this.#pending.add(reject);
      });
    }
    if (o.timeoutRate !== undefined && this.#random() < o.timeoutRate) {
      this.#fail();
      const ms = o.timeoutMs ?? 1000;
      s.maxInjectedDelayMs = Math.max(s.maxInjectedDelayMs, ms);
      await this.#scheduler.sleep(ms, this.#revertController.signal).catch(() => undefined);
      throw new SightlineError('CHAOS_INJECTED_TIMEOUT', `injected timeout after ${ms} ms`, { timeoutMs: ms });
    }
    if (o.errorRate !== undefined && this.#random() < o.errorRate) {
      this.#fail();
      throw o.error ? o.error() : new SightlineError('CHAOS_INJECTED_ERROR', 'injected error', {});
    }
    this.#streak = 0;
  }

  /** Releases hung and delayed calls; called by the owning fault's `revert()`. */
  release(): void {
    this.#revertController.abort();
    this.#revertController = new AbortController();
    for (const reject of this.#pending) {
      reject(new SightlineError('CHAOS_FAULT_REVERTED', 'the hang fault was reverted while this call was held', {}));
    }
    this.#pending.clear();
  }

  #fail(): void {
    this.#stats.injectedErrors += 1;
    this.#streak += 1;
  }
}

function sampleLatency(spec: LatencySpec, random: Random): number {
  switch (spec.distribution) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * random();
    case 'normal':
      return Math.max(0, sampleNormal(random, spec.meanMs, spec.stdDevMs));
  }
}

function validatePlan(o: FaultPlanOptions): void {
  const bad: string[] = [];
  for (const key of ['errorRate', 'hangRate', 'timeoutRate'] as const) {
    const v = o[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) bad.push(`${key} must be a probability 0..1, got ${v}`);
  }
  const l = o.latency;
  if (l) {
    const values = l.distribution === 'fixed' ? [l.ms] : l.distribution === 'uniform' ? [l.minMs, l.maxMs] : [l.meanMs, l.stdDevMs];
    if (values.some((v) => !Number.isFinite(v) || v < 0)) bad.push('latency values must be finite ms >= 0');
    if (l.distribution === 'uniform' && l.minMs > l.maxMs) bad.push('latency.minMs must be <= latency.maxMs');
  }
  if (o.rateLimit && !(o.rateLimit.limit >= 0 && o.rateLimit.windowMs > 0)) bad.push('rateLimit needs limit >= 0 and windowMs > 0');
  if (o.timeoutMs !== undefined && !(o.timeoutMs >= 0)) bad.push('timeoutMs must be >= 0');
  if (bad.length > 0) {
    throw new SightlineError('CHAOS_FAULT_INVALID', `fault options are invalid: ${bad.join('; ')}`, { problems: bad });
  }
}
