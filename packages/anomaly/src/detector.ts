import { SightlineError, type TimeSeriesPoint } from '@sightline/core';

/** What every detector answers for one point. */
export interface DetectorResult {
  /**
   * How unusual the point is, 0..1 (0.5 at the detector's threshold). Never NaN. The z-score,
   * robust z-score and IQR detectors floor their spread by the series' long-run scale, so they
   * never return exactly 1.
   */
  readonly score: number;
  readonly anomalous: boolean;
  /** The value the detector expected, and the band it tolerated. */
  readonly expected: number;
  readonly lower: number;
  readonly upper: number;
  /** One sentence a human can read. */
  readonly reason: string;
  /** True until the detector has seen enough points to judge; no verdict is given then. */
  readonly warmingUp: boolean;
}

/** The streaming interface every detector implements. */
export interface Detector {
  readonly name: string;
  /** Scores one point and learns from it. Throws `ANOMALY_POINT_INVALID` for a bad point, changing nothing. */
  update(point: TimeSeriesPoint): DetectorResult;
  /** Plain-data state; `restore` of it gives identical subsequent results. */
  snapshot(): DetectorSnapshot;
}

/** Serialisable detector state: the detector kind, its options and its learned state. */
export interface DetectorSnapshot {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly state: Readonly<Record<string, unknown>>;
}

/**
 * The largest magnitude a detector takes. Beyond it the squares and sums inside the detectors
 * overflow to Infinity (a property test fed 1e308 and got Infinity, NaN and a snapshot that would
 * not restore); no measurement comes near it.
 */
export const MAX_ABS_VALUE = 1e100;

/**
 * Checks a point before a detector sees it: a finite value within ±{@link MAX_ABS_VALUE}, a
 * finite timestamp, and strictly increasing timestamps (an out-of-order or duplicate point is
 * refused rather than silently reordered).
 */
export function checkPoint(point: TimeSeriesPoint, lastTimestamp: number, detector: string): void {
  if (!Number.isFinite(point.value) || Math.abs(point.value) > MAX_ABS_VALUE) {
    throw new SightlineError('ANOMALY_POINT_INVALID', `${detector}: value ${point.value} at ${point.timestamp} is not a finite number within ±1e100`, { point, reason: 'value' });
  }
  if (!Number.isFinite(point.timestamp)) {
    throw new SightlineError('ANOMALY_POINT_INVALID', `${detector}: timestamp ${point.timestamp} is not finite epoch ms`, { point, reason: 'timestamp' });
  }
  if (point.timestamp <= lastTimestamp) {
    const why = point.timestamp === lastTimestamp ? 'duplicates' : 'is older than';
    throw new SightlineError('ANOMALY_POINT_INVALID', `${detector}: timestamp ${point.timestamp} ${why} the last accepted point (${lastTimestamp}); points must arrive in time order`, { point, reason: 'order', lastTimestamp });
  }
}

/** The largest score any distance maps to: no score is exactly 1, not even an infinite distance's (zero spread, overflow). */
export const MAX_FINITE_SCORE = 1 - 2 ** -40;

/**
 * Maps a distance in units of the threshold to a 0..1 score: 0 at 0, 0.5 at the threshold,
 * approaching 1 far beyond it. Graded (unlike a saturating normal CDF) and never NaN; no
 * distance maps to exactly 1 (at most {@link MAX_FINITE_SCORE}), however large, infinite included.
 */
export function scoreOf(distance: number, threshold: number): number {
  if (!(distance > 0)) return 0;
  return Math.min(distance / (distance + threshold), MAX_FINITE_SCORE);
}

/** The result while a detector is still learning. */
export function warmingUp(value: number, seen: number, needed: number): DetectorResult {
  return { score: 0, anomalous: false, expected: value, lower: value, upper: value, reason: `warming up: ${seen} of ${needed} points seen`, warmingUp: true };
}
