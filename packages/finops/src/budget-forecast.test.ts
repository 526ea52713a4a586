import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { evaluateBudget } from './budget-forecast.js';
import type { CostRecord } from './cost-record.js';
import { record } from './test-fixtures.js';

const DAY = 86_400_000;

// 100.00 each weekday, 40.00 each Saturday/Sunday, from 2026-01-05 (Mon) to 2026-02-09 (Mon, exclusive).
function bill(): CostRecord[] {
  const rows: CostRecord[] = [];
  for (let at = Date.UTC(2026, 0, 5); at < Date.UTC(2026, 1, 9); at += DAY) {
    const weekday = new Date(at).getUTCDay();
    rows.push(record({ chargePeriodStart: at, chargePeriodEnd: at + DAY, effectiveCost: weekday === 0 || weekday === 6 ? 40_000_000 : 100_000_000 }));
  }
  return rows;
}

describe('evaluateBudget', () => {
  it('forecasts month-end with weekly seasonality and alerts on actual and forecast thresholds', async () => {
    const clock = new ManualClock(Date.UTC(2026, 1, 9, 12)); // Monday 9 Feb, noon
    const status = await evaluateBudget(bill(), { name: 'platform', amount: 2_000_000_000, clock });
    // Actual: 1–8 Feb = Sun 1 (40) + Mon–Fri 2–6 (5×100) + Sat 7, Sun 8 (2×40) = 620.00.
    // Remaining 9–28 Feb: 15 weekdays × 100 + 5 weekend days (14,15,21,22,28) × 40 = 1,700.00.
    // Forecast = 620 + 1,700 = 2,320.00 of a 2,000.00 budget.
    expect(status).toMatchObject({ month: '2026-02', actual: 620_000_000, forecast: 2_320_000_000, daysElapsed: 8, daysInMonth: 28 });
    // actual 31% crosses nothing; forecast 116% crosses 50%, 80%, 100%.
    expect(status.alerts.map((a) => [a.labels['basis'], a.labels['threshold'], a.severity])).toEqual([
      ['forecast', '0.5', 'info'], ['forecast', '0.8', 'info'], ['forecast', '1', 'warning'],
    ]);
  });

  it('raises an error alert when the actual passes the budget', async () => {
    const status = await evaluateBudget(bill(), { name: 'tiny', amount: 500_000_000, clock: new ManualClock(Date.UTC(2026, 1, 9)) });
    expect(status.alerts.filter((a) => a.labels['basis'] === 'actual').map((a) => a.severity)).toEqual(['warning', 'warning', 'error']);
  });

  it('rejects a non-positive budget with FINOPS_BUDGET_INVALID', async () => {
    await expect(evaluateBudget([], { name: 'x', amount: 0 })).rejects.toMatchObject({ code: 'FINOPS_BUDGET_INVALID' });
  });
});
