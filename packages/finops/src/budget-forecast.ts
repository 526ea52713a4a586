import { createAlert, SightlineError, systemClock, type Alert, type Clock } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { CurrencyGuard } from './currency-guard.js';
import { costOf, type CostMetric } from './dimension.js';
import { formatMicros } from './money.js';

const DAY_MS = 86_400_000;

/** A monthly budget. Money in micro-units. */
export interface BudgetOptions {
  readonly name: string;
  /** The budget for the calendar month containing `clock.now()`, micro-units. */
  readonly amount: number;
  /** Ratios of the budget that raise an alert. Default [0.5, 0.8, 1]. */
  readonly thresholds?: readonly number[];
  /** Default `effective`. */
  readonly cost?: CostMetric;
  /** Default the system clock; inject a `ManualClock` in tests. */
  readonly clock?: Clock;
}

/** Month-to-date actuals, the month-end forecast, and the alerts they raise. */
export interface BudgetStatus {
  readonly month: string;
  readonly currency: string;
  /** Cost of whole days before today, micro-units. */
  readonly actual: number;
  /** actual + the expected cost of today and the remaining days, micro-units. */
  readonly forecast: number;
  readonly daysElapsed: number;
  readonly daysInMonth: number;
  /** One alert per threshold crossed, by actual and by forecast. */
  readonly alerts: readonly Alert[];
}

/**
 * Month-end forecast and budget alerts. The forecast adds, for each remaining day, the mean cost
 * of the same weekday over the last 4 weeks of data (so a month that is mostly weekends left is
 * not over-forecast); a weekday never seen falls back to the mean day. Alerts fire at each
 * threshold crossed by the actual (severity error at >= 100%, else warning) and by the forecast
 * (warning at >= 100%, else info). Today is incomplete, so it counts as forecast, not actual.
 */
export async function evaluateBudget(records: Iterable<CostRecord> | AsyncIterable<CostRecord>, options: BudgetOptions): Promise<BudgetStatus> {
  const thresholds = options.thresholds ?? [0.5, 0.8, 1];
  if (!(options.amount > 0) || !Number.isSafeInteger(options.amount) || thresholds.some((t) => !(t > 0))) {
    throw new SightlineError('FINOPS_BUDGET_INVALID', `budget "${options.name}": amount must be a positive integer of micro-units and thresholds > 0`, { amount: options.amount, thresholds: [...thresholds] });
  }
  const now = (options.clock ?? systemClock).now();
  const today = Math.floor(now / DAY_MS);
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
  const monthEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
  const metric = options.cost ?? 'effective';
  const guard = new CurrencyGuard();
  const daily = new Map<number, number>();
  for await (const record of records) {
    const day = Math.floor(record.chargePeriodStart / DAY_MS);
    if (day >= today || day < today - 28) continue;
    daily.set(day, (daily.get(day) ?? 0) + guard.convert(record, costOf(record, metric)));
  }
  let actual = 0;
  for (let day = monthStart; day < today; day++) actual += daily.get(day) ?? 0;
  // Mean per weekday over the last 28 days (4 of each weekday); days without data count as 0.
  const weekdaySum = new Array<number>(7).fill(0);
  const weekdayCount = new Array<number>(7).fill(0);
  const firstDataDay = Math.min(...daily.keys(), today);
  for (let day = Math.max(today - 28, firstDataDay); day < today; day++) {
    const weekday = (day + 4) % 7;
    weekdaySum[weekday] = (weekdaySum[weekday] ?? 0) + (daily.get(day) ?? 0);
    weekdayCount[weekday] = (weekdayCount[weekday] ?? 0) + 1;
  }
  const seenDays = weekdayCount.reduce((a, b) => a + b, 0);
  const meanDay = seenDays === 0 ? 0 : weekdaySum.reduce((a, b) => a + b, 0) / seenDays;
  let rest = 0;
  for (let day = today; day < monthEnd; day++) {
    const weekday = (day + 4) % 7;
    const count = weekdayCount[weekday] ?? 0;
    rest += count === 0 ? meanDay : (weekdaySum[weekday] ?? 0) / count;
  }
  const forecast = actual + Math.round(rest);
  const month = new Date(monthStart * DAY_MS).toISOString().slice(0, 7);
  const alerts: Alert[] = [];
  for (const threshold of [...thresholds].sort((a, b) => a - b)) {
    const limit = options.amount * threshold;
    for (const [basis, value] of [['actual', actual], ['forecast', forecast]] as const) {
      if (value < limit) continue;
      const severity = basis === 'actual' ? (threshold >= 1 ? 'error' : 'warning') : threshold >= 1 ? 'warning' : 'info';
      alerts.push(createAlert({
        source: 'finops', severity, startsAt: now,
        title: `Budget ${options.name}: ${basis} ${formatMicros(value)} ${guard.currency} crossed ${Math.round(threshold * 100)}% of ${formatMicros(options.amount)} for ${month}`,
        labels: { alertname: 'BudgetThreshold', budget: options.name, month, basis, threshold: String(threshold) },
        annotations: { value: formatMicros(value), budget: formatMicros(options.amount), currency: guard.currency },
      }));
    }
  }
  return { month, currency: guard.currency, actual, forecast, daysElapsed: today - monthStart, daysInMonth: monthEnd - monthStart, alerts };
}
