import type { Alert, Labels } from '@sightline/core';
import type { SloStatus } from '@sightline/slo';

/**
 * What an alert's condition measures now, beside its identity: the title and annotations are
 * those of when it fired (or last re-fired); live values are read when asked.
 */
export interface LiveValues {
  /** Epoch ms the values were read at. */
  at: number;
  /** One line for people, e.g. `burning 15.2x over 6h/30m now (threshold 6x) · 43% of budget left`. */
  summary: string;
  /** The same as key/values (strings, as annotations are). */
  values: Labels;
}

/** Reads the live values of an alert of one source; undefined when it has none (e.g. the SLO is gone). */
export type LiveValuesReader = (alert: Alert, now: number) => LiveValues | undefined;

/**
 * Live values of SLO burn-rate alerts (labels `slo` and `class`): the burn rates of the alert's
 * class (long/short window) against their thresholds now, and the error budget left. The summary
 * names the pair nearest to (or furthest past) its threshold.
 */
export function sloLiveValues(statusOf: (slo: string, at: number) => SloStatus | undefined): LiveValuesReader {
  return (alert, now) => {
    const slo = alert.labels.slo;
    if (slo === undefined) return undefined;
    const status = statusOf(slo, now);
    if (status === undefined) return undefined;
    const conditions = status.conditions.filter((c) => alert.labels.class === undefined || c.severity === alert.labels.class);
    if (conditions.length === 0) return undefined;
    // The pair that drives the alert: the one furthest past (or nearest to) its threshold — a
    // pair fires when both its windows burn above it, so the lower of the two counts.
    const margin = (c: (typeof conditions)[number]) => Math.min(c.longBurnRate, c.shortBurnRate) / c.burnRate;
    const worst = conditions.reduce((a, b) => (margin(b) > margin(a) ? b : a));
    const left = status.budget.remainingFraction;
    const budget = left < 0 ? `budget overspent by ${formatPercent(-left)}` : `${formatPercent(left)} of budget left`;
    return {
      at: now,
      summary: `burning ${worst.longBurnRate.toFixed(1)}x over ${worst.longWindow}/${worst.shortWindow} now (threshold ${worst.burnRate}x; short window ${worst.shortBurnRate.toFixed(1)}x) · ${budget}`,
      values: {
        windows: conditions.map((c) => `${c.longWindow}/${c.shortWindow}`).join(','),
        burn_rates: conditions.map((c) => `${c.longBurnRate.toFixed(2)}/${c.shortBurnRate.toFixed(2)}`).join(','),
        thresholds: conditions.map((c) => String(c.burnRate)).join(','),
        firing: conditions.map((c) => String(c.firing)).join(','),
        budget_remaining: left.toFixed(4),
      },
    };
  };
}

function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction >= 0.1 ? 0 : 1)}%`;
}
