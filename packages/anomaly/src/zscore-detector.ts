import { NumberRingBuffer, SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, scoreOf, warmingUp, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';
import { LONG_RUN_DEFAULTS, LongRunScale } from './long-run-scale.js';

export interface ZScoreOptions {
  /** Points in the rolling window. Default 60. */
  window?: number;
  /** |z| at which a point is anomalous. Default 3. */
  threshold?: number;
  /** Points needed before verdicts. Default min(window, 30). */
  warmup?: number;
  /** Lower bound on the standard deviation, so a flat series does not flag noise. Default 0. */
  minStdDev?: number;
  /** Points the long-run level and spread average over before they start to decay. Default 2,000. */
  longRun?: number;
  /** The spread is at least this fraction of the long-run spread (sigma). Default 0.25. */
  scaleFloor?: number;
  /** While the series has never varied, the spread is at least this fraction of its mean absolute level. Default 0.001. */
  levelFloor?: number;
}

/**
 * Rolling z-score: how many standard deviations the point is from the mean of the previous
 * `window` points. Mean and variance are kept incrementally with Welford's update (and its
 * inverse for the point leaving the window), so each point costs O(1) and stays numerically
 * stable on large values. The point is scored against the window *before* it joins it.
 *
 * The standard deviation is floored by the series' long-run scale (`scaleFloor` × the long-run
 * spread; for a series that has never varied, `levelFloor` × its mean absolute level; at least
 * 1e-9), so a flat run never makes a distance infinite: scores stay below 1 and grade how rare
 * the change is for this series.
 */
export class ZScoreDetector implements Detector {
  readonly name = 'zscore';
  readonly #window: number;
  readonly #threshold: number;
  readonly #warmup: number;
  readonly #minStd: number;
  readonly #values: NumberRingBuffer;
  readonly #longRun: LongRunScale;
  #mean = 0;
  #m2 = 0;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: ZScoreOptions = {}) {
    this.#window = options.window ?? 60;
    this.#threshold = options.threshold ?? 3;
    this.#warmup = options.warmup ?? Math.min(this.#window, 30);
    this.#minStd = options.minStdDev ?? 0;
    const longRun = options.longRun ?? LONG_RUN_DEFAULTS.longRun;
    const scaleFloor = options.scaleFloor ?? LONG_RUN_DEFAULTS.scaleFloor;
    const levelFloor = options.levelFloor ?? LONG_RUN_DEFAULTS.levelFloor;
    if (!Number.isInteger(this.#window) || this.#window < 2 || !(this.#threshold > 0) || !Number.isInteger(this.#warmup) || this.#warmup < 2 || this.#warmup > this.#window || !(this.#minStd >= 0) || !Number.isInteger(longRun) || longRun < 1 || !(scaleFloor >= 0) || !(levelFloor >= 0)) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `zscore: window must be an integer >= 2, threshold > 0, warmup an integer in 2..window, minStdDev, scaleFloor and levelFloor >= 0, longRun an integer >= 1; got ${JSON.stringify(options)}`, { options });
    }
    this.#values = new NumberRingBuffer(this.#window);
    this.#longRun = new LongRunScale(longRun, scaleFloor, levelFloor);
  }

  /** The distance, in standard deviations, at which a point is anomalous. */
  get threshold(): number {
    return this.#threshold;
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    const n = this.#values.size;
    let result: DetectorResult;
    if (n < this.#warmup) result = warmingUp(point.value, n, this.#warmup);
    else {
      const windowStd = Math.sqrt(this.#m2 / (n - 1));
      const std = Math.max(windowStd, this.#minStd, this.#longRun.floor());
      const deviation = point.value - this.#mean;
      const z = deviation / std;
      const distance = Math.abs(z);
      const band = this.#threshold * std;
      result = {
        score: scoreOf(distance, this.#threshold),
        anomalous: distance >= this.#threshold,
        expected: this.#mean,
        lower: this.#mean - band,
        upper: this.#mean + band,
        // Explanations are built for anomalies only: formatting numbers costs more than the math.
        reason: distance < this.#threshold ? WITHIN_BAND : windowStd === 0 ? `value ${point.value} left a flat series at ${this.#mean} (${round(z)} long-run standard deviations)` : `value ${round(point.value)} is ${round(z)} standard deviations from the mean ${round(this.#mean)} of the last ${n} points`,
        warmingUp: false,
      };
    }
    this.#learn(point.value);
    return result;
  }

  #learn(value: number): void {
    const evicted = this.#values.push(value);
    if (!Number.isNaN(evicted)) {
      // Welford's update in reverse for the value leaving the window, then forward for the new one.
      const n = this.#values.size; // unchanged: one out, one in
      const meanWithout = (this.#mean * n - evicted) / (n - 1);
      this.#m2 -= (evicted - this.#mean) * (evicted - meanWithout);
      this.#mean = meanWithout;
      const delta = value - this.#mean;
      this.#mean += delta / n;
      this.#m2 += delta * (value - this.#mean);
    } else {
      const n = this.#values.size;
      const delta = value - this.#mean;
      this.#mean += delta / n;
      this.#m2 += delta * (value - this.#mean);
    }
    if (this.#m2 < 0) this.#m2 = 0; // rounding can dip below zero on a constant window
    this.#longRun.push(value);
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: 'zscore',
      options: { window: this.#window, threshold: this.#threshold, warmup: this.#warmup, minStdDev: this.#minStd, longRun: this.#longRun.longRun, scaleFloor: this.#longRun.scaleFloor, levelFloor: this.#longRun.levelFloor },
      // JSON has no -Infinity: a detector that has seen nothing stores null.
      state: { values: this.#values.toArray(), mean: this.#mean, m2: this.#m2, last: Number.isFinite(this.#last) ? this.#last : null, longRun: this.#longRun.toJSON() },
    };
  }

  /** Rebuilds a detector from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: DetectorSnapshot): ZScoreDetector {
    const state = snapshot.state as { values?: unknown; mean?: unknown; m2?: unknown; last?: unknown; longRun?: unknown };
    if (snapshot.kind !== 'zscore' || !Array.isArray(state.values) || typeof state.mean !== 'number' || typeof state.m2 !== 'number' || !(typeof state.last === 'number' || state.last === null)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a zscore detector snapshot', { kind: snapshot.kind });
    }
    const detector = new ZScoreDetector(snapshot.options as ZScoreOptions);
    for (const v of state.values as number[]) detector.#values.push(v);
    detector.#mean = state.mean;
    detector.#m2 = state.m2;
    detector.#longRun.load(state.longRun, state.values as number[]);
    detector.#last = typeof state.last === 'number' ? state.last : Number.NEGATIVE_INFINITY;
    return detector;
  }
}

const WITHIN_BAND = 'within the expected band';

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
