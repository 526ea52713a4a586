import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { Registry } from 'prom-client';
import { deployGate, parsePolicy, policyActions } from './error-budget-policy.js';
import { SloEngine } from './slo-engine.js';
import { registerSloMetrics } from './slo-metrics.js';
import { sloReport } from './slo-report.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpec } from './spec.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-28T00:00:00Z');
const spec = parseSloSpec({ name: 'api', service: 'api', objective: 0.99, window: '7d', sli: { kind: 'availability' } });

describe('error budget policies and the deploy gate', () => {
  it('maps budget left and burn to actions; the gate refuses a deploy when a freeze rule holds', () => {
    const t = new SloTracker(spec);
    t.record(9_940, 10_000, T0); // 60 bad of 100 allowed: 40% left
    const s = t.status(T0);
    expect(policyActions(s).map((a) => a.action)).toEqual(['notify']);
    expect(deployGate(s)).toEqual({ allowed: true, slo: 'api', reasons: [] });
    t.record(9_950, 10_000, T0 + 1000); // 50 more: 110 bad of 200 allowed... plus burn over 1h = 0.55%/1% = 0.55x
    t.record(0, 300, T0 + 2000); // 300 bad: 410 of 203 allowed → overspent
    const spent = t.status(T0 + 2000);
    expect(deployGate(spent)).toEqual({ allowed: false, slo: 'api', reasons: [expect.stringMatching(/^budget remaining -\d+\.\d% <= 0\.0%$/)] });
  });

  it('validates a policy with every problem listed', () => {
    expect(() => parsePolicy([{ action: 'panic' }, { budgetRemainingBelow: 2, action: 'notify' }, { burnRateAbove: { window: 'soon', rate: 2 }, action: 'throttle' }])).toThrow(
      expect.objectContaining({ code: 'SLO_POLICY_INVALID', issues: [expect.objectContaining({ path: [0, 'action'] }), expect.objectContaining({ path: [0] }), expect.objectContaining({ path: [1, 'budgetRemainingBelow'] }), expect.objectContaining({ path: [2, 'burnRateAbove'] })] }),
    );
    const custom = parsePolicy([{ burnRateAbove: { window: '1h', rate: 2 }, action: 'freeze_deploys' }]);
    const t = new SloTracker(spec);
    t.record(970, 1000, T0); // 3% errors over 1h: 3x
    expect(deployGate(t.status(T0), custom)).toEqual({ allowed: false, slo: 'api', reasons: ['burn rate 3.00x over 1h > 2x'] });
  });
});

describe('reports', () => {
  it('gives attainment and budget spent per local day, and breaches as runs of bad hours, across a DST change', () => {
    const t = new SloTracker(spec);
    // Paris days around the 2026-03-29 spring change; 100 events per hour, 1 bad (1%: on target)...
    for (let h = 0; h < 72; h++) t.record(99, 100, T0 + h * HOUR + 60_000);
    // ...except 3 hours at 10% errors on 2026-03-29 from 10:00 UTC.
    for (const h of [34, 35, 36]) t.record(90, 100, T0 + h * HOUR + 120_000);
    const { periods, breaches } = sloReport(t, { period: 'day', timeZone: 'Europe/Paris' });
    expect(periods.map((p) => [new Date(p.start).toISOString(), (p.end - p.start) / HOUR, p.total])).toEqual([
      ['2026-03-27T23:00:00.000Z', 24, 2300], // Mar 28 from 00:00 UTC (01:00 local): 23 hours of data
      ['2026-03-28T23:00:00.000Z', 23, 2600], // Mar 29: the 23-hour day, 3 hours with a second batch
      ['2026-03-29T22:00:00.000Z', 24, 2400],
      ['2026-03-30T22:00:00.000Z', 24, 200],
    ]);
    const sunday = periods[1]!;
    expect(sunday.met).toBe(false);
    expect(sunday.budgetSpent).toBeCloseTo((23 + 3 * 10) / (2600 * 0.01), 10); // 23 baseline + 30 burst bad
    expect(breaches).toEqual([{ start: T0 + 34 * HOUR, end: T0 + 37 * HOUR, bad: 33, total: 600 }]);
  });
});

describe('prom-client metrics', () => {
  it('registers the SLI counter and the budget, burn-rate and alert gauges with stable names and labels', async () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine({ clock });
    const tracker = engine.upsert(spec);
    const registry = new Registry();
    const counter = registerSloMetrics(registry, engine);
    tracker.record(800, 1000);
    counter.count('api', 800, 1000);
    const text = await registry.metrics();
    expect(text).toContain('sightline_slo_sli_events_total{slo="api",outcome="good"} 800');
    expect(text).toContain('sightline_slo_sli_events_total{slo="api",outcome="bad"} 200');
    expect(text).toContain('sightline_slo_objective_ratio{slo="api",service="api"} 0.99');
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    // 200 bad of 10 allowed (1% of 1,000): 1 - 20 = -19; 20% errors / 1% allowed = 20x.
    expect(value('sightline_slo_error_budget_remaining_ratio{slo="api",service="api"}')).toBeCloseTo(-19, 10);
    expect(value('sightline_slo_burn_rate{slo="api",service="api",window="5m"}')).toBeCloseTo(20, 10);
    expect(text).toContain('sightline_slo_alert_firing{slo="api",service="api",class="page"} 1');
  });
});
