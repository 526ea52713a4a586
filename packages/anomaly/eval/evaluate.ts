import type { TimeSeriesPoint } from '@sightline/core';
import { CounterRate, SeriesCleaner } from '../src/index.js';
import { anomalyRows, type LabelledSeries, type Row } from './corpus.js';
import { NAB_PROFILES, nabWindows, normalisedScore, optimiseThreshold, perfectDetections, scoreSeries, type ScoredSeries } from './nab-score.js';

/** What the harness needs of a detector: a verdict per point. */
export interface StreamingDetector {
  update(point: TimeSeriesPoint): { readonly anomalous: boolean; readonly score: number };
}

/**
 * Turns delivered rows into the points a detector may see: for each row, the point (if any) that
 * becomes known when the row arrives — a feed may hand a point on one row late.
 */
export interface RowFeed {
  accept(row: Row): TimeSeriesPoint | undefined;
  /** The point still held at the end of the series, if any. */
  flush(): TimeSeriesPoint | undefined;
  /** Rows held back or merged, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
}

/**
 * The package's `SeriesCleaner` as the feed: duplicate rows merged (mean), late and NaN rows
 * skipped, counters turned into rates, all counted.
 */
export class CleanerFeed implements RowFeed {
  readonly #cleaner: SeriesCleaner;
  constructor(isCounter: boolean) {
    this.#cleaner = new SeriesCleaner({ counter: isCounter });
  }
  accept(row: Row): TimeSeriesPoint | undefined {
    return this.#cleaner.push({ timestamp: row.timestamp, value: row.value });
  }
  flush(): TimeSeriesPoint | undefined {
    return this.#cleaner.flush();
  }
  get skipped(): Readonly<Record<string, number>> {
    const c = this.#cleaner.counts;
    return { nan: c.nonFiniteValues, duplicate: c.duplicates, late: c.late, 'counter reset': c.counterResets };
  }
}

/**
 * The harness's own feed, for when no series cleaner is given: a NaN row, a row whose timestamp
 * repeats the last accepted one and a late row (older than it) are skipped and counted — the
 * first value of a timestamp wins.
 */
export class SkippingFeed implements RowFeed {
  #last = Number.NEGATIVE_INFINITY;
  readonly skipped = { nan: 0, duplicate: 0, late: 0 };

  flush(): undefined {
    return undefined;
  }

