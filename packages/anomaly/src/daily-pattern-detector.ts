import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, scoreOf, warmingUp, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';

export interface DailyPatternOptions {
  /** Length of the cycle learned, in ms. Default one day (86,400,000). */
  periodMs?: number;
  /** Time-of-day slots the cycle is cut into, each learned on its own. Default 24 (one an hour). */
  buckets?: number;
  /** Distance from the slot's usual level, in units of its usual deviation, at which a point is anomalous; the score is 0.5 there. Default 5. */
  threshold?: number;
  /** Time constant of the series' own level, which the pattern is learned relative to, in ms. Default `periodMs`. */
  levelMs?: number;
  /** Periods a slot remembers: its learned level and deviation forget with this time constant. Default 7 (a week of days). */
  memory?: number;
  /** Periods to watch, and visits of a slot, before verdicts. Default 2. */
  minPeriods?: number;
  /** The slot's deviation is floored at this fraction of the series-wide deviation, so a slot that was always alike does not flag noise. Default 1. */
  globalFloor?: number;
}

/** One day in ms, the default period. */
const DAY_MS = 86_400_000;

/**
 * Learns what each time of day usually looks like and scores how far the last slot-length (an
 * hour, by default) is from it: catches what a rolling z-score cannot see, such as a daily peak
 * (or a batch run) that does not happen, a night that stays busy, or a shift that stays within the
 * day's range.
 *
 * Streaming, O(1) per point. The value's level is tracked by an exponentially weighted mean with a
 * time constant of `levelMs`, one period by default (so drift and weekly saw-teeth are followed,
 * not learned as a pattern); the point's **residual** from it is smoothed with a time constant of one slot (so a
 * burst of a few noisy points moves it little, and a missing peak hours long moves it a lot). For
 * each of `buckets` slots of the period, the detector learns the usual smoothed residual and its
 * mean absolute deviation, forgetting over `memory` periods. The distance is
 * `|smoothed − usual(slot)| / max(deviation(slot), globalFloor · series-wide deviation)`, and the
 * score `distance / (distance + threshold)`: 0.5 at the threshold, never 1. Weights follow the
 * timestamps, so gaps and irregular sampling need no resampling; slots are aligned to the Unix
 * epoch (for a day: UTC hours, so a series that follows local time moves by an hour at a
 * daylight-saving change until the slots relearn it). The same is learned for the
 * point's own, unsmoothed residual: {@link DailyPatternDetector.pointDistance} says how usual the
 * single value is for its time of day (the default detector drops a level flag that is usual).
 *
 * Memory per series, fixed: six `Float64Array` of `buckets` entries (smoothed and point level,
 * smoothed and point deviation, points and visits per slot) and ten numbers: 24 × 6 × 8 bytes =
 * 1,152 bytes by default.
 *
 * @example
 * const detector = new DailyPatternDetector(); // hourly slots of a day
 * const { anomalous, reason } = detector.update({ timestamp: Date.now(), value: 42 });
 */
export class DailyPatternDetector implements Detector {
  readonly name = 'daily_pattern';
  readonly #period: number;
  readonly #buckets: number;
  readonly #threshold: number;
  readonly #memory: number;
  readonly #minPeriods: number;
  readonly #globalFloor: number;
  readonly #slotMs: number;
  readonly #levelMs: number;

  readonly #usual: Float64Array;
  readonly #deviation: Float64Array;
  readonly #pointUsual: Float64Array;
  readonly #pointDeviation: Float64Array;
  readonly #points: Float64Array;
  readonly #visits: Float64Array;
  #seen = 0;
  #first = Number.NaN;
  #last = Number.NEGATIVE_INFINITY;
  #lastBucket = -1;
  #level = 0;
  #smoothed = 0;
  #globalDeviation = 0;
  #pointGlobalDeviation = 0;
  #learned = 0;
  #pointDistance = Number.NaN;

