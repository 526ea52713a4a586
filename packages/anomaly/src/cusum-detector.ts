import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, scoreOf, warmingUp, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';

export interface CusumOptions {
  /** Points that set the baseline (mean and standard deviation). Default 30. */
  baseline?: number;
  /** Slack, in baseline standard deviations: drift smaller than this is ignored. Default 0.5. */
  slack?: number;
  /** Decision threshold, in baseline standard deviations of accumulated drift. Default 5. */
  threshold?: number;
}

/**
 * Level-shift detection with a two-sided CUSUM (Page, 1954): it accumulates deviations beyond
 * the slack in each direction and reports a shift when either sum crosses the threshold —
 * once — then re-baselines on the points that follow, so a new level becomes normal instead of
 * alarming forever.
 */
export class CusumDetector implements Detector {
  readonly name = 'cusum';
  readonly #baselineSize: number;
  readonly #slack: number;
  readonly #threshold: number;
  #collected: number[] = [];
  #mean = 0;
  #std = 0;
  #high = 0;
  #low = 0;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: CusumOptions = {}) {
    this.#baselineSize = options.baseline ?? 30;
    this.#slack = options.slack ?? 0.5;
    this.#threshold = options.threshold ?? 5;
    if (!Number.isInteger(this.#baselineSize) || this.#baselineSize < 2 || !(this.#slack >= 0) || !(this.#threshold > 0)) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `cusum: baseline must be an integer >= 2, slack >= 0, threshold > 0; got ${JSON.stringify(options)}`, { options });
    }
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    if (this.#collected.length < this.#baselineSize) {
      this.#collected.push(point.value);
      if (this.#collected.length === this.#baselineSize) this.#setBaseline();
      return warmingUp(point.value, this.#collected.length, this.#baselineSize);
    }
    // A zero-variance baseline still needs a unit: use 1% of the level (or 1) so a shift registers.
    const unit = this.#std > 0 ? this.#std : Math.max(Math.abs(this.#mean) * 0.01, 1e-9);
    const z = (point.value - this.#mean) / unit;
    this.#high = Math.max(0, this.#high + z - this.#slack);
    this.#low = Math.max(0, this.#low - z - this.#slack);
    const drift = Math.max(this.#high, this.#low);
    const band = this.#threshold * unit;
    const result: DetectorResult = {
      score: scoreOf(drift, this.#threshold),
      anomalous: drift >= this.#threshold,
      expected: this.#mean,
      lower: this.#mean - band,
      upper: this.#mean + band,
      reason: drift >= this.#threshold
        ? `level shifted ${this.#high >= this.#low ? 'up' : 'down'} from ${round(this.#mean)}: accumulated drift ${round(drift)} standard deviations`
        : 'no level shift',
      warmingUp: false,
    };
    if (result.anomalous) {
      // Report the shift once, then learn the new level from the points that follow.
      this.#collected = [point.value];
      this.#high = 0;
      this.#low = 0;
    }
    return result;
  }

  #setBaseline(): void {
    const n = this.#collected.length;
    this.#mean = this.#collected.reduce((s, v) => s + v, 0) / n;
    this.#std = Math.sqrt(this.#collected.reduce((s, v) => s + (v - this.#mean) ** 2, 0) / (n - 1));
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: 'cusum',
      options: { baseline: this.#baselineSize, slack: this.#slack, threshold: this.#threshold },
      state: { collected: [...this.#collected], mean: this.#mean, std: this.#std, high: this.#high, low: this.#low, last: Number.isFinite(this.#last) ? this.#last : null },
    };
  }

  static restore(snapshot: DetectorSnapshot): CusumDetector {
    const s = snapshot.state as Record<string, unknown>;
    if (snapshot.kind !== 'cusum' || !Array.isArray(s.collected) || !['mean', 'std', 'high', 'low'].every((k) => typeof s[k] === 'number')) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a cusum detector snapshot', { kind: snapshot.kind });
    }
    const detector = new CusumDetector(snapshot.options as CusumOptions);
    detector.#collected = [...(s.collected as number[])];
    detector.#mean = s.mean as number;
    detector.#std = s.std as number;
    detector.#high = s.high as number;
    detector.#low = s.low as number;
    detector.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    return detector;
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
