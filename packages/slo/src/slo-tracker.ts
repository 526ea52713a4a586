import { SightlineError, systemClock, type Clock } from '@sightline/core';
import { BucketRing } from './bucket-ring.js';
import type { BurnWindow } from './burn-windows.js';
import { calendarPeriodEnd, calendarPeriodStart } from './calendar.js';
import { durationOrUndefined, type SloSpec } from './spec.js';
import { histogramGoodCount, meetsThreshold, type ThresholdOp } from './threshold.js';
import { TimesliceLedger, withTimeslices, type TimesliceCounts } from './timeslice-budget.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Windows up to this long are summed from minute buckets; longer ones from hour buckets. */
const FINE_SPAN = 6 * HOUR;
/** Default tolerance for event timestamps ahead of the clock (clock skew between hosts), in ms. */
const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * MINUTE;
/** The ECMAScript Date range, in epoch ms: instants outside it are not times (`invalid`). */
const EARLIEST = -8.64e15;
const LATEST = 8.64e15;

/** Options of {@link SloTracker}. */
export interface SloTrackerOptions {
  /** Time source for instants left out (default: the system clock) and for the future bound. */
  readonly clock?: Clock;
  /**
   * How far ahead of the clock's now an event's timestamp may be, in ms (default 300,000 = 5
   * minutes). Later events are rejected (`rejectedEventsByReason.future`) and change nothing.
   */
  readonly maxFutureSkewMs?: number;
}

/** Why events were not recorded, in events (a `record(good, total)` counts `total`). */
export interface RejectedEvents {
  /** Timestamped more than `maxFutureSkewMs` after the clock's now. */
  readonly future: number;
  /** Older than the longest window before the newest recorded event. */
  readonly past: number;
  /** The timestamp was not an epoch-ms number within the Date range (NaN, ±Infinity, beyond ±8.64e15). */
  readonly invalid: number;
}

/** Budget, in fractions of the window's allowed bad events and in events. */
export interface ErrorBudget {
  /** 1 − objective: the fraction of events allowed to be bad. */
  readonly allowedBadFraction: number;
  /** Bad events the window's traffic so far allows. */
  readonly allowedBadEvents: number;
  /** Bad events / allowed bad events (0 with no traffic; above 1 when overspent). */
  readonly consumedFraction: number;
  /** 1 − consumed (negative when overspent). */
  readonly remainingFraction: number;
  readonly remainingEvents: number;
  /**
   * At the 1h burn rate, ms until the remaining budget is spent: remaining × window length /
   * burn rate (constant traffic assumed). `null` when nothing burns; 0 when already spent.
   */
  readonly timeToExhaustionMs: number | null;
}

/** One burn-rate condition's state. */
export interface BurnWindowStatus extends BurnWindow {
  readonly longBurnRate: number;
  readonly shortBurnRate: number;
  /** Both burn rates strictly above `burnRate`. */
  readonly firing: boolean;
}

/** Everything about one SLO at one instant. */
export interface SloStatus {
  readonly name: string;
  readonly service: string;
  readonly objective: number;
  readonly at: number;
  /** The budget window: [start, end) — rolling: the last `duration`; calendar: the current period. */
  readonly window: { readonly start: number; readonly end: number };
  readonly events: { readonly good: number; readonly bad: number; readonly total: number };
  /** good / total over the window; 1 with no traffic (nothing failed). */
  readonly attainment: number;
  readonly budget: ErrorBudget;
  /** Burn rate per window used by the alert conditions, keyed by the window (`5m`, `1h`, ...). */
  readonly burnRates: Readonly<Record<string, number>>;
  readonly conditions: readonly BurnWindowStatus[];
  readonly firing: { readonly page: boolean; readonly ticket: boolean };
  /** Under `Timeslices`/`RatioTimeslices` budgeting: the slices behind attainment, budget and burn rates. */
  readonly slices?: TimesliceCounts;
}

/**
 * Streaming evaluation of one SLO: record events as they happen (O(1), no allocation), ask for
 * its status at any instant (O(buckets)). Events go into minute buckets for the last 6 hours and
 * hour buckets for the budget window and the long alert windows, so memory is fixed by the
 * spec (about 17 KB for a 30-day SLO), never by the event rate.
 *
 * Time: every record and status takes an instant (default: the injected clock). Events up to the
 * ring's reach in the past are placed in their bucket (late data). Two kinds of event are never
 * recorded and are counted in `rejectedEvents` (and by reason in `rejectedEventsByReason`)
 * instead: `future` — more than `maxFutureSkewMs` after the clock's now (a wrong caller timestamp
 * would otherwise move the rings forward, wiping every window); `past` — older than the longest
 * window (budget or alert) before the newest recorded event. A status asked for an instant before
 * the newest event sees only the events up to that instant's bucket — the clock going backwards
 * never double counts.
 */