  constructor(options: DailyPatternOptions = {}) {
    this.#period = options.periodMs ?? DAY_MS;
    this.#buckets = options.buckets ?? 24;
    this.#threshold = options.threshold ?? 5;
    this.#memory = options.memory ?? 7;
    this.#minPeriods = options.minPeriods ?? 2;
    this.#globalFloor = options.globalFloor ?? 1;
    this.#levelMs = options.levelMs ?? this.#period;
    const problems: string[] = [];
    if (!(this.#period >= 1_000) || !Number.isFinite(this.#period)) problems.push(`periodMs must be a finite number of ms >= 1,000 (got ${String(options.periodMs)})`);
    if (!Number.isInteger(this.#buckets) || this.#buckets < 1 || this.#buckets > 10_080) problems.push(`buckets must be an integer in 1..10080 (got ${String(options.buckets)})`);
    if (!(this.#levelMs > 0) || !Number.isFinite(this.#levelMs)) problems.push(`levelMs must be a finite number of ms > 0 (got ${String(options.levelMs)})`);
    if (!(this.#threshold > 0) || !Number.isFinite(this.#threshold)) problems.push(`threshold must be a finite number > 0 (got ${String(options.threshold)})`);
    if (!(this.#memory >= 1) || !Number.isFinite(this.#memory)) problems.push(`memory must be a finite number of periods >= 1 (got ${String(options.memory)})`);
    if (!Number.isInteger(this.#minPeriods) || this.#minPeriods < 1) problems.push(`minPeriods must be an integer >= 1 (got ${String(options.minPeriods)})`);
    if (!(this.#globalFloor >= 0) || !Number.isFinite(this.#globalFloor)) problems.push(`globalFloor must be a finite number >= 0 (got ${String(options.globalFloor)})`);
    if (problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `daily_pattern: ${problems.join('; ')}`, { options, problems });
    this.#slotMs = this.#period / this.#buckets;
    this.#usual = new Float64Array(this.#buckets);
    this.#deviation = new Float64Array(this.#buckets);
    this.#pointUsual = new Float64Array(this.#buckets);
    this.#pointDeviation = new Float64Array(this.#buckets);
    this.#points = new Float64Array(this.#buckets);
    this.#visits = new Float64Array(this.#buckets);
  }

  /**
   * How far the last point's own value is from what its time of day usually is, in usual
   * deviations (its residual from the series' level against the slot's usual residual, unsmoothed);
   * NaN while warming up. The default detector uses it to drop a level flag that is usual for the
   * hour (a batch job starting on time, the morning rise).
   */
  get pointDistance(): number {
    return this.#pointDistance;
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    const { timestamp, value } = point;
    const elapsed = this.#seen === 0 ? 0 : timestamp - this.#last;
    this.#last = timestamp;
    this.#seen++;
    if (this.#seen === 1) this.#first = timestamp;
    // Time-constant weights: max(1/n, 1 − e^(−Δt/τ)), a plain mean until there is history.
    const residual = this.#seen === 1 ? 0 : value - this.#level;
    this.#level += (value - this.#level) * Math.max(1 / this.#seen, 1 - Math.exp(-elapsed / this.#levelMs));
    this.#smoothed += (residual - this.#smoothed) * Math.max(1 / this.#seen, 1 - Math.exp(-elapsed / this.#slotMs));
    const phase = timestamp % this.#period;
    const bucket = Math.min(Math.floor((phase < 0 ? phase + this.#period : phase) / this.#slotMs), this.#buckets - 1);
    if (bucket !== this.#lastBucket) this.#visits[bucket]!++;
    this.#lastBucket = bucket;
    const usual = this.#usual[bucket]!;
    const isReady = timestamp - this.#first >= this.#minPeriods * this.#period && this.#visits[bucket]! > this.#minPeriods;
    let result: DetectorResult;
    const tiny = 1e-9 * Math.max(1, Math.abs(this.#level));
    this.#pointDistance = isReady ? Math.abs(residual - this.#pointUsual[bucket]!) / Math.max(this.#pointDeviation[bucket]!, this.#globalFloor * this.#pointGlobalDeviation, tiny) : Number.NaN;
    if (!isReady) result = { ...warmingUp(value, this.#seen, this.#seen), reason: `warming up: learning each time of day over ${this.#minPeriods} periods (${this.#seen} points seen)` };
    else {
      const unit = Math.max(this.#deviation[bucket]!, this.#globalFloor * this.#globalDeviation, tiny);
      const offset = this.#smoothed - usual;
      const distance = Math.abs(offset) / unit;
      const expected = value - offset; // the value, had the recent level been the slot's usual one
      const band = this.#threshold * unit;
      const anomalous = distance >= this.#threshold;
      result = {
        score: scoreOf(distance, this.#threshold),
        anomalous,
        expected,
        lower: expected - band,
        upper: expected + band,
        reason: anomalous ? `the recent level is ${round(Math.abs(offset))} ${offset < 0 ? 'below' : 'above'} what this time of day usually is (${round(distance)} of its usual deviations)` : USUAL_TIME_OF_DAY,
        warmingUp: false,
      };
    }
    // The smoothed residual needs one slot of history before it says anything about a slot.
    if (timestamp - this.#first >= this.#slotMs) this.#learn(bucket, usual, residual);
    return result;
  }

  #learn(bucket: number, usual: number, residual: number): void {
    const points = ++this.#points[bucket]!;
    // Forgets over `memory` visits of the slot: points per visit × memory points.
    const weight = Math.max(1 / points, this.#visits[bucket]! / (points * this.#memory));
    const error = this.#smoothed - usual;
    this.#usual[bucket] = usual + weight * error;
    this.#deviation[bucket]! += weight * (Math.abs(error) - this.#deviation[bucket]!);
    const pointError = residual - this.#pointUsual[bucket]!;
    this.#pointUsual[bucket]! += weight * pointError;
    this.#pointDeviation[bucket]! += weight * (Math.abs(pointError) - this.#pointDeviation[bucket]!);
    this.#learned++;
    const globalWeight = Math.max(1 / this.#learned, this.#visits[bucket]! / (points * this.#buckets * this.#memory));
    this.#globalDeviation += globalWeight * (Math.abs(error) - this.#globalDeviation);
    this.#pointGlobalDeviation += globalWeight * (Math.abs(pointError) - this.#pointGlobalDeviation);
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: 'daily_pattern',
      options: { periodMs: this.#period, buckets: this.#buckets, levelMs: this.#levelMs, threshold: this.#threshold, memory: this.#memory, minPeriods: this.#minPeriods, globalFloor: this.#globalFloor },
      state: {
        seen: this.#seen,
        first: this.#seen === 0 ? null : this.#first,
        last: Number.isFinite(this.#last) ? this.#last : null,
        lastBucket: this.#lastBucket,
        level: this.#level,
        smoothed: this.#smoothed,
        globalDeviation: this.#globalDeviation,
        pointGlobalDeviation: this.#pointGlobalDeviation,
        pointDistance: Number.isNaN(this.#pointDistance) ? null : this.#pointDistance,
        learned: this.#learned,
        usual: [...this.#usual],
        deviation: [...this.#deviation],
        points: [...this.#points],
        visits: [...this.#visits],
        pointUsual: [...this.#pointUsual],
        pointDeviation: [...this.#pointDeviation],
      },
    };
  }

  /** Rebuilds a detector from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: DetectorSnapshot): DailyPatternDetector {
    if (snapshot.kind !== 'daily_pattern') throw new SightlineError('ANOMALY_STATE_INVALID', `Not a daily_pattern detector snapshot (kind ${JSON.stringify(snapshot.kind)})`, { kind: snapshot.kind });
    const detector = new DailyPatternDetector(snapshot.options as DailyPatternOptions);
    const s = snapshot.state as Record<string, unknown>;
    const problems: string[] = [];
    const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    for (const name of ['seen', 'lastBucket', 'level', 'smoothed', 'globalDeviation', 'pointGlobalDeviation', 'learned']) if (!isFiniteNumber(s[name])) problems.push(`state.${name} must be a finite number`);
    for (const name of ['first', 'last', 'pointDistance']) if (!(isFiniteNumber(s[name]) || s[name] === null)) problems.push(`state.${name} must be a number or null`);
    if (isFiniteNumber(s.seen) && s.seen > 0 && (s.first === null || s.last === null)) problems.push('state.first and state.last must be numbers once points were seen');
    const tables: Array<[string, Float64Array]> = [['usual', detector.#usual], ['deviation', detector.#deviation], ['points', detector.#points], ['visits', detector.#visits], ['pointUsual', detector.#pointUsual], ['pointDeviation', detector.#pointDeviation]];
    for (const [name, table] of tables) {
      const values = s[name];
      if (!Array.isArray(values) || values.length !== table.length || !values.every(isFiniteNumber)) problems.push(`state.${name} must be ${table.length} finite numbers`);
      else table.set(values);
    }
    if (problems.length > 0) throw new SightlineError('ANOMALY_STATE_INVALID', `Not a valid daily_pattern detector snapshot: ${problems.join('; ')}`, { kind: snapshot.kind, problems });
    detector.#seen = s.seen as number;
    detector.#first = typeof s.first === 'number' ? s.first : Number.NaN;
    detector.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    detector.#lastBucket = s.lastBucket as number;
    detector.#level = s.level as number;
    detector.#smoothed = s.smoothed as number;
    detector.#globalDeviation = s.globalDeviation as number;
    detector.#pointGlobalDeviation = s.pointGlobalDeviation as number;
    detector.#pointDistance = typeof s.pointDistance === 'number' ? s.pointDistance : Number.NaN;
    detector.#learned = s.learned as number;
    return detector;
  }
}

const USUAL_TIME_OF_DAY = 'usual for this time of day';

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
