import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { burnRateFor, DEFAULT_BUDGET_BURN_WINDOWS, DEFAULT_BURN_WINDOWS, defaultBurnWindows } from './burn-windows.js';
import { toPrometheusRules } from './prometheus-rules.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpec, serializeSloSpec } from './spec.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const base = { name: 'checkout-availability', service: 'checkout', objective: 0.999, sli: { kind: 'availability' } };
const rates = (windows: readonly { burnRate: number }[]) => windows.map((w) => w.burnRate);

describe('burn-rate factors follow the SLO window', () => {
  it('a 30-day window gets the SRE Workbook table: 14.4 (1h), 6 (6h), 3 (1d), 1 (3d)', () => {
    // The workbook's recommended parameters: 2% of the budget in 1h, 5% in 6h (page), 10% in
    // 1d and 10% in 3d (ticket). Factor = share × period / long window: 0.02 × 720h / 1h = 14.4,
    // 0.05 × 720 / 6 = 6, 0.10 × 720 / 24 = 3, 0.10 × 720 / 72 = 1.
    expect(rates(defaultBurnWindows(30 * DAY))).toEqual([14.4, 6, 3, 1]);
    expect(DEFAULT_BURN_WINDOWS).toEqual(defaultBurnWindows(30 * DAY));
    expect(DEFAULT_BUDGET_BURN_WINDOWS.map((w) => [w.severity, w.longWindow, w.shortWindow, w.budgetFraction])).toEqual([
      ['page', '1h', '5m', 0.02],
      ['page', '6h', '30m', 0.05],
      ['ticket', '1d', '2h', 0.1],
      ['ticket', '3d', '6h', 0.1],
    ]);
  });

  it("a 28-day window gets Sloth's google-28d factors: 13.44, 5.6, 2.8, 0.933…", () => {
    // 28 d = 672 h: 0.02 × 672 = 13.44; 0.05 × 672 / 6 = 5.6; 0.1 × 672 / 24 = 2.8; 0.1 × 672 / 72 = 0.9333…
    const windows = defaultBurnWindows(28 * DAY);
    expect(rates(windows)).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
    expect(burnRateFor(0.1, 28 * DAY, 3 * DAY)).toBeCloseTo(28 / 30, 12);
  });

  it('each default alert still means the same share of the budget, whatever the window', () => {
    // Budget spent while a condition fires at its threshold = factor × long window / period.
    for (const days of [7, 28, 30, 90]) {
      const spent = defaultBurnWindows(days * DAY).map((w, i) => (w.burnRate * [HOUR, 6 * HOUR, DAY, 3 * DAY][i]!) / (days * DAY));
      expect(spent.map((x) => Number(x.toFixed(10)))).toEqual([0.02, 0.05, 0.1, 0.1]);
    }
  });

  it('specs without alerting get the factors of their window; calendar months count as 30 days, weeks as 7', () => {
    expect(rates(parseSloSpec({ ...base, window: '28d' }).alerting.burnWindows)).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
    expect(rates(parseSloSpec({ ...base, window: '30d' }).alerting.burnWindows)).toEqual([14.4, 6, 3, 1]);
    expect(rates(parseSloSpec({ ...base }).alerting.burnWindows)).toEqual([14.4, 6, 3, 1]); // default window 30d
    expect(rates(parseSloSpec({ ...base, window: { calendar: 'month' } }).alerting.burnWindows)).toEqual([14.4, 6, 3, 1]);
    expect(rates(parseSloSpec({ ...base, window: { calendar: 'week' } }).alerting.burnWindows)).toEqual([3.36, 1.4, 0.7, 0.233333333333]);
  });

  it('explicit burn windows are kept as written, and a spec round-trips with its factors', () => {
    const explicit = { burnWindows: [{ severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 }] };
    expect(rates(parseSloSpec({ ...base, window: '28d', alerting: explicit }).alerting.burnWindows)).toEqual([14.4]);
    const spec = parseSloSpec({ ...base, window: '28d' });
    expect(parseSloSpec(serializeSloSpec(spec))).toEqual(spec);
  });

  it('the rules and the in-process evaluation of a 28-day SLO use 13.44: a 14x burn holds the 1h/5m condition there, not on a 30-day SLO', () => {
    const rules = parse(toPrometheusRules([parseSloSpec({ ...base, window: '28d' })])) as { groups: { rules: { alert?: string; expr: string }[] }[] };
    const page = rules.groups[0]!.rules.find((r) => r.alert?.endsWith('Page'))!;
    expect(page.expr).toContain('> (13.44 * 0.001)');
    expect(page.expr).toContain('> (5.6 * 0.001)');
    const ticket = rules.groups[0]!.rules.find((r) => r.alert?.endsWith('Ticket'))!;
    expect(ticket.expr).toContain('> (2.8 * 0.001)');
    expect(ticket.expr).toContain('> (0.933333333333 * 0.001)');

    // Two hours at 1.4% errors (1,000 events a minute, 14 bad): burn 0.014 / 0.001 = 14 on every
    // window. 14 > 13.44 holds the 1h/5m condition of the 28-day SLO; 14 < 14.4 does not hold
    // the 30-day one's (both 6h/30m conditions hold, 14 > 6 and 14 > 5.6).
    const burn = (window: string) => {
      const tracker = new SloTracker(parseSloSpec({ ...base, window }));
      for (let m = 0; m < 120; m++) tracker.record(986, 1000, T0 + m * MIN + 30_000);
      return tracker.status(T0 + 120 * MIN);
    };
    const d28 = burn('28d');
    expect(d28.burnRates['1h']).toBeCloseTo(14, 10);
    expect(d28.conditions[0]).toMatchObject({ burnRate: 13.44, firing: true });
    expect(burn('30d').conditions[0]).toMatchObject({ burnRate: 14.4, firing: false });
  });
});