  accept(row: Row): TimeSeriesPoint | undefined {
    if (!Number.isFinite(row.value)) {
      this.skipped.nan++;
      return undefined;
    }
    if (row.timestamp === this.#last) {
      this.skipped.duplicate++;
      return undefined;
    }
    if (row.timestamp < this.#last) {
      this.skipped.late++;
      return undefined;
    }
    this.#last = row.timestamp;
    return { timestamp: row.timestamp, value: row.value };
  }
}

export interface DetectorScores {
  readonly name: string;
  /**
   * NAB normalised scores with the threshold on the detector's 0..1 score tuned per profile over
   * the corpus (as NAB's optimiser does), one per profile of NAB_PROFILES (standard, low FP, low FN).
   */
  readonly scores: readonly number[];
  /** The tuned thresholds, one per profile. */
  readonly thresholds: readonly number[];
  /** NAB normalised scores of the detector's own verdicts (`anomalous`), one per profile. */
  readonly verdictScores: readonly number[];
  readonly windows: number;
  readonly detected: number;
  readonly falsePositives: number;
  /** Points fed to the detector per second of its update time. */
  readonly pointsPerSecond: number;
  /** Rows the feed held back, by reason, over the corpus. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Points the detector refused by throwing (the harness goes on with the next row). */
  readonly refused: number;
}

export interface EvaluateOptions {
  /**
   * A feed per series. Default {@link SkippingFeed}, with counters turned into rates by
   * `CounterRate`; a feed given here handles counters itself (`series.isCounter`).
   */
  feed?: (series: LabelledSeries) => RowFeed;
  /** Clock for the points/s column, in ms. Default `performance.now`. */
  now?: () => number;
}

/**
 * Runs one detector (a fresh one per series) over the corpus and scores it the NAB way: its 0..1
 * scores with the threshold tuned per profile, and its own verdicts. A row the feed holds back,
 * or whose point the detector refuses (throws), is not flagged and has no score; refusals are
 * counted, never fatal. With the default feed, counters go through `CounterRate`.
 */
export function evaluateDetector(name: string, create: () => StreamingDetector, corpus: readonly LabelledSeries[], options: EvaluateOptions = {}): DetectorScores {
  const now = options.now ?? (() => performance.now());
  const parts = NAB_PROFILES.map(() => [] as { raw: number; nullRaw: number; perfectRaw: number }[]);
  let windowCount = 0;
  let detected = 0;
  let falsePositives = 0;
  let points = 0;
  let elapsed = 0;
  let refused = 0;
  const skipped: Record<string, number> = {};
  const scored: ScoredSeries[] = [];
  for (const series of corpus) {
    const detector = create();
    const feed = options.feed?.(series) ?? new SkippingFeed();
    const counter = series.isCounter && options.feed === undefined ? new CounterRate() : undefined;
    const detections = new Uint8Array(series.rows.length);
    const scores = new Float64Array(series.rows.length).fill(Number.NaN);
    const started = now();
    // A point is credited to the row on whose arrival it became known (a feed that waits for the
    // next timestamp before it hands a point on is one row late, as it would be live).
    const last = series.rows.length - 1;
    for (let i = 0; i <= last + 1; i++) {
      const row = i <= last ? i : last;
      const accepted = i <= last ? feed.accept(series.rows[i]!) : feed.flush();
      const point = accepted === undefined || counter === undefined ? accepted : counter.next(accepted);
      if (point === undefined) continue;
      points++;
      try {
        const result = detector.update(point);
        if (result.anomalous) detections[row] = 1;
        scores[row] = Number.isNaN(scores[row]!) ? result.score : Math.max(scores[row]!, result.score);
      } catch {
        refused++;
      }
    }
    elapsed += now() - started;
    for (const [reason, count] of Object.entries(feed.skipped)) skipped[reason] = (skipped[reason] ?? 0) + count;
    const windows = nabWindows(series.rows.length, anomalyRows(series));
    scored.push({ scores, windows });
    const perfect = perfectDetections(series.rows.length, windows);
    const none = new Uint8Array(series.rows.length);
    NAB_PROFILES.forEach((profile, p) => {
      const score = scoreSeries(detections, windows, profile);
      parts[p]!.push({ raw: score.raw, nullRaw: scoreSeries(none, windows, profile).raw, perfectRaw: scoreSeries(perfect, windows, profile).raw });
      if (p === 0) {
        windowCount += score.windows;
        detected += score.detected;
        falsePositives += score.falsePositives;
      }
    });
  }
  const tuned = NAB_PROFILES.map((profile) => optimiseThreshold(scored, profile));
  return {
    name,
    scores: tuned.map((t) => t.score),
    thresholds: tuned.map((t) => t.threshold),
    verdictScores: parts.map((p) => normalisedScore(p)),
    windows: windowCount,
    detected,
    falsePositives,
    pointsPerSecond: elapsed > 0 ? (points / elapsed) * 1_000 : Number.POSITIVE_INFINITY,
    skipped,
    refused,
  };
}

/**
 * The results as one Markdown table: detector | standard | low FP | low FN (tuned thresholds) |
 * standard of its own verdicts | windows found and false-positive rows of its own verdicts | points/s.
 */
export function formatTable(results: readonly DetectorScores[]): string {
  const lines = ['| detector | standard | low FP | low FN | standard, own verdicts | windows found | false-positive rows | points/s |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of results) {
    const [standard, lowFp, lowFn] = r.scores.map((s) => s.toFixed(1));
    lines.push(`| ${r.name} | ${standard} | ${lowFp} | ${lowFn} | ${r.verdictScores[0]!.toFixed(1)} | ${r.detected} / ${r.windows} | ${r.falsePositives.toLocaleString('en-US')} | ${formatRate(r.pointsPerSecond)} |`);
  }
  return lines.join('\n');
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}
