import { SightlineError } from '@sightline/core';

/**
 * The state of one SLO, as @sightline/slo's evaluator reports it. Structural, so any source
 * (that evaluator, a Prometheus query, a fake in a test) can back an SLO probe.
 */
export interface SloStatus {
  /** Error budget left, ratio (1 = untouched, 0 = spent, < 0 = overspent). */
  readonly budgetRemaining: number;
  /** Burn rate per window, e.g. `{ '5m': 14.9, '1h': 2.1 }` (1 = spending exactly on budget). */
  readonly burnRates: Readonly<Record<string, number>>;
  /** Whether a burn-rate alert (e.g. the fast-burn page) fires. */
  readonly firing: boolean;
}

/** The parts of `@sightline/slo`'s `SloTracker.status()` the probe reads. */
export interface SloTrackerStatus {
  readonly budget: { readonly remainingFraction: number };
  readonly burnRates: Readonly<Record<string, number>>;
  readonly firing: { readonly page: boolean; readonly ticket: boolean };
}

/**
 * Anything that can say how an SLO is doing now: a `@sightline/slo` `SloTracker` (its page alert
 * counts as firing), or any source of the flat {@link SloStatus}.
 */
export type SloSource =
  | { status(): SloStatus | SloTrackerStatus | Promise<SloStatus | SloTrackerStatus> }
  | (() => SloStatus | SloTrackerStatus | Promise<SloStatus | SloTrackerStatus>);

function flatten(status: SloStatus | SloTrackerStatus): SloStatus {
  if (typeof (status as SloTrackerStatus)?.budget === 'object' && typeof (status as SloTrackerStatus)?.firing === 'object') {
    const s = status as SloTrackerStatus;
    return { budgetRemaining: s.budget.remainingFraction, burnRates: s.burnRates, firing: s.firing.page };
  }
  return status as SloStatus;
}

/** What an SLO must satisfy for the probe to pass. */
export interface SloProbeOptions {
  /** Minimum budget remaining, ratio (default 0: budget not overspent). */
  readonly minBudgetRemaining?: number;
  /** Maximum burn rate in any window (default none). */
  readonly maxBurnRate?: number;
  /** Fail while an alert fires (default true). */
  readonly failWhenFiring?: boolean;
}

/** The SLO probe's output; `ok` is the verdict, `violations` say why not. */
export interface SloProbeResult extends SloStatus {
  readonly ok: boolean;
  readonly violations: readonly string[];
}

/**
 * Judges an SLO: the experiment passes when the SLO holds. Use as a steady-state probe, or as a
 * stop condition to abort when the fast-burn alert fires.
 * @example
 * registry.checkoutSlo = sloProbeFunction(() => evaluator.status('checkout'), { maxBurnRate: 14.4 });
 */
export async function sloProbe(source: SloSource, options: SloProbeOptions = {}): Promise<SloProbeResult> {
  const status = flatten(typeof source === 'function' ? await source() : await source.status());
  if (typeof status?.budgetRemaining !== 'number' || typeof status.firing !== 'boolean' || typeof status.burnRates !== 'object') {
    throw new SightlineError('CHAOS_SLO_STATUS_INVALID', 'SLO source must return { budgetRemaining: number, burnRates: Record<string, number>, firing: boolean }', {});
  }
  const violations: string[] = [];
  const minBudget = options.minBudgetRemaining ?? 0;
  if (status.budgetRemaining < minBudget) violations.push(`budget remaining ${status.budgetRemaining.toFixed(4)} < ${minBudget}`);
  if (options.maxBurnRate !== undefined) {
    for (const [window, rate] of Object.entries(status.burnRates)) {
      if (rate > options.maxBurnRate) violations.push(`burn rate ${rate.toFixed(2)} over ${window} > ${options.maxBurnRate}`);
    }
  }
  if ((options.failWhenFiring ?? true) && status.firing) violations.push('burn-rate alert is firing');
  return { ...status, ok: violations.length === 0, violations };
}

/** An SLO probe as a registry function for experiments. */
export function sloProbeFunction(source: SloSource, options: SloProbeOptions = {}): () => Promise<SloProbeResult> {
  return () => sloProbe(source, options);
}
