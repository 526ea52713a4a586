import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, scoreOf, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';

export interface ThresholdOptions {
  /** Values above this are anomalous. */
  max?: number;
  /** Values below this are anomalous. */
  min?: number;
  /** Largest allowed change per second (absolute), between consecutive points. */
  maxRatePerSecond?: number;
}

/**
 * Static limits and rate-of-change limits: the operator's own rules ("error ratio above 5%",
 * "queue grows faster than 100/s"). No warm-up; the score is 0.5 at a limit and grows with the
 * relative excess.
 */
export class ThresholdDetector implements Detector {
  readonly name = 'threshold';
  readonly #options: ThresholdOptions;
  #last = Number.NEGATIVE_INFINITY;
  #lastValue = Number.NaN;

  constructor(options: ThresholdOptions) {
    const { min, max, maxRatePerSecond } = options;
    const finite = (x: number | undefined) => x === undefined || Number.isFinite(x);
    if ((min === undefined && max === undefined && maxRatePerSecond === undefined) || !finite(min) || !finite(max) || !finite(maxRatePerSecond) || (min !== undefined && max !== undefined && min > max) || (maxRatePerSecond !== undefined && !(maxRatePerSecond > 0))) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `threshold: give at least one of min, max, maxRatePerSecond (finite, min <= max, rate > 0); got ${JSON.stringify(options)}`, { options });
    }
    this.#options = options;
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    const { min, max, maxRatePerSecond } = this.#options;
    const elapsedSeconds = (point.timestamp - this.#last) / 1_000;
    const rate = Number.isNaN(this.#lastValue) ? 0 : (point.value - this.#lastValue) / elapsedSeconds;
    this.#last = point.timestamp;
    this.#lastValue = point.value;
    const scale = (limit: number) => Math.max(Math.abs(limit), 1e-9);
    // Distance in "limits": 1 at the limit, so scoreOf(..., 1) gives 0.5 there.
    const over = max !== undefined && point.value > max ? 1 + (point.value - max) / scale(max) : 0;
    const under = min !== undefined && point.value < min ? 1 + (min - point.value) / scale(min) : 0;
    const fast = maxRatePerSecond !== undefined && Math.abs(rate) > maxRatePerSecond ? Math.abs(rate) / maxRatePerSecond : 0;
    const distance = Math.max(over, under, fast);
    const anomalous = distance > 0;
    const reason = over > 0 ? `value ${point.value} is above the limit ${max}` : under > 0 ? `value ${point.value} is below the limit ${min}` : fast > 0 ? `changed by ${Math.round(rate * 100) / 100}/s, faster than the limit ${maxRatePerSecond}/s` : 'within the limits';
    return {
      score: anomalous ? Math.max(0.5, scoreOf(distance, 1)) : 0,
      anomalous,
      expected: Math.min(Math.max(point.value, min ?? -Infinity), max ?? Infinity),
      lower: min ?? Number.NEGATIVE_INFINITY,
      upper: max ?? Number.POSITIVE_INFINITY,
      reason,
      warmingUp: false,
    };
  }

  snapshot(): DetectorSnapshot {
    return { kind: 'threshold', options: { ...this.#options }, state: { last: Number.isFinite(this.#last) ? this.#last : null, lastValue: Number.isNaN(this.#lastValue) ? null : this.#lastValue } };
  }

  static restore(snapshot: DetectorSnapshot): ThresholdDetector {
    const s = snapshot.state as { last?: unknown; lastValue?: unknown };
    if (snapshot.kind !== 'threshold') throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a threshold detector snapshot', { kind: snapshot.kind });
    const d = new ThresholdDetector(snapshot.options as ThresholdOptions);
    d.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    d.#lastValue = typeof s.lastValue === 'number' ? s.lastValue : Number.NaN;
    return d;
  }
}
