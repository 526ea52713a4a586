// When an SLO's error budget ran out and by how many events it is overspent
// (src/slo/budget-exhaustion.ts), as the SLO API answers it in `overspend`.
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { parseSloSpec, SloTracker } from '@sightline/slo';
import { budgetOverspend } from '../src/slo/budget-exhaustion.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Monday 00:00 UTC (2026-11-30), so a calendar week starts there.
const MONDAY = Date.UTC(2026, 10, 30);

function tracker(window: unknown, at: number): { slo: SloTracker; clock: ManualClock } {
  const clock = new ManualClock(at);
  const slo = new SloTracker(parseSloSpec({ name: 'checkout', service: 'checkout', objective: 0.99, window, sli: { kind: 'availability' } }, 'test'), { clock });
  return { slo, clock };
}

/** `good` of 100 events each minute of [from, to). */
function minutes(slo: SloTracker, from: number, to: number, good: number): void {
  for (let t = from; t < to; t += MIN) slo.record(good, 100, t);
}

describe('budgetOverspend', () => {
  it('is null while budget is left, and with no traffic', () => {
    const now = MONDAY + 3 * DAY + 30 * MIN;
    const { slo } = tracker('30d', now);
    expect(budgetOverspend(slo, now)).toBeNull();
    // 60 minutes of 100 events, 1 bad each: exactly the 1% allowed, not over it.
    minutes(slo, now - HOUR, now, 99);
    expect(budgetOverspend(slo, now)).toBeNull();
  });

  it('says how many bad events beyond the allowance, and the hour the budget ran out in', () => {
    const now = MONDAY + 3 * DAY + 30 * MIN;
    const { slo } = tracker('30d', now);
    // 3 hours all good (18,000 events), then from now − 90 min, 10 bad a minute.
    minutes(slo, now - 270 * MIN, now - 90 * MIN, 100);
    minutes(slo, now - 90 * MIN, now, 90);
    // 27,000 events allow 270 bad; 900 bad: overspent by 630. At the end of the hour from now − 90 min
    // (now − 30 min): 24,000 events, 600 bad > 240: already spent; at its start: none bad.
    expect(budgetOverspend(slo, now)).toEqual({ overspentEvents: 630, exhaustedAt: Math.floor((now - 90 * MIN) / HOUR) * HOUR });
  });

  it('gives the latest exhaustion when the budget recovered in between', () => {
    const now = MONDAY + 3 * DAY + 30 * MIN;
    const { slo } = tracker('30d', now);
    minutes(slo, now - 10 * HOUR, now - 9 * HOUR, 95); // 300 bad of 6,000 (5%): spent
    minutes(slo, now - 9 * HOUR, now - 2 * HOUR, 100); // 42,000 good dilute it: 300 of 48,000 is 0.63%
    expect(budgetOverspend(slo, now - 2 * HOUR)).toBeNull();
    minutes(slo, now - 2 * HOUR, now, 90); // 1,200 bad more
    // 1,500 bad of 60,000 (600 allowed): overspent by 900. At now − 90 min (an hour's end) 600 bad
    // of 51,000 are over 1%; at now − 150 min 300 of 45,000 are not: it ran out in the hour from now − 150 min.
    expect(budgetOverspend(slo, now)).toEqual({ overspentEvents: 900, exhaustedAt: now - 150 * MIN });
  });

  it('starts afresh with each calendar week: a budget spent last week runs out again this week', () => {
    const now = MONDAY + 2 * HOUR + 30 * MIN;
    const { slo } = tracker({ calendar: 'week', timeZone: 'UTC' }, now);
    minutes(slo, MONDAY - 5 * HOUR, MONDAY, 50); // last week: spent
    minutes(slo, MONDAY, MONDAY + HOUR, 100); // this week's first hour: 6,000 good
    minutes(slo, MONDAY + HOUR, now, 80); // then 20 bad a minute for 90 minutes: 1,800 bad
    // This week: 15,000 events allow 150 bad; 1,800 bad: overspent by 1,650, since the second hour.
    expect(budgetOverspend(slo, now)).toEqual({ overspentEvents: 1650, exhaustedAt: MONDAY + HOUR });
    // Spent from this week's first minutes: never earlier than the week's start.
    const early = tracker({ calendar: 'week', timeZone: 'UTC' }, MONDAY + 30 * MIN);
    minutes(early.slo, MONDAY - 5 * HOUR, MONDAY, 50);
    minutes(early.slo, MONDAY, MONDAY + 30 * MIN, 50);
    expect(budgetOverspend(early.slo, MONDAY + 30 * MIN)?.exhaustedAt).toBe(MONDAY);
  });
});