export class SloTracker {
  readonly spec: SloSpec;
  readonly #clock: Clock;
  readonly #fine: BucketRing;
  readonly #coarse: BucketRing;
  readonly #threshold: number;
  readonly #op: ThresholdOp | undefined;
  /** Per-slice counts, only under time-slice budgeting. */
  readonly #slices: TimesliceLedger | undefined;
  readonly #sums = { good: 0, total: 0 };
  readonly #part = { good: 0, total: 0 };
  readonly #maxFutureSkewMs: number;
  /**
   * Latest instant accepted without asking the clock: the clock's now at the last look + the
   * skew. Only an event beyond it reads the clock again, so the hot path stays a comparison.
   */
  #futureLimit = Number.NEGATIVE_INFINITY;
  #rejectedFuture = 0;
  #rejectedPast = 0;
  #rejectedInvalid = 0;

  constructor(spec: SloSpec, options: SloTrackerOptions = {}) {
    this.spec = spec;
    this.#clock = options.clock ?? systemClock;
    const skew = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
    if (typeof skew !== 'number' || !(skew >= 0)) {
      throw new SightlineError('SLO_TRACKER_OPTIONS', `SloTracker: maxFutureSkewMs must be a number of ms >= 0 (default 300000); got ${String(skew)}`, { maxFutureSkewMs: String(skew) });
    }
    this.#maxFutureSkewMs = skew;
    this.#threshold = spec.sli.kind === 'latency' || spec.sli.kind === 'freshness' ? spec.sli.thresholdMs : Number.POSITIVE_INFINITY;
    const longest = Math.max(budgetSpanMs(spec), ...spec.alerting.burnWindows.map((w) => durationOrUndefined(w.longWindow) ?? 0));
    this.#fine = new BucketRing(MINUTE, FINE_SPAN / MINUTE + 1);
    this.#coarse = new BucketRing(HOUR, Math.ceil(longest / HOUR) + 1);
    this.#op = spec.sli.kind === 'latency' || spec.sli.kind === 'freshness' ? spec.sli.op : undefined;
    // Reaches an hour further than `longest`, as the hour ring does, so it refuses nothing that ring keeps.
    this.#slices = spec.budgeting === undefined ? undefined : new TimesliceLedger(spec.budgeting, longest + HOUR);
  }

  /** Events not recorded (too far in the future or the past, or not a finite timestamp). */
  get rejectedEvents(): number {
    return this.#rejectedFuture + this.#rejectedPast + this.#rejectedInvalid;
  }

