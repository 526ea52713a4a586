import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { SloEngine } from './slo-engine.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpec } from './spec.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const spec = parseSloSpec({ name: 'checkout-availability', service: 'checkout', objective: 0.999, window: '30d', sli: { kind: 'availability' } });

/** Minute m (0-based from T0) gets `total` events of which `bad` failed, recorded mid-minute. */
function minutes(tracker: SloTracker, from: number, to: number, total: number, bad: number): void {
  for (let m = from; m < to; m++) tracker.record(total - bad, total, T0 + m * MIN + 30_000);
}
const endOfMinute = (m: number) => T0 + (m + 1) * MIN - 1;

describe('a 99.9% 30-day SLO, worked by hand', () => {
  // 3 days at 2,000 events/min with 1 bad/min (0.05% errors: burn 0.5), then an incident at
  // 2,000/min with 40 bad/min (2% errors: burn 0.02 / 0.001 = 20) starting at minute 4320.
  const tracker = new SloTracker(spec);
  minutes(tracker, 0, 4320, 2000, 1);
  minutes(tracker, 4320, 4380, 2000, 40);
  const at = endOfMinute(4379); // the end of the incident's 60th minute, 2026-03-04T00:59:59.999Z

  it('computes the 5m and 1h burn rates: 2% errors / 0.1% allowed = 20 on both', () => {
    // 5m: minutes 4375-4379, 5 x 40 bad of 5 x 2,000 = 0.02. 1h: minutes 4320-4379, all incident.
    expect(tracker.burnRate(5 * MIN, at)).toBeCloseTo(20, 10);
    expect(tracker.burnRate(HOUR, at)).toBeCloseTo(20, 10);
  });

  it('fires the page alert (14.4x over 1h and 5m) and not the 6h/30m, 1d/2h or 3d/6h conditions', () => {
    const s = tracker.status(at);
    const byPair = Object.fromEntries(s.conditions.map((c) => [`${c.longWindow}/${c.shortWindow}`, c]));
    expect(byPair['1h/5m']).toMatchObject({ firing: true });
    // 6h = 360 minutes: 300 baseline (300 bad) + 60 incident (2,400 bad) of 720,000 → 0.00375 → 3.75x.
    expect(byPair['6h/30m']!.longBurnRate).toBeCloseTo(3.75, 10);
    expect(byPair['6h/30m']!.firing).toBe(false);
    // 2h = 120 minutes: 60 baseline + 2,400 = 2,460 of 240,000 → 10.25x; 1d = hours 49-72:
    // 23 h x 60 bad + 2,400 = 3,780 of 2,880,000 → 1.3125x < 3.
    expect(byPair['1d/2h']!.shortBurnRate).toBeCloseTo(10.25, 10);
    expect(byPair['1d/2h']!.longBurnRate).toBeCloseTo(1.3125, 10);
    // 3d = hours 1-72: 71 h x 60 + 2,400 = 6,660 of 8,640,000 → 0.7708x < 1.
    expect(byPair['3d/6h']!.longBurnRate).toBeCloseTo(6660 / 8_640_000 / 0.001, 10);
    expect(s.firing).toEqual({ page: true, ticket: false });
  });

  it('reports the budget: 6,720 of 8,760 allowed bad events spent, 2,040 left, exhausted in ~8.4 h at 20x', () => {
    // The 30-day window holds all 73 hours: 8,760,000 events, 72 x 60 + 2,400 = 6,720 bad.
    const s = tracker.status(at);
    expect(s.events).toEqual({ good: 8_760_000 - 6720, bad: 6720, total: 8_760_000 });
    expect(s.budget.allowedBadEvents).toBeCloseTo(8760, 6);
    expect(s.budget.consumedFraction).toBeCloseTo(6720 / 8760, 12);
    expect(s.budget.remainingEvents).toBeCloseTo(2040, 6);
    // remaining 0.232877 of a 30-day budget, spent 20x faster than sustainable: 0.232877 x 30 d / 20.
    expect(s.budget.timeToExhaustionMs).toBe(Math.round(((8760 - 6720) / 8760) * 30 * 24 * HOUR / 20));
    expect(s.attainment).toBeCloseTo(1 - 6720 / 8_760_000, 12);
  });

  it('pages at the 43rd minute of the incident and not before', () => {
    // After k incident minutes the 1h window holds 40k + (60 - k) bad of 120,000: above 14.4 x 0.001
    // when 39k + 60 > 1,728, i.e. k > 42.77. The 5m window is at 20x from the 5th minute on.
    expect(tracker.status(endOfMinute(4320 + 41)).firing.page).toBe(false); // k = 42
    expect(tracker.status(endOfMinute(4320 + 42)).firing.page).toBe(true); // k = 43
  });
});

