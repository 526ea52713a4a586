import { SightlineError, type Labels, type TimeSeriesPoint } from '@sightline/core';
import { MAX_ABS_VALUE } from './detector.js';

/** What to do with rows that share a timestamp: average them, keep the last, or keep the first. */
export type DuplicatePolicy = 'mean' | 'last' | 'first';

export interface SeriesCleanerOptions {
  /** Rows with the same timestamp become one point: `mean` (default), `last` or `first`. */
  duplicates?: DuplicatePolicy;
  /**
   * The values are a cumulative counter: emit its per-second rate, a drop being a reset counted
   * from zero (as `CounterRate` and Prometheus `rate()` do). The first point gives no rate. Default false.
   */
  counter?: boolean;
  /** An interval longer than this many times the shortest interval seen is counted as a gap. Default 3. */
  gapFactor?: number;
  /** This many equal consecutive values count as a flat run. Default 10. */
  flatRunPoints?: number;
}

/** What the cleaner did to the rows it was given, by reason. All counts are rows or points. */
export interface CleanerCounts {
  /** Rows pushed. */
  readonly rows: number;
  /** Points handed on (to a detector). */
  readonly emitted: number;
  /** Rows merged into a point with the same timestamp (the extra rows, not the point). */
  readonly duplicates: number;
  /** Rows older than the newest point, skipped (late or out of order). */
  readonly late: number;
  /** Rows whose value is blank, NaN, infinite or beyond ±1e100 (`MAX_ABS_VALUE`), skipped. */
  readonly nonFiniteValues: number;
  /** Rows whose timestamp is not a finite number, skipped. */
  readonly invalidTimestamps: number;
  /** Intervals between emitted points longer than `gapFactor` × the shortest interval (not filled). */
  readonly gaps: number;
  /** Runs of at least `flatRunPoints` equal emitted values (passed on: detectors floor their spread). */
  readonly flatRuns: number;
  /** Counter drops taken as resets (with `counter: true`). */
  readonly counterResets: number;
}

type MutableCounts = { -readonly [K in keyof CleanerCounts]: CleanerCounts[K] };

const ZERO_COUNTS: CleanerCounts = { rows: 0, emitted: 0, duplicates: 0, late: 0, nonFiniteValues: 0, invalidTimestamps: 0, gaps: 0, flatRuns: 0, counterResets: 0 };

/**
 * Sits in front of any detector and turns rows as real exporters write them into the strictly
 * increasing, finite points detectors require — without ever throwing on a data quirk:
 *
 * - rows with the same timestamp are merged (`duplicates`: mean, last or first) into one point;
 * - rows older than the newest point (late, out of order) are skipped;
 * - rows with a blank, NaN or infinite value, or a timestamp that is not a number, are skipped;
 * - gaps and flat runs are counted and passed on; with `counter: true`, a cumulative counter
 *   becomes a per-second rate and its resets are counted.
 *
 * Every merge and skip is counted in {@link counts}. Because a later row may still share its
 * timestamp, a point is handed on when the next timestamp arrives (one point of delay); call
 * {@link flush} at the end of a finite series.
 *
 * @example
 * const cleaner = new SeriesCleaner();
 * for (const row of rows) {
 *   const point = cleaner.push(row);
 *   if (point) detector.update(point);
 * }
 * const last = cleaner.flush();
 * if (last) detector.update(last);
 */
export class SeriesCleaner {
  readonly #duplicates: DuplicatePolicy;
  readonly #isCounter: boolean;
  readonly #gapFactor: number;
  readonly #flatRunPoints: number;
  readonly #counts: MutableCounts = { ...ZERO_COUNTS };
  // The point being assembled: its timestamp, the running sum and count of its rows, the kept value.
  #pendingTime = Number.NaN;
  #pendingSum = 0;
  #pendingRows = 0;
  #pendingValue = 0;
  #pendingLabels: Labels | undefined;
  #lastEmitted = Number.NaN;
  #shortestInterval = Number.POSITIVE_INFINITY;
  #runValue = Number.NaN;
  #runLength = 0;
  #counterTime = Number.NaN;
  #counterValue = Number.NaN;