  /** {@link SloTracker.rejectedEvents} by reason. */
  get rejectedEventsByReason(): RejectedEvents {
    return { future: this.#rejectedFuture, past: this.#rejectedPast, invalid: this.#rejectedInvalid };
  }

  /** Records `good` good events out of `total` (ratio and availability SLIs). */
  record(good: number, total: number, at: number = this.#clock.now()): void {
    if (!(good >= 0 && total >= good && Number.isFinite(total))) throw countsError(good, total);
    this.#add(at, good, total);
  }

  /** Records one event that succeeded or failed. */
  recordOutcome(ok: boolean, at: number = this.#clock.now()): void {
    // The hot path, inlined: one comparison pair, then both rings (see #add for the rules).
    if (at <= this.#futureLimit && at >= EARLIEST && this.#slices === undefined && this.#coarse.add(at, ok ? 1 : 0, 1)) this.#fine.add(at, ok ? 1 : 0, 1);
    else this.#add(at, ok ? 1 : 0, 1);
  }

  #add(at: number, good: number, total: number): void {
    if (!(at <= this.#futureLimit && at >= EARLIEST) && !this.#isNotFuture(at)) {
      if (Number.isFinite(at) && at >= EARLIEST) this.#rejectedFuture += total;
      else this.#rejectedInvalid += total;
      return;
    }
    // The coarse ring reaches furthest back: what it refuses is older than every window.
    if (!this.#coarse.add(at, good, total)) {
      this.#rejectedPast += total;
      return;
    }
    this.#fine.add(at, good, total);
    this.#slices?.add(at, good, total);
  }

  /** Cold path: re-reads the clock and moves the cached future limit. */
  #isNotFuture(at: number): boolean {
    if (!(at >= EARLIEST && at <= LATEST)) return false;
    const limit = this.#clock.now() + this.#maxFutureSkewMs;
    // The cached limit never moves back: a wall clock stepping back a little must not turn
    // events already accepted into rejects.
    if (limit > this.#futureLimit) this.#futureLimit = limit;
    return at <= this.#futureLimit;
  }

  /**
   * Records one event of a latency (or freshness: pass the lag) SLI: good when `ms` compares with
   * the threshold as the SLI's `op` says (default `lte`: at most the threshold).
   */
  recordDuration(ms: number, at: number = this.#clock.now()): void {
    this.recordOutcome(meetsThreshold(ms, this.#op, this.#threshold), at);
  }

  /**
   * Records a histogram's new observations: `buckets` are cumulative counts by upper bound `le`
   * (Prometheus style, `+Inf` last). Bucket-boundary rule: an event is good only when its whole
   * bucket is at or under the threshold (the count of the largest `le` ≤ threshold); a bucket
   * that straddles the threshold counts as bad, so the SLI never looks better than it is (for
   * the other `op`s, see `histogramGoodCount`).
   */
  recordHistogram(buckets: readonly { readonly le: number; readonly count: number }[], at: number = this.#clock.now()): void {
    const { good, total } = histogramGoodCount(buckets, this.#op, this.#threshold);
    this.record(good, total, at);
  }

  /**
   * Good and total events over the trailing `ms` up to `at`: the window [at − ms, at] at minute
   * resolution, the range a Prometheus `rate(...[window])` evaluated at `at` reads. Its minutes
   * are the minute buckets that begin within it: at a minute boundary the 1h window is the 60
   * whole minutes before `at` (plus events stamped exactly `at`); between boundaries, 59 whole
   * minutes and the current one so far. Windows up to 6h are summed from minute buckets; longer
   * ones from hour buckets in the middle, minute buckets for the current hour, and a pro-rata
   * share of the oldest hour bucket for its minutes inside the window (so counts may be
   * fractional): never an hour short or an hour long.
   */
  counts(ms: number, at: number = this.#clock.now()): { good: number; total: number } {
    const out = { good: 0, total: 0 };
    this.#trailing(ms, at, out);
    return out;
  }

  #trailing(ms: number, at: number, out: { good: number; total: number }): void {
    const start = Math.ceil((at - ms) / MINUTE); // first minute bucket of the window
    const end = Math.floor(at / MINUTE) + 1; // first minute bucket after it
    if (end - start <= FINE_SPAN / MINUTE + 1) {
      this.#fine.sum(end - 1, end - start, out);
      return;
    }
    const part = this.#part;
    const firstHour = Math.ceil(start / 60); // first whole hour inside the window
    const lastHour = Math.floor(end / 60); // the hour holding the window's newest minutes
    let good = 0;
    let total = 0;
    // The current hour's minutes, from the minute ring while it still holds them; else pro rata.
    const recent = end - lastHour * 60;
    if (recent > 0) {
      if (lastHour * 60 > this.#fine.newest - this.#fine.bucketCount) {
        this.#fine.sum(end - 1, recent, part);
        good += part.good;
        total += part.total;
      } else {
        this.#coarse.sum(lastHour, 1, part);
        good += (part.good * recent) / 60;
        total += (part.total * recent) / 60;
      }
    }
    this.#coarse.sum(lastHour - 1, lastHour - firstHour, part);
    good += part.good;
    total += part.total;
    // The oldest hour is only partly inside: count its share, as Prometheus extrapolates a range
    // to its edge (events assumed evenly spread within the hour).
    const oldest = firstHour * 60 - start;
    if (oldest > 0) {
      this.#coarse.sum(firstHour - 1, 1, part);
      good += (part.good * oldest) / 60;
      total += (part.total * oldest) / 60;
    }
    out.good = good;
    out.total = total;
  }

  /**
   * Burn rate over the trailing `ms` up to `at` (see {@link SloTracker.counts}): error ratio /
   * allowed error ratio (0 with no traffic).
   */
  burnRate(ms: number, at: number = this.#clock.now()): number {
    if (this.#slices !== undefined) return this.#slices.burnRate(ms, at, this.spec.objective);
    const sums = this.#sums;
    this.#trailing(ms, at, sums);
    const { good, total } = sums;
    return total === 0 ? 0 : (total - good) / total / (1 - this.spec.objective);
  }

  status(at: number = this.#clock.now()): SloStatus {
    const spec = this.spec;
    const { start, end } = budgetWindow(spec, at);
    const sums = this.#sums;
    this.#coarse.sum(Math.floor(at / HOUR), Math.floor(at / HOUR) - Math.floor(start / HOUR) + 1, sums);
    const { good, total } = sums;
    const bad = total - good;
    const allowedBadFraction = 1 - spec.objective;
    const allowedBadEvents = total * allowedBadFraction;
    const consumedFraction = total === 0 ? 0 : bad / allowedBadEvents;
    const burnRates: Record<string, number> = {};
    const rate = (window: string) => (burnRates[window] ??= this.burnRate(durationOrUndefined(window) ?? 0, at));
    const conditions = spec.alerting.burnWindows.map((w) => {
      const longBurnRate = rate(w.longWindow);
      const shortBurnRate = rate(w.shortWindow);
      return { ...w, longBurnRate, shortBurnRate, firing: longBurnRate > w.burnRate && shortBurnRate > w.burnRate };
    });
    const burn1h = rate('1h');
    const remainingFraction = 1 - consumedFraction;
    const status: SloStatus = {
      name: spec.name,
      service: spec.service,
      objective: spec.objective,
      at,
      window: { start, end },
      events: { good, bad, total },
      attainment: total === 0 ? 1 : good / total,
      budget: {
        allowedBadFraction,
        allowedBadEvents,
        consumedFraction,
        remainingFraction,
        remainingEvents: allowedBadEvents - bad,
        timeToExhaustionMs: remainingFraction <= 0 ? 0 : burn1h === 0 ? null : Math.round((remainingFraction * (end - start)) / burn1h),
      },
      burnRates,
      conditions,
      firing: { page: conditions.some((c) => c.firing && c.severity === 'page'), ticket: conditions.some((c) => c.firing && c.severity === 'ticket') },
    };
    return this.#slices === undefined ? status : withTimeslices(status, this.#slices);
  }

  /** Hour buckets as plain data (for a report or persistence). */
  hourly(): { bucketMs: number; newest: number; good: number[]; total: number[] } {
    return this.#coarse.snapshot();
  }

  /** Plain data that {@link SloTracker.restore} reads back: a restart loses no window. */
  snapshot(): { fine: ReturnType<BucketRing['snapshot']>; coarse: ReturnType<BucketRing['snapshot']>; rejected: number; rejectedByReason: RejectedEvents; slices?: ReturnType<BucketRing['snapshot']> } {
    return { fine: this.#fine.snapshot(), coarse: this.#coarse.snapshot(), rejected: this.rejectedEvents, rejectedByReason: this.rejectedEventsByReason, ...(this.#slices === undefined ? {} : { slices: this.#slices.snapshot() }) };
  }

  /** Reads a {@link SloTracker.snapshot} back (one without `rejectedByReason` counts its rejects as `past`). */
  restore(state: { fine: ReturnType<BucketRing['snapshot']>; coarse: ReturnType<BucketRing['snapshot']>; rejected: number; rejectedByReason?: RejectedEvents; slices?: ReturnType<BucketRing['snapshot']> }): void {
    this.#fine.restore(state.fine);
    this.#coarse.restore(state.coarse);
    if (state.slices !== undefined) this.#slices?.restore(state.slices);
    const byReason = state.rejectedByReason ?? { future: 0, past: state.rejected, invalid: 0 };
    this.#rejectedFuture = byReason.future;
    this.#rejectedPast = byReason.past;
    this.#rejectedInvalid = byReason.invalid;
  }
}

/** The budget window containing `at`. */
export function budgetWindow(spec: SloSpec, at: number): { start: number; end: number } {
  if (spec.window.kind === 'calendar') {
    const start = calendarPeriodStart(at, spec.window.unit, spec.window.timeZone);
    return { start, end: calendarPeriodEnd(start, spec.window.unit, spec.window.timeZone) };
  }
  const length = durationOrUndefined(spec.window.duration) ?? 30 * 86_400_000;
  // Hour-aligned: the window is the `length / 1h` hour buckets ending with the current one.
  const end = (Math.floor(at / HOUR) + 1) * HOUR;
  return { start: end - length, end };
}

function budgetSpanMs(spec: SloSpec): number {
  if (spec.window.kind === 'calendar') return (spec.window.unit === 'month' ? 31 * 24 + 1 : 7 * 24 + 1) * HOUR;
  return durationOrUndefined(spec.window.duration) ?? 30 * 86_400_000;
}

function countsError(good: number, total: number): SightlineError {
  return new SightlineError('SLO_RECORD_INVALID', `SloTracker.record(${good}, ${total}): expected finite counts with 0 <= good <= total`, { good, total });
}