describe('SloEngine alerts', () => {
  it('raises one page alert with the window pair, burn rates and budget, and resolves it as soon as the short window drops under 14.4x', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine({ clock });
    const tracker = engine.upsert(spec);
    // Events are recorded with their timestamps once the clock has reached them (events more than
    // 5 minutes ahead of the clock are rejected as future).
    clock.set(endOfMinute(4379));
    minutes(tracker, 0, 4320, 2000, 1); // the worked example above: only the 1h/5m pair fires
    minutes(tracker, 4320, 4380, 2000, 40);
    const { raised, resolved } = engine.evaluate();
    expect(resolved).toEqual([]);
    expect(raised).toEqual([
      expect.objectContaining({
        source: 'slo',
        severity: 'critical',
        status: 'firing',
        labels: { slo: 'checkout-availability', service: 'checkout', class: 'page' },
        annotations: { windows: '1h/5m', burn_rates: '20.00/20.00', thresholds: '14.4', objective: '0.999', budget_remaining: (2040 / 8760).toFixed(4) },
      }),
    ]);
    expect(engine.evaluate().raised).toEqual([]); // still firing: not raised twice
    // Recovery: error-free minutes. One clean minute: the 5m window holds 4 incident minutes,
    // 160 bad of 10,000 = 16x, still firing; two: 120 of 10,000 = 12x < 14.4, resolved — while the
    // 1h window is still at ~18x. That quick reset is what the short window is for.
    clock.set(endOfMinute(4380));
    minutes(tracker, 4380, 4382, 2000, 0);
    expect(engine.evaluate().resolved).toEqual([]);
    clock.set(endOfMinute(4381));
    expect(tracker.burnRate(5 * MIN, clock.now())).toBeCloseTo(12, 10);
    expect(engine.evaluate().resolved).toEqual([expect.objectContaining({ status: 'resolved', endsAt: endOfMinute(4381), labels: expect.objectContaining({ class: 'page' }) })]);
    expect(engine.firing()).toEqual([]);
  });
});

