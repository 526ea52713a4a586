import { SightlineError } from '@sightline/core';
import { BucketRing } from './bucket-ring.js';
import type { SloStatus } from './slo-tracker.js';
import { durationOrUndefined, type SloBudgeting, type SloSpec } from './spec.js';

/** Time slices of a status under `Timeslices` or `RatioTimeslices` budgeting. */
export interface TimesliceCounts {
  /** Length of one slice, in ms. */
  readonly sliceMs: number;
  /** Slices of the budget window that have ended by the status's instant. */
  readonly total: number;
  /**
   * Bad slices among them. `Timeslices`: slices whose good/total ratio fell below
   * `timeSliceTarget`. `RatioTimeslices`: the sum of (1 − ratio) over the slices, so a slice at
   * 0.9 counts 0.1 bad (the budget is spent by the average ratio).
   */
  readonly bad: number;
  /** total − bad. */
  readonly good: number;
  /** Slices in the whole budget window (ended or not): the budget is `period × (1 − objective)` slices. */
  readonly period: number;
}

/**
 * Good and total events per time slice over the budget window, for OpenSLO's time-slice
 * budgeting methods. A slice is judged once it has ended (its verdict can no longer change with
 * on-time data); a slice without events is good (nothing failed). Memory: two Float64 per slice
 * of the longest window (a 30-day window of 1-minute slices: 43,201 slices, ~0.7 MB).
 */
export class TimesliceLedger {
  readonly budgeting: SloBudgeting;
  readonly sliceMs: number;
  readonly #ring: BucketRing;
  readonly #one = { good: 0, total: 0 };

  /** `reachMs`: how far back, in ms, events must still land in their slice (the longest window). */
  constructor(budgeting: SloBudgeting, reachMs: number) {
    this.budgeting = budgeting;
    this.sliceMs = durationOrUndefined(budgeting.timeSliceWindow) ?? 60_000;
    this.#ring = new BucketRing(this.sliceMs, Math.ceil(reachMs / this.sliceMs) + 1);
  }

  /** Adds events at `at` (epoch ms) to their slice; false when the slice is older than the ledger reaches. */
  add(at: number, good: number, total: number): boolean {
    return this.#ring.add(at, good, total);
  }

  /** Badness (0..1) of the slice with absolute index `index`. */
  #badness(index: number): number {
    const one = this.#one;
    this.#ring.sum(index, 1, one);
    if (one.total === 0) return 0;
    const ratio = one.good / one.total;
    if (this.budgeting.method === 'RatioTimeslices') return 1 - ratio;
    return ratio >= this.budgeting.timeSliceTarget ? 0 : 1;
  }

  /** Ended slices of [start, end) (epoch ms) by `at`, their badness, and the slices of the whole range. */
  tally(start: number, end: number, at: number): TimesliceCounts {
    const first = Math.ceil(start / this.sliceMs);
    const last = Math.min(Math.floor(end / this.sliceMs), Math.floor(at / this.sliceMs)) - 1;
    let bad = 0;
    for (let i = first; i <= last; i++) bad += this.#badness(i);
    const total = Math.max(0, last - first + 1);
    return { sliceMs: this.sliceMs, total, bad, good: total - bad, period: Math.floor((end - start) / this.sliceMs) };
  }

  /**
   * Burn rate over the `ms` of slices that ended last by `at`: bad slices / slices /
   * (1 − objective). `ms` is a whole number of slices (the spec validation checks alert windows).
   */
  burnRate(ms: number, at: number, objective: number): number {
    const count = Math.max(1, Math.round(ms / this.sliceMs));
    const last = Math.floor(at / this.sliceMs) - 1;
    let bad = 0;
    for (let i = last - count + 1; i <= last; i++) bad += this.#badness(i);
    return bad / count / (1 - objective);
  }

  snapshot(): ReturnType<BucketRing['snapshot']> {
    return this.#ring.snapshot();
  }

  /** Reads a {@link TimesliceLedger.snapshot} back; one taken with another slice length is ignored. */
  restore(state: ReturnType<BucketRing['snapshot']>): void {
    if (state.bucketMs === this.sliceMs) this.#ring.restore(state);
  }
}

/**
 * `status` with attainment and budget counted in slices (burn rates and conditions already come
 * from {@link TimesliceLedger.burnRate}). The budget's `allowedBadEvents` and `remainingEvents`
 * are then in slices.
 */
export function withTimeslices(status: SloStatus, ledger: TimesliceLedger): SloStatus {
  const slices = ledger.tally(status.window.start, status.window.end, status.at);
  const allowedBadFraction = 1 - status.objective;
  const allowed = slices.period * allowedBadFraction;
  const consumedFraction = slices.bad / allowed;
  const remainingFraction = 1 - consumedFraction;
  const burn1h = status.burnRates['1h'];
  const length = status.window.end - status.window.start;
  return {
    ...status,
    attainment: slices.total === 0 ? 1 : slices.good / slices.total,
    budget: {
      allowedBadFraction,
      allowedBadEvents: allowed,
      consumedFraction,
      remainingFraction,
      remainingEvents: allowed - slices.bad,
      timeToExhaustionMs: remainingFraction <= 0 ? 0 : burn1h === undefined || burn1h === 0 ? null : Math.round((remainingFraction * length) / burn1h),
    },
    slices,
  };
}

/**
 * Refuses the Prometheus rule export of SLOs budgeted by time slices: the rules compute event
 * ratios, which would be wrong rules for them. Lists every such SLO in one `SLO_RULES_UNSUPPORTED`.
 */
export function assertRulesExpressible(specs: readonly SloSpec[]): void {
  const sliced = specs.filter((s) => s.budgeting !== undefined);
  if (sliced.length === 0) return;
  const list = sliced.map((s) => `${s.name} (${s.budgeting!.method})`).join(', ');
  throw new SightlineError(
    'SLO_RULES_UNSUPPORTED',
    `toPrometheusRules: ${list}: time-slice budgeting is evaluated in-process only; the rule export writes event-ratio (Occurrences) rules, which would be wrong for these SLOs. Leave them out of the export, or use budgetingMethod Occurrences.`,
    { slos: sliced.map((s) => s.name) },
  );
}
