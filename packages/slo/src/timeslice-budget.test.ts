import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { loadSloSpecs } from './openslo.js';
import { toPrometheusRules } from './prometheus-rules.js';
import { SloEngine } from './slo-engine.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpec, parseSloSpecs, serializeSloSpec, type SloSpec } from './spec.js';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/**
 * The OpenSLO budgeting-method example's assumptions (examples/budgeting-method, "Quick
 * calculations"), in our words: a 2-week rolling window, 1-minute slices, a 95% objective, a
 * service normally at 99% success, then an attack that leaves 1% success.
 */
function openSloExample(method: 'Timeslices' | 'RatioTimeslices'): string {
  const sliceTarget = method === 'Timeslices' ? 'timeSliceTarget: 0.95, ' : '';
  return `apiVersion: openslo/v1
kind: SLO
metadata: { name: web-shop-availability }
spec:
  service: web-shop
  indicator:
    metadata: { name: responses }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{code=~"2.."}[{{.window}}]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total[{{.window}}]))' } } }
  timeWindow: [{ duration: 2w, isRolling: true }]
  budgetingMethod: ${method}
  objectives:
    - { displayName: Good, target: 0.95, ${sliceTarget}timeSliceWindow: 1m }
`;
}

/** 15 days of minutes at 99% success (so the whole 2-week window is history), then `attack` minutes at 1%. */
function underAttack(spec: SloSpec, attack: number): { tracker: SloTracker; at: number } {
  const clock = new ManualClock(T0);
  const tracker = new SloTracker(spec, { clock });
  const healthy = (15 * DAY) / MIN;
  for (let m = 0; m < healthy + attack; m++) {
    tracker.record(m < healthy ? 99 : 1, 100, T0 + m * MIN + 30_000);
    clock.advance(MIN);
  }
  return { tracker, at: clock.now() };
}