describe('edge cases', () => {
  it('no traffic: burn 0, attainment 1, no alert, nothing NaN, no exhaustion', () => {
    const s = new SloTracker(spec).status(T0);
    expect(s.burnRates).toEqual({ '1h': 0, '5m': 0, '6h': 0, '30m': 0, '1d': 0, '2h': 0, '3d': 0 });
    expect(s.attainment).toBe(1);
    expect(s.budget).toEqual({ allowedBadFraction: expect.closeTo(0.001, 12), allowedBadEvents: 0, consumedFraction: 0, remainingFraction: 1, remainingEvents: 0, timeToExhaustionMs: null });
    expect(s.firing).toEqual({ page: false, ticket: false });
  });

  it('100% bad: burn 1/(1 − 0.999) = 1000, both classes fire, the budget is overspent and exhausted', () => {
    const t = new SloTracker(spec);
    minutes(t, 0, 360, 10, 10);
    const s = t.status(endOfMinute(359));
    expect(s.burnRates['5m']).toBeCloseTo(1000, 8);
    expect(s.firing).toEqual({ page: true, ticket: true });
    expect(s.budget.remainingFraction).toBeCloseTo(1 - 3600 / 3.6, 8); // 3,600 bad of 3.6 allowed
    expect(s.budget.timeToExhaustionMs).toBe(0);
  });

  it('target 0.99999: one bad event in 100,000 is a burn rate of exactly 1', () => {
    const t = new SloTracker(parseSloSpec({ ...serial(), objective: 0.99999 }));
    t.record(99_999, 100_000, T0 + 1000);
    expect(t.burnRate(HOUR, T0 + 2000)).toBeCloseTo(1, 9);
  });

  it('a window longer than the data seen uses the data there is', () => {
    const t = new SloTracker(spec);
    minutes(t, 0, 120, 1000, 5); // two hours at 0.5%
    const s = t.status(endOfMinute(119));
    expect(s.burnRates['3d']).toBeCloseTo(5, 10);
    expect(s.events.total).toBe(120_000);
  });

  it('the clock going backwards: late events within reach land in their bucket, older ones are counted as rejected, a status in the past ignores later events', () => {
    const t = new SloTracker(spec);
    t.record(90, 100, T0 + 40 * 24 * HOUR);
    t.record(100, 100, T0 + 40 * 24 * HOUR - 10 * MIN); // 10 minutes late: placed
    expect(t.counts(HOUR, T0 + 40 * 24 * HOUR)).toEqual({ good: 190, total: 200 });
    t.record(0, 50, T0); // 40 days late: beyond the 30-day ring
    expect(t.rejectedEvents).toBe(50);
    expect(t.counts(HOUR, T0 + 40 * 24 * HOUR - 5 * MIN)).toEqual({ good: 100, total: 100 });
  });

  it('rejects impossible counts with SLO_RECORD_INVALID and keeps what was recorded', () => {
    const t = new SloTracker(spec);
    t.record(5, 5, T0);
    expect(() => t.record(6, 5, T0)).toThrow(expect.objectContaining({ code: 'SLO_RECORD_INVALID' }));
    expect(() => t.record(-1, 5, T0)).toThrow(expect.objectContaining({ code: 'SLO_RECORD_INVALID' }));
    expect(t.counts(HOUR, T0)).toEqual({ good: 5, total: 5 });
  });

  it('latency SLIs: raw durations against the threshold, and histogram buckets by the boundary rule', () => {
    const t = new SloTracker(parseSloSpec({ ...serial(), sli: { kind: 'latency', thresholdMs: 300 } }));
    for (const ms of [10, 299, 300, 301, 2000]) t.recordDuration(ms, T0);
    expect(t.counts(MIN, T0)).toEqual({ good: 3, total: 5 }); // 300 is "at most 300": good
    // Cumulative buckets le=250: 70, le=500: 90, +Inf: 100. The 250-500 bucket straddles 300: bad.
    t.recordHistogram([{ le: 250, count: 70 }, { le: 500, count: 90 }, { le: Number.POSITIVE_INFINITY, count: 100 }], T0 + MIN);
    // Read 30 s later, the trailing minute [T0 + 30 s, T0 + 90 s] holds only the second minute's bucket.
    expect(t.counts(MIN, T0 + MIN + 30_000)).toEqual({ good: 70, total: 100 });
  });

  it('memory is fixed by the spec: recording a million more events allocates nothing new', () => {
    const t = new SloTracker(spec);
    const before = JSON.stringify(t.snapshot()).length;
    for (let i = 0; i < 1_000_000; i++) t.recordOutcome(i % 1000 !== 0, T0 + i);
    expect(JSON.stringify(t.snapshot()).length).toBeLessThan(before * 1.2); // same buckets, bigger numbers
    expect(t.snapshot().fine.good).toHaveLength(361);
    expect(t.snapshot().coarse.good).toHaveLength(721);
  });

  it('snapshot and restore: a restarted tracker answers the same', () => {
    const t = new SloTracker(spec);
    minutes(t, 0, 200, 100, 3);
    const copy = new SloTracker(spec);
    copy.restore(JSON.parse(JSON.stringify(t.snapshot())));
    expect(copy.status(endOfMinute(199))).toEqual(t.status(endOfMinute(199)));
  });
});

