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
 * The Google SRE Workbook's defaults ("Alerting on SLOs", table 5-8), for a 30-day window:
 * 14.4x over 1h spends 2% of the budget, 6x over 6h spends 5% — page; 3x over 1d spends 10%,
 * 1x over 3d spends 10% — ticket. Each short window is 1/12 of its long window.
 */
export const DEFAULT_BURN_WINDOWS: readonly BurnWindow[] = Object.freeze([
  Object.freeze({ severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 }),
  Object.freeze({ severity: 'page', longWindow: '6h', shortWindow: '30m', burnRate: 6 }),
  Object.freeze({ severity: 'ticket', longWindow: '1d', shortWindow: '2h', burnRate: 3 }),
  Object.freeze({ severity: 'ticket', longWindow: '3d', shortWindow: '6h', burnRate: 1 }),
] as const);
