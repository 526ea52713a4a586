import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, scoreOf, warmingUp, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';
import { LONG_RUN_DEFAULTS, LongRunScale } from './long-run-scale.js';
import { SortedWindow } from './sorted-window.js';

export interface WindowOptions {
  /** Points in the rolling window. Default 60. */
  window?: number;
  /** Points needed before verdicts. Default min(window, 30). */
  warmup?: number;
  /** Robust z-score: |z| at which a point is anomalous (default 3.5, Iglewicz and Hoaglin). IQR: fence multiplier k (default 1.5, Tukey). */
  threshold?: number;
  /** Floor on the spread (MAD-sigma or IQR), so a flat window does not flag noise. Default 0. */
  minSpread?: number;
  /** Points the long-run level and spread average over before they start to decay. Default 2,000. */
  longRun?: number;
  /** The spread is at least this fraction of the long-run spread (as a sigma; ×1.349 for an IQR). Default 0.25. */
  scaleFloor?: number;
  /** While the series has never varied, the spread is at least this fraction of its mean absolute level. Default 0.001. */
  levelFloor?: number;
}

/** Scale that turns a MAD into a standard deviation for normal data (1 / Φ⁻¹(3/4)). */
const MAD_TO_SIGMA = 1.4826;
/** The IQR of a normal distribution in sigmas (2 × Φ⁻¹(3/4)). */
const IQR_PER_SIGMA = 1.349;

abstract class WindowDetector implements Detector {
  abstract readonly name: string;
  protected readonly window: SortedWindow;
  protected readonly threshold: number;
  protected readonly minSpread: number;
  protected readonly longRun: LongRunScale;
  readonly #warmup: number;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: WindowOptions, defaultThreshold: number) {
    const window = options.window ?? 60;
    this.#warmup = options.warmup ?? Math.min(window, 30);
    this.threshold = options.threshold ?? defaultThreshold;
    this.minSpread = options.minSpread ?? 0;
    const longRun = options.longRun ?? LONG_RUN_DEFAULTS.longRun;
    const scaleFloor = options.scaleFloor ?? LONG_RUN_DEFAULTS.scaleFloor;
    const levelFloor = options.levelFloor ?? LONG_RUN_DEFAULTS.levelFloor;
    if (!Number.isInteger(window) || window < 4 || !Number.isInteger(this.#warmup) || this.#warmup < 4 || this.#warmup > window || !(this.threshold > 0) || !(this.minSpread >= 0) || !Number.isInteger(longRun) || longRun < 1 || !(scaleFloor >= 0) || !(levelFloor >= 0)) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `window detectors: window and warmup must be integers with 4 <= warmup <= window, threshold > 0, minSpread, scaleFloor and levelFloor >= 0, longRun an integer >= 1; got ${JSON.stringify(options)}`, { options });
    }
    this.window = new SortedWindow(window);
    this.longRun = new LongRunScale(longRun, scaleFloor, levelFloor);
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    const result = this.window.size < this.#warmup ? warmingUp(point.value, this.window.size, this.#warmup) : this.score(point.value);
    this.window.push(point.value);
    this.longRun.push(point.value);
    return result;
  }

  protected abstract score(value: number): DetectorResult;

  snapshot(): DetectorSnapshot {
    return {
      kind: this.name,
      options: { window: this.window.capacity, warmup: this.#warmup, threshold: this.threshold, minSpread: this.minSpread, longRun: this.longRun.longRun, scaleFloor: this.longRun.scaleFloor, levelFloor: this.longRun.levelFloor },
      state: { values: this.window.toArray(), last: Number.isFinite(this.#last) ? this.#last : null, longRun: this.longRun.toJSON() },
    };
  }

  /** Replays a snapshot's window into a fresh detector of the same kind. */
  protected load(snapshot: DetectorSnapshot): this {
    const state = snapshot.state as { values?: unknown; last?: unknown; longRun?: unknown };
    if (snapshot.kind !== this.name || !Array.isArray(state.values) || !(typeof state.last === 'number' || state.last === null)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', `Not a ${this.name} detector snapshot`, { kind: snapshot.kind });
    }
    for (const v of state.values as number[]) this.window.push(v);
    this.longRun.load(state.longRun, state.values as number[]);
    this.#last = typeof state.last === 'number' ? state.last : Number.NEGATIVE_INFINITY;
    return this;
  }
}

/**
 * Robust z-score: distance from the window's median in MADs scaled to sigma (×1.4826). The median
 * and MAD ignore the outliers a mean and standard deviation chase, so one spike does not hide the
 * next. Default threshold 3.5 (Iglewicz and Hoaglin's modified z-score).
 */
export class RobustZScoreDetector extends WindowDetector {
  readonly name = 'robust_zscore';

  constructor(options: WindowOptions = {}) {
    super(options, 3.5);
  }

  protected score(value: number): DetectorResult {
    const median = this.window.quantile(0.5);
    const windowSigma = this.window.mad(median) * MAD_TO_SIGMA;
    const sigma = Math.max(windowSigma, this.minSpread, this.longRun.floor());
    const distance = Math.abs(value - median) / sigma;
    const anomalous = distance >= this.threshold;
    return {
      score: scoreOf(distance, this.threshold),
      anomalous,
      expected: median,
      lower: median - this.threshold * sigma,
      upper: median + this.threshold * sigma,
      reason: anomalous ? `value ${value} is ${Math.round(distance * 100) / 100} ${windowSigma === 0 ? 'long-run sigmas off a flat window' : 'robust sigmas'} from the median ${median}` : 'within the expected band',
      warmingUp: false,
    };
  }

  static restore(snapshot: DetectorSnapshot): RobustZScoreDetector {
    return new RobustZScoreDetector(snapshot.options as WindowOptions).load(snapshot);
  }
}

/**
 * Tukey's fences over a rolling window: anomalous outside [Q1 − k·IQR, Q3 + k·IQR] (k = 1.5).
 * The score measures the distance beyond the nearer fence in IQRs, 0.5 at the fence.
 */
export class IqrDetector extends WindowDetector {
  readonly name = 'iqr';

  constructor(options: WindowOptions = {}) {
    super(options, 1.5);
  }

  protected score(value: number): DetectorResult {
    const q1 = this.window.quantile(0.25);
    const q3 = this.window.quantile(0.75);
    const iqr = Math.max(q3 - q1, this.minSpread, this.longRun.floor() * IQR_PER_SIGMA);
    const lower = q1 - this.threshold * iqr;
    const upper = q3 + this.threshold * iqr;
    const anomalous = value < lower || value > upper;
    // Distance from the quartile box in IQRs: the fence sits at `threshold`.
    const outside = value > q3 ? value - q3 : value < q1 ? q1 - value : 0;
    const distance = outside / iqr;
    return {
      score: scoreOf(distance, this.threshold),
      anomalous,
      expected: this.window.quantile(0.5),
      lower,
      upper,
      reason: anomalous ? `value ${value} is outside Tukey's fences [${lower}, ${upper}]` : 'within the expected band',
      warmingUp: false,
    };
  }

  static restore(snapshot: DetectorSnapshot): IqrDetector {
    return new IqrDetector(snapshot.options as WindowOptions).load(snapshot);
  }
}