describe('trailing windows (the range Prometheus reads at the same instant)', () => {
  it('at a minute boundary the 5m and 1h windows hold the 5 and 60 whole minutes before it', () => {
    // 100 events a minute for two hours, minute m having m bad. At 02:00 exactly, the 1h window
    // is minutes 60-119: 6,000 events, 60 + ... + 119 = 5,370 bad. (Minute-aligned windows that
    // ended with the current, empty minute held 59 minutes: 5,900 events.)
    const t = new SloTracker(spec);
    for (let m = 0; m < 120; m++) t.record(100 - m % 100, 100, T0 + m * MIN + 30_000);
    expect(t.counts(HOUR, T0 + 120 * MIN).total).toBe(6000);
    expect(t.counts(5 * MIN, T0 + 120 * MIN).total).toBe(500);
    // Minutes 60-119 have m % 100 bad: 60..99 then 0..19.
    const bad = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => (from + i) % 100).reduce((a, b) => a + b, 0);
    expect(t.counts(HOUR, T0 + 120 * MIN)).toEqual({ good: 6000 - bad(60, 120), total: 6000 });
  });

  it('a 1d window between hour boundaries holds 24 hours: whole hours, the current hour by minute and a share of the oldest hour', () => {
    // 100 events a minute, except 200 a minute in hour 10 of day one. At 34:30 (day two, 10:30)
    // the 1d window starts at 10:30 on day one: half of hour 10 (30 min x 200 = 6,000), hours
    // 11-33 (23 x 6,000 = 138,000) and 34:00-34:29 (3,000) = 147,000. Hour-aligned windows held
    // hours 11-34 so far: 141,000, half an hour short.
    const t = new SloTracker(spec);
    for (let m = 0; m < 34 * 60 + 30; m++) t.record(m >= 600 && m < 660 ? 200 : 100, m >= 600 && m < 660 ? 200 : 100, T0 + m * MIN + 30_000);
    expect(t.counts(DAY, T0 + (34 * 60 + 30) * MIN)).toEqual({ good: 147_000, total: 147_000 });
    // On the hour, the window is exactly the 24 whole hours before it: hours 11-34.
    for (let m = 34 * 60 + 30; m < 35 * 60; m++) t.record(100, 100, T0 + m * MIN + 30_000);
    expect(t.counts(DAY, T0 + 35 * HOUR)).toEqual({ good: 144_000, total: 144_000 });
    // The 3d window reaches before the first event: everything recorded.
    expect(t.counts(3 * DAY, T0 + 35 * HOUR).total).toBe(35 * 6000 + 6000);
  });

  it('the 1d/2h ticket condition holds at the minute a trailing 24 h window derives, not earlier', () => {
    // 1,000 events a minute without errors from 00:00, then 1% errors (10 bad a minute, burn 10)
    // from minute 2,897 (48:17). After k bad minutes the trailing 1d window holds 10k bad of
    // 1,440,000: above 3 x 0.001 when k > 432. The 2h window is at 10x from the start. An
    // hour-aligned 1d window (at 55:16, hours 32-55 so far: 23 h 16 min, 1,396,000 events)
    // crossed at k = 419, 14 minutes early.
    const t = new SloTracker(spec);
    const start = 2897;
    const ticket1d = (k: number) => {
      for (let m = 0; m < start + k; m++) if (m >= recorded) t.record(m >= start ? 990 : 1000, 1000, T0 + m * MIN + 30_000);
      recorded = Math.max(recorded, start + k);
      return t.status(T0 + (start + k) * MIN).conditions.find((c) => c.longWindow === '1d')!;
    };
    let recorded = 0;
    expect(ticket1d(419).firing).toBe(false);
    const before = ticket1d(432);
    expect(before.longBurnRate).toBeCloseTo(4320 / 1_440_000 / 0.001, 9); // exactly 3: not above
    expect(before.firing).toBe(false);
    expect(ticket1d(433).firing).toBe(true);
  });

  it('a status asked at a past instant ignores the minutes after its own, also in windows longer than 6h', () => {
    const t = new SloTracker(spec);
    for (let m = 0; m < 600; m++) t.record(100, 100, T0 + m * MIN + 30_000);
    // At 05:09:59.999 the 1d window holds minutes 0-309 only, though later hours are recorded
    // (the resolution is the minute: asked at 05:10:00 it would include the 05:10 bucket).
    expect(t.counts(DAY, T0 + 310 * MIN - 1).total).toBe(310 * 100);
    expect(t.counts(DAY, T0 + 310 * MIN).total).toBe(311 * 100);
  });
});

describe('calendar windows', () => {
  const monthly = parseSloSpec({ ...serial(), window: { calendar: 'month', timeZone: 'Europe/Paris' } });
  it('a month in Europe/Paris across the spring DST change is 743 hours, starting at local midnight', () => {
    const s = new SloTracker(monthly).status(Date.parse('2026-03-15T12:00:00Z'));
    expect(new Date(s.window.start).toISOString()).toBe('2026-02-28T23:00:00.000Z');
    expect(new Date(s.window.end).toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect((s.window.end - s.window.start) / HOUR).toBe(743);
  });

  it('counts only the current month, and a week is Monday to Monday local time (167 h across DST)', () => {
    const t = new SloTracker(monthly);
    t.record(0, 10, Date.parse('2026-02-28T22:30:00Z')); // 23:30 in Paris on Feb 28: last month
    t.record(9, 10, Date.parse('2026-02-28T23:30:00Z')); // 00:30 on Mar 1
    expect(t.status(Date.parse('2026-03-01T05:00:00Z')).events).toEqual({ good: 9, bad: 1, total: 10 });
    const weekly = new SloTracker(parseSloSpec({ ...serial(), window: { calendar: 'week', timeZone: 'Europe/Paris' } }));
    const w = weekly.status(Date.parse('2026-03-27T12:00:00Z')).window;
    expect([new Date(w.start).toISOString(), new Date(w.end).toISOString(), (w.end - w.start) / HOUR]).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 167]);
  });
});

function serial(): Record<string, unknown> {
  return { name: 'x', service: 's', objective: 0.999, window: '30d', sli: { kind: 'availability' } };
}
