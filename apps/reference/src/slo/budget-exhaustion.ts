import type { SloTracker } from '@sightline/slo';

const HOUR = 3_600_000;

/** How far an SLO's error budget is overspent, and since when. */
export interface BudgetOverspend {
  /** Bad events beyond the budget's allowance (bad − allowed bad), events; > 0. */
  readonly overspentEvents: number;
  /**
   * Start of the hour (epoch ms) in which the budget was last exhausted: from the end of that
   * hour to `at` the budget stayed overspent at every hourly evaluation.
   */
  readonly exhaustedAt: number;
}

/**
 * Whether the budget of `tracker` is overspent at `at` and, if so, by how many events and since
 * when. The tracker keeps hour buckets, so the instant is found at hour resolution: the status is
 * evaluated at the end of each earlier hour, walking back while it is still overspent. The walk
 * stops at the start of the current budget window (a calendar window starts afresh) and at the
 * oldest hour the tracker still holds.
 * @returns `null` when the budget is not overspent (remaining ≥ 0) at `at`.
 */
export function budgetOverspend(tracker: SloTracker, at: number): BudgetOverspend | null {
  const now = tracker.status(at);
  // Rounded to a millionth: 1 − 0.99 is not exactly 0.01 in binary, so a budget spent exactly
  // would otherwise read as overspent by 1e-14 events, and 1,650 as 1649.9999999999998.
  const overspentEvents = Math.round(-now.budget.remainingEvents * 1e6) / 1e6;
  if (!(overspentEvents > 0) || now.events.total === 0) return null;
  const hourly = tracker.hourly();
  // The walk cannot reach behind the oldest hour bucket the tracker still holds.
  const oldestHour = hourly.newest === Number.NEGATIVE_INFINITY ? Math.floor(at / HOUR) : hourly.newest - hourly.good.length + 1;
  const floorHour = Math.max(oldestHour, Math.floor(now.window.start / HOUR));
  let hour = Math.floor(at / HOUR);
  // Invariant: the budget is overspent at the end of every hour from `hour` up to `at`.
  while (hour - 1 >= floorHour) {
    const endOfPrevious = hour * HOUR - 1;
    // A calendar window that started after that instant is a fresh budget: it ran out in this one.
    if (endOfPrevious < now.window.start) break;
    const earlier = tracker.status(endOfPrevious);
    if (earlier.events.total === 0 || Math.round(-earlier.budget.remainingEvents * 1e6) <= 0) break;
    hour -= 1;
  }
  return { overspentEvents, exhaustedAt: hour * HOUR };
}