describe('OpenSLO budgeting methods Timeslices and RatioTimeslices', () => {
  it('reads both from OpenSLO, the slice window included, and writes them back', () => {
    const [timeslices] = loadSloSpecs(openSloExample('Timeslices'));
    expect(timeslices!.budgeting).toEqual({ method: 'Timeslices', timeSliceTarget: 0.95, timeSliceWindow: '1m' });
    const [ratio] = loadSloSpecs(openSloExample('RatioTimeslices').replace('name: web-shop-availability', 'name: web-shop-ratio'));
    expect(ratio!.budgeting).toEqual({ method: 'RatioTimeslices', timeSliceWindow: '1m' });
    expect(parseSloSpecs([serializeSloSpec(timeslices!), serializeSloSpec(ratio!)])).toEqual([timeslices, ratio]);
  });

  it('reads a bare-number timeSliceWindow as minutes, as the spec says', () => {
    const [spec] = loadSloSpecs(openSloExample('RatioTimeslices').replace('timeSliceWindow: 1m', 'timeSliceWindow: 5'));
    expect(spec!.budgeting).toEqual({ method: 'RatioTimeslices', timeSliceWindow: '5m' });
  });

  it('refuses Timeslices without timeSliceTarget, and slices that do not divide an hour or a day', () => {
    const error = (text: string) => {
      try {
        loadSloSpecs(text);
      } catch (e) {
        return (e as { issues: { path: unknown[]; code: string }[] }).issues.map((i) => `${i.path.join('.')}: ${i.code}`);
      }
      throw new Error('expected a throw');
    };
    expect(error(openSloExample('Timeslices').replace('timeSliceTarget: 0.95, ', ''))).toEqual(['document 1.spec.objectives.0.timeSliceTarget: SLO_TIME_SLICE_TARGET']);
    expect(error(openSloExample('RatioTimeslices').replace('timeSliceWindow: 1m', 'timeSliceWindow: 7m'))).toEqual(['document 1.spec.objectives.0.timeSliceWindow: SLO_TIME_SLICE_WINDOW']);
  });

  it('refuses burn windows that are not whole slices (10-minute slices cannot judge a 5-minute window)', () => {
    expect(() => parseSloSpec({ name: 'a', service: 'x', objective: 0.95, sli: { kind: 'ratio' }, budgeting: { method: 'RatioTimeslices', timeSliceWindow: '10m' } })).toThrow(
      expect.objectContaining({ issues: expect.arrayContaining([expect.objectContaining({ code: 'SLO_BURN_WINDOW_SLICES' })]) }),
    );
  });

  it('Timeslices: the budget is 5% of 20,160 one-minute slices = 1,008 bad minutes, spent by 16 h 48 min of attack', () => {
    const [spec] = loadSloSpecs(openSloExample('Timeslices'));
    // 1,007 attack minutes: 1,007 of the 1,008 bad slices allowed.
    const before = underAttack(spec!, 1007);
    const status = before.tracker.status(before.at);
    expect(status.slices).toMatchObject({ sliceMs: MIN, bad: 1007, period: 20_160 });
    expect(status.budget.allowedBadEvents).toBeCloseTo(1008, 9);
    expect(status.budget.remainingFraction).toBeCloseTo(1 / 1008, 9);
    // 1,008 minutes = 16 h 48 min: spent.
    const after = underAttack(spec!, 16 * 60 + 48);
    expect(after.tracker.status(after.at).budget.remainingFraction).toBeCloseTo(0, 9);
  });

  it('RatioTimeslices: the average slice ratio spends the budget after about 13 h 45 min of attack, not 16 h 48 min', () => {
    const [spec] = loadSloSpecs(openSloExample('RatioTimeslices'));
    // Badness: 0.01 per healthy minute, 0.99 per attack minute; 1,008 allowed.
    // 0.01 x (20,160 - k) + 0.99 k = 1,008  =>  k = 806.4 / 0.98 = 822.9 minutes (13 h 43 min).
    const at822 = underAttack(spec!, 822);
    expect(at822.tracker.status(at822.at).budget.remainingFraction).toBeGreaterThan(0);
    const at824 = underAttack(spec!, 824);
    expect(at824.tracker.status(at824.at).budget.remainingFraction).toBeLessThan(0);
  });

  it('burn rates count slices: 59 bad of the last 60 slices under a 95% objective burn 59 / 60 / 0.05 ≈ 19.7x, whatever the traffic', () => {
    const spec = parseSloSpec({ name: 'a', service: 'x', objective: 0.95, sli: { kind: 'ratio' }, budgeting: { method: 'Timeslices', timeSliceTarget: 0.9, timeSliceWindow: '1m' } });
    const tracker = new SloTracker(spec, { clock: new ManualClock(T0 + 61 * MIN) });
    // 60 minutes: one request a minute, failing; then one busy minute of 10,000 good requests.
    for (let m = 0; m < 60; m++) tracker.record(0, 1, T0 + m * MIN);
    tracker.record(10_000, 10_000, T0 + 60 * MIN);
    const at = T0 + 61 * MIN;
    // The last 60 ended slices: 59 bad and the busy good one.
    expect(tracker.burnRate(60 * MIN, at)).toBeCloseTo(59 / 60 / 0.05, 9);
    const status = tracker.status(at);
    expect(status.burnRates['1h']).toBeCloseTo(59 / 60 / 0.05, 9);
    expect(status.conditions.find((c) => c.longWindow === '1h')!.longBurnRate).toBeCloseTo(59 / 60 / 0.05, 9);
    // Event-counted, the same hour would be 60 bad of 10,060: a burn rate of about 0.12.
    expect(status.events).toEqual({ good: 10_000, bad: 60, total: 10_060 });
  });

  it('counts a slice without events as good, and judges a slice only once it has ended', () => {
    const spec = parseSloSpec({ name: 'a', service: 'x', objective: 0.9, window: '1d', sli: { kind: 'ratio' }, budgeting: { method: 'Timeslices', timeSliceTarget: 0.5, timeSliceWindow: '1m' } });
    const tracker = new SloTracker(spec, { clock: new ManualClock(T0) });
    tracker.record(0, 1, T0 + 30_000);
    expect(tracker.status(T0 + 59_999).slices!.bad).toBe(0); // the slice is still open
    const s = tracker.status(T0 + 10 * MIN);
    expect(s.slices).toMatchObject({ bad: 1 });
    expect(s.slices!.good).toBe(s.slices!.total - 1);
  });

  it('keeps the slices across SloEngine.upsert of the same SLO (snapshot and restore)', () => {
    const spec = parseSloSpec({ name: 'a', service: 'x', objective: 0.9, window: '1d', sli: { kind: 'ratio' }, budgeting: { method: 'Timeslices', timeSliceTarget: 0.5, timeSliceWindow: '1m' } });
    const engine = new SloEngine({ clock: new ManualClock(T0 + 5 * MIN) });
    engine.upsert(spec).record(0, 1, T0 + 30_000);
    const again = engine.upsert(spec);
    expect(again.status(T0 + 5 * MIN).slices!.bad).toBe(1);
  });

  it('refuses to export Prometheus rules for time-slice SLOs (SLO_RULES_UNSUPPORTED) instead of writing event-ratio rules', () => {
    const specs = loadSloSpecs(openSloExample('Timeslices'));
    expect(() => toPrometheusRules(specs)).toThrow(expect.objectContaining({ code: 'SLO_RULES_UNSUPPORTED', message: expect.stringContaining('web-shop-availability (Timeslices)') }));
  });
});
