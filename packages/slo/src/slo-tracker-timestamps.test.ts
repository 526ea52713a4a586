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

/**
 * Three days at 2,000 events/min with 1 bad (burn 0.5), then one hour at 40 bad/min (burn 20),
 * the clock moving with the traffic; returns the clock at the end of the incident.
 */
function incident(tracker: SloTracker, clock: ManualClock): void {
  for (let m = 0; m < 4380; m++) {
    clock.set(T0 + m * MIN + 30_000);
    tracker.record(m < 4320 ? 1999 : 1960, 2000);
  }
  clock.set(T0 + 4380 * MIN - 1);
}

describe('event timestamps far from the clock', () => {
  it('a single event 10 days ahead is rejected as future: burn rates, budget and later events are unchanged', () => {
    const clock = new ManualClock(T0);
    const tracker = new SloTracker(spec, { clock });
    incident(tracker, clock);
    const before = tracker.status();
    // 1h: 60 incident minutes, 2,400 bad of 120,000 = 2% / 0.1% = 20.
    expect(before.burnRates['1h']).toBeCloseTo(20, 10);
    expect(before.events.total).toBe(4380 * 2000);

    tracker.recordOutcome(true, clock.now() + 10 * DAY);

    expect(tracker.status()).toEqual(before);
    expect(tracker.rejectedEvents).toBe(1);
    expect(tracker.rejectedEventsByReason).toEqual({ future: 1, past: 0, invalid: 0 });
    // A new event now still counts in every window (the rings did not move 10 days ahead).
    tracker.recordOutcome(false);
    expect(tracker.counts(5 * MIN).total).toBe(5 * 2000 + 1); // minutes 4375-4379, then the new one
  });

  it('accepts events up to maxFutureSkewMs ahead (default 5 minutes) and rejects the next millisecond', () => {
    const clock = new ManualClock(T0);
    const tracker = new SloTracker(spec, { clock });
    tracker.recordOutcome(true, T0 + 5 * MIN);
    tracker.recordOutcome(true, T0 + 5 * MIN + 1);
    expect(tracker.rejectedEventsByReason).toEqual({ future: 1, past: 0, invalid: 0 });
    const strict = new SloTracker(spec, { clock, maxFutureSkewMs: 0 });
    strict.record(3, 4, T0 + 1);
    expect(strict.rejectedEventsByReason).toEqual({ future: 4, past: 0, invalid: 0 });
    // Once the clock reaches the instant, the same event is accepted.
    clock.advance(1);
    strict.record(3, 4, T0 + 1);
    expect(strict.counts(MIN)).toEqual({ good: 3, total: 4 });
  });

  it('rejects events older than the longest window (past) and timestamps that are not times (invalid), without moving the rings', () => {
    const clock = new ManualClock(T0 + 40 * DAY);
    const tracker = new SloTracker(spec, { clock });
    tracker.record(90, 100);
    tracker.record(1, 1, T0); // 40 days before the newest event: beyond the 30-day window
    tracker.record(1, 1, Number.NaN);
    tracker.recordOutcome(true, Number.NEGATIVE_INFINITY);
    tracker.recordOutcome(true, -1e300);
    expect(tracker.rejectedEventsByReason).toEqual({ future: 0, past: 1, invalid: 3 });
    expect(tracker.rejectedEvents).toBe(4);
    expect(tracker.counts(HOUR)).toEqual({ good: 90, total: 100 });
  });

  it('SloEngine passes maxFutureSkewMs to its trackers, and rejects survive a snapshot and restore', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine({ clock, maxFutureSkewMs: 1_000 });
    const tracker = engine.upsert(spec);
    tracker.recordOutcome(true, T0 + 1_001);
    expect(tracker.rejectedEventsByReason.future).toBe(1);
    const copy = new SloTracker(spec, { clock });
    copy.restore(JSON.parse(JSON.stringify(tracker.snapshot())));
    expect(copy.rejectedEventsByReason).toEqual({ future: 1, past: 0, invalid: 0 });
  });

  it('rejects a bad maxFutureSkewMs with SLO_TRACKER_OPTIONS', () => {
    expect(() => new SloTracker(spec, { maxFutureSkewMs: -1 })).toThrow(expect.objectContaining({ code: 'SLO_TRACKER_OPTIONS' }));
    expect(() => new SloTracker(spec, { maxFutureSkewMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'SLO_TRACKER_OPTIONS' }));
  });
});
