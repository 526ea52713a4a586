import { parseDuration } from '@sightline/core';
import type { SloWindow } from './spec.js';

/**
 * One multi-window burn-rate condition: it holds when the burn rate exceeds `burnRate` over both
 * the long and the short window (the short one makes the alert reset soon after recovery).
 */
export interface BurnWindow {
  readonly severity: 'page' | 'ticket';
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly burnRate: number;
}

/**
 * One condition of the SRE Workbook's table stated in what it means: the share of the SLO
 * window's error budget (`budgetFraction`, ratio 0..1) that the long window spends when the
 * condition fires. Sloth's `AlertWindows` (`errorBudgetPercent`) say the same thing.
 */
export interface BudgetBurnWindow {
  readonly severity: 'page' | 'ticket';
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly budgetFraction: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The Google SRE Workbook's recommended conditions ("Alerting on SLOs", table 5-8), by budget
 * spent: 2% in 1h and 5% in 6h page; 10% in 1d and 10% in 3d open a ticket. Each short window is
 * 1/12 of its long window. The same table as Sloth's `google-30d` and `google-28d` windows.
 */
export const DEFAULT_BUDGET_BURN_WINDOWS: readonly BudgetBurnWindow[] = Object.freeze([
  Object.freeze({ severity: 'page', longWindow: '1h', shortWindow: '5m', budgetFraction: 0.02 }),
  Object.freeze({ severity: 'page', longWindow: '6h', shortWindow: '30m', budgetFraction: 0.05 }),
  Object.freeze({ severity: 'ticket', longWindow: '1d', shortWindow: '2h', budgetFraction: 0.1 }),
  Object.freeze({ severity: 'ticket', longWindow: '3d', shortWindow: '6h', budgetFraction: 0.1 }),
] as const);

/** Long windows of the default conditions, in ms. */
const LONG_WINDOW_MS: Readonly<Record<string, number>> = { '1h': HOUR, '6h': 6 * HOUR, '1d': DAY, '3d': 3 * DAY };

/**
 * The burn rate at which a window of `longWindowMs` spends `budgetFraction` of the budget of an
 * SLO window of `periodMs`: budgetFraction × period / long window (SRE Workbook, "Alerting on
 * SLOs"; Sloth computes its factors the same way). Rounded to 12 significant digits so that
 * 0.02 × 720 reads 14.4, not 14.400000000000002.
 * @example
 * burnRateFor(0.02, 28 * 86_400_000, 3_600_000); // 13.44
 */
export function burnRateFor(budgetFraction: number, periodMs: number, longWindowMs: number): number {
  return Number(((budgetFraction * periodMs) / longWindowMs).toPrecision(12));
}

/**
 * The default conditions for an SLO window of `periodMs` (ms): the workbook's budget shares
 * turned into burn rates for that window, so each alert still means 2% / 5% / 10% / 10% of the
 * budget. 30 days gives 14.4 / 6 / 3 / 1; 28 days 13.44 / 5.6 / 2.8 / 0.933…; 7 days 3.36 / 1.4
 * / 0.7 / 0.233…. Calendar windows use their nominal length (month 30 days, week 7 days).
 */
export function defaultBurnWindows(periodMs: number): BurnWindow[] {
  return DEFAULT_BUDGET_BURN_WINDOWS.map((w) => ({
    severity: w.severity,
    longWindow: w.longWindow,
    shortWindow: w.shortWindow,
    burnRate: burnRateFor(w.budgetFraction, periodMs, LONG_WINDOW_MS[w.longWindow]!),
  }));
}

/**
 * The defaults for a 30-day SLO window (what {@link defaultBurnWindows} gives for 30 days):
 * 14.4x over 1h spends 2% of the budget, 6x over 6h spends 5% — page; 3x over 1d spends 10%,
 * 1x over 3d spends 10% — ticket.
 */
export const DEFAULT_BURN_WINDOWS: readonly BurnWindow[] = Object.freeze(defaultBurnWindows(30 * DAY).map((w) => Object.freeze(w)));

/**
 * The nominal length of an SLO window in ms, for burn-rate factors and Prometheus ranges: a
 * rolling window's duration; a calendar month 30 days and a week 7 days (Prometheus has no
 * calendar ranges, and the workbook's factors assume a fixed period).
 */
export function nominalPeriodMs(window: SloWindow): number {
  if (window.kind === 'calendar') return window.unit === 'month' ? 30 * DAY : 7 * DAY;
  return parseDuration(window.duration);
}