  constructor(options: SeriesCleanerOptions = {}) {
    this.#duplicates = options.duplicates ?? 'mean';
    this.#isCounter = options.counter ?? false;
    this.#gapFactor = options.gapFactor ?? 3;
    this.#flatRunPoints = options.flatRunPoints ?? 10;
    const problems: string[] = [];
    if (!['mean', 'last', 'first'].includes(this.#duplicates)) problems.push(`duplicates must be mean, last or first (got ${JSON.stringify(options.duplicates)})`);
    if (typeof this.#isCounter !== 'boolean') problems.push(`counter must be a boolean (got ${JSON.stringify(options.counter)})`);
    if (!(this.#gapFactor > 1) || !Number.isFinite(this.#gapFactor)) problems.push(`gapFactor must be a finite number > 1 (got ${JSON.stringify(options.gapFactor)})`);
    if (!Number.isInteger(this.#flatRunPoints) || this.#flatRunPoints < 2) problems.push(`flatRunPoints must be an integer >= 2 (got ${JSON.stringify(options.flatRunPoints)})`);
    if (problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `SeriesCleaner: ${problems.join('; ')}`, { options, problems });
  }

  /** What was merged, skipped and seen so far. */
  get counts(): CleanerCounts {
    return { ...this.#counts };
  }

  /**
   * Takes one row; returns the previous point once it is complete (this row has a later
   * timestamp), or `undefined`. Never throws on the row's content.
   */
  push(point: TimeSeriesPoint): TimeSeriesPoint | undefined {
    this.#counts.rows++;
    const { timestamp, value } = point;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      this.#counts.invalidTimestamps++;
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_ABS_VALUE) {
      this.#counts.nonFiniteValues++;
      return undefined;
    }
    if (timestamp === this.#pendingTime) {
      this.#counts.duplicates++;
      this.#pendingSum += value;
      this.#pendingRows++;
      if (this.#duplicates === 'last') this.#pendingValue = value;
      return undefined;
    }
    // Compare with the pending point, else the last one handed on (NaN compares false: first row).
    if (timestamp < this.#pendingTime || timestamp <= this.#lastEmitted) {
      this.#counts.late++;
      return undefined;
    }
    const completed = this.#complete();
    this.#pendingTime = timestamp;
    this.#pendingSum = value;
    this.#pendingRows = 1;
    this.#pendingValue = value;
    this.#pendingLabels = point.labels;
    return completed;
  }

  /** Hands on the point still being assembled (end of a finite series), or `undefined`. */
  flush(): TimeSeriesPoint | undefined {
    const completed = this.#complete();
    this.#pendingTime = Number.NaN;
    return completed;
  }

  #complete(): TimeSeriesPoint | undefined {
    if (Number.isNaN(this.#pendingTime)) return undefined;
    const timestamp = this.#pendingTime;
    let value = this.#duplicates === 'mean' ? this.#pendingSum / this.#pendingRows : this.#pendingValue;
    if (this.#isCounter) {
      const elapsedSeconds = (timestamp - this.#counterTime) / 1_000;
      let increase = value - this.#counterValue;
      const isFirst = Number.isNaN(this.#counterTime);
      this.#counterTime = timestamp;
      this.#counterValue = value;
      if (isFirst) return undefined;
      if (increase < 0) {
        this.#counts.counterResets++;
        increase = value; // restarted from zero
      }
      value = increase / elapsedSeconds;
    }
    if (!Number.isNaN(this.#lastEmitted)) {
      const interval = timestamp - this.#lastEmitted;
      if (interval > this.#gapFactor * this.#shortestInterval) this.#counts.gaps++;
      if (interval < this.#shortestInterval) this.#shortestInterval = interval;
    }
    if (value === this.#runValue) {
      this.#runLength++;
      if (this.#runLength === this.#flatRunPoints) this.#counts.flatRuns++;
    } else {
      this.#runValue = value;
      this.#runLength = 1;
    }
    this.#lastEmitted = timestamp;
    this.#counts.emitted++;
    return this.#pendingLabels === undefined ? { timestamp, value } : { timestamp, value, labels: this.#pendingLabels };
  }

  /** Plain-data state (JSON-safe); {@link SeriesCleaner.restore} continues identically. */
  snapshot(): SeriesCleanerSnapshot {
    const orNull = (x: number) => (Number.isFinite(x) ? x : null);
    return {
      kind: 'series_cleaner',
      options: { duplicates: this.#duplicates, counter: this.#isCounter, gapFactor: this.#gapFactor, flatRunPoints: this.#flatRunPoints },
      state: {
        counts: { ...this.#counts },
        pending: Number.isNaN(this.#pendingTime) ? null : { timestamp: this.#pendingTime, sum: this.#pendingSum, rows: this.#pendingRows, value: this.#pendingValue, ...(this.#pendingLabels === undefined ? {} : { labels: this.#pendingLabels }) },
        lastEmitted: orNull(this.#lastEmitted),
        shortestInterval: orNull(this.#shortestInterval),
        run: { value: orNull(this.#runValue), length: this.#runLength },
        counter: { timestamp: orNull(this.#counterTime), value: orNull(this.#counterValue) },
      },
    };
  }

  /** Rebuilds a cleaner from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: SeriesCleanerSnapshot): SeriesCleaner {
    const s = snapshot.state as Partial<SeriesCleanerSnapshot['state']> | undefined;
    const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    const isNumOrNull = (x: unknown) => x === null || isNum(x);
    const counts = s?.counts as Record<string, unknown> | undefined;
    const valid =
      snapshot.kind === 'series_cleaner' &&
      s !== undefined &&
      typeof counts === 'object' &&
      counts !== null &&
      Object.keys(ZERO_COUNTS).every((k) => isNum(counts[k])) &&
      (s.pending === null || (typeof s.pending === 'object' && isNum(s.pending.timestamp) && isNum(s.pending.sum) && isNum(s.pending.rows) && isNum(s.pending.value))) &&
      isNumOrNull(s.lastEmitted) &&
      isNumOrNull(s.shortestInterval) &&
      typeof s.run === 'object' &&
      isNumOrNull(s.run.value) &&
      isNum(s.run.length) &&
      typeof s.counter === 'object' &&
      isNumOrNull(s.counter.timestamp) &&
      isNumOrNull(s.counter.value);
    if (!valid) throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a series_cleaner snapshot', { kind: snapshot.kind });
    const state = s as SeriesCleanerSnapshot['state'];
    const cleaner = new SeriesCleaner(snapshot.options);
    Object.assign(cleaner.#counts, state.counts);
    if (state.pending !== null) {
      cleaner.#pendingTime = state.pending.timestamp;
      cleaner.#pendingSum = state.pending.sum;
      cleaner.#pendingRows = state.pending.rows;
      cleaner.#pendingValue = state.pending.value;
      cleaner.#pendingLabels = state.pending.labels;
    }
    cleaner.#lastEmitted = state.lastEmitted ?? Number.NaN;
    cleaner.#shortestInterval = state.shortestInterval ?? Number.POSITIVE_INFINITY;
    cleaner.#runValue = state.run.value ?? Number.NaN;
    cleaner.#runLength = state.run.length;
    cleaner.#counterTime = state.counter.timestamp ?? Number.NaN;
    cleaner.#counterValue = state.counter.value ?? Number.NaN;
    return cleaner;
  }
}

/** Serialisable {@link SeriesCleaner} state. */
export interface SeriesCleanerSnapshot {
  readonly kind: 'series_cleaner';
  readonly options: SeriesCleanerOptions;
  readonly state: {
    readonly counts: CleanerCounts;
    readonly pending: { readonly timestamp: number; readonly sum: number; readonly rows: number; readonly value: number; readonly labels?: Labels } | null;
    readonly lastEmitted: number | null;
    readonly shortestInterval: number | null;
    readonly run: { readonly value: number | null; readonly length: number };
    readonly counter: { readonly timestamp: number | null; readonly value: number | null };
  };
}

/** One line saying what a cleaner merged and skipped, e.g. for a CLI's stderr. */
export function describeCleaning(counts: CleanerCounts, duplicates: DuplicatePolicy = 'mean'): string {
  const parts: string[] = [];
  const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
  if (counts.duplicates > 0) parts.push(`${rows(counts.duplicates)} with a repeated timestamp merged (${duplicates})`);
  if (counts.late > 0) parts.push(`${rows(counts.late)} older than the previous point skipped`);
  if (counts.nonFiniteValues > 0) parts.push(`${rows(counts.nonFiniteValues)} with a blank or non-numeric value skipped`);
  if (counts.invalidTimestamps > 0) parts.push(`${rows(counts.invalidTimestamps)} with an unreadable timestamp skipped`);
  if (counts.counterResets > 0) parts.push(`${counts.counterResets} counter ${counts.counterResets === 1 ? 'reset' : 'resets'}`);
  if (counts.gaps > 0) parts.push(`${counts.gaps} ${counts.gaps === 1 ? 'gap' : 'gaps'}`);
  if (counts.flatRuns > 0) parts.push(`${counts.flatRuns} flat ${counts.flatRuns === 1 ? 'run' : 'runs'}`);
  return `${rows(counts.rows)} read, ${counts.emitted} ${counts.emitted === 1 ? 'point' : 'points'} scored${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`;
}
