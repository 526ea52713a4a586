import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, scoreOf, warmingUp, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';
import { SortedWindow } from './sorted-window.js';

export interface SeasonalOptions {
  /** Length of one season in ms: a day (86,400,000) or a week. */
  periodMs: number;
  /** Width of one phase bucket in ms (e.g. 5 minutes); the period must be a multiple. */
  bucketMs: number;
  /** Past seasons remembered per phase. Default 4. */
  seasons?: number;
  /** Seasons of history a phase needs before verdicts. Default 2. */
  minSeasons?: number;
  /** Robust |z| of the residual at which a point is anomalous. Default 4. */
  threshold?: number;
  /** Floor on the residual spread (in the series' unit). Default 0. */
  minSpread?: number;
}

/**
 * Seasonal baseline: the expected value at a point is the median of the values at the same
 * phase of the last few seasons (same time of day, or of week), so the normal daily peak is
 * expected rather than flagged. The residual's spread is the scaled MAD of recent residuals
 * across all phases (a per-phase spread over four values would be noise).
 */
export class SeasonalDetector implements Detector {
  readonly name = 'seasonal';
  readonly #options: Required<SeasonalOptions>;
  readonly #buckets: number;
  /** `#history[phase * seasons + k]`: value of phase in season slot k; NaN when unseen. */
  readonly #history: Float64Array;
  /** Season index stored in each slot, so a stale slot is recognised. */
  readonly #slotSeason: Float64Array;
  readonly #residuals: SortedWindow;
  // The residual spread moves slowly; recomputing its MAD (a sort) every 128 points keeps the
  // per-point cost O(1) amortised.
  #sigma = Number.NaN;
  /** Scratch space for the past values at one phase (no allocation per point). */
  readonly #past: Float64Array;
  #sinceSigma = 0;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: SeasonalOptions) {
    this.#options = { seasons: 4, minSeasons: 2, threshold: 4, minSpread: 0, ...options };
    const { periodMs, bucketMs, seasons, minSeasons, threshold, minSpread } = this.#options;
    if (!(bucketMs > 0) || !(periodMs > 0) || periodMs % bucketMs !== 0 || !Number.isInteger(seasons) || seasons < 2 || !Number.isInteger(minSeasons) || minSeasons < 1 || minSeasons > seasons || !(threshold > 0) || !(minSpread >= 0)) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `seasonal: periodMs must be a positive multiple of bucketMs, 1 <= minSeasons <= seasons (>= 2), threshold > 0, minSpread >= 0; got ${JSON.stringify(options)}`, { options });
    }
    this.#buckets = periodMs / bucketMs;
    this.#history = new Float64Array(this.#buckets * seasons).fill(Number.NaN);
    this.#slotSeason = new Float64Array(this.#buckets * seasons).fill(Number.NaN);
    this.#residuals = new SortedWindow(Math.min(Math.max(this.#buckets, 60), 2_016));
    this.#past = new Float64Array(seasons);
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    const { periodMs, bucketMs, seasons, minSeasons, threshold, minSpread } = this.#options;
    const season = Math.floor(point.timestamp / periodMs);
    const phase = Math.floor((point.timestamp % periodMs) / bucketMs);
    // The same phase in earlier seasons, at most `seasons` back.
    // Insertion-sort the (few) past values at this phase into scratch space.
    const past = this.#past;
    let count = 0;
    for (let k = 0; k < seasons; k++) {
      const slot = phase * seasons + k;
      const s = this.#slotSeason[slot]!;
      if (!(s < season && s >= season - seasons)) continue;
      const v = this.#history[slot]!;
      let j = count++;
      while (j > 0 && past[j - 1]! > v) {
        past[j] = past[j - 1]!;
        j--;
      }
      past[j] = v;
    }
    let result: DetectorResult;
    if (count < minSeasons) result = warmingUp(point.value, count, minSeasons);
    else {
      const mid = count >> 1;
      const expected = count % 2 === 1 ? past[mid]! : (past[mid - 1]! + past[mid]!) / 2;
      const residual = point.value - expected;
      if (this.#residuals.size >= 8 && (Number.isNaN(this.#sigma) || this.#sinceSigma >= 128)) {
        this.#sigma = this.#residuals.mad(this.#residuals.quantile(0.5)) * 1.4826;
        this.#sinceSigma = 0;
      }
      const sigma = Math.max(Number.isNaN(this.#sigma) ? Math.abs(expected) * 0.1 : this.#sigma, minSpread);
      const distance = sigma === 0 ? (residual === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(residual) / sigma;
      const anomalous = distance >= threshold;
      result = {
        score: scoreOf(distance, threshold),
        anomalous,
        expected,
        lower: expected - threshold * sigma,
        upper: expected + threshold * sigma,
        reason: anomalous ? `value ${point.value} vs ${expected} usual at this time of the season (${count} seasons)` : 'within the seasonal band',
        warmingUp: false,
      };
      this.#residuals.push(residual);
      this.#sinceSigma++;
    }
    // Store this value in the slot of this season (replacing the oldest season's value).
    const slot = phase * seasons + (season % seasons);
    this.#history[slot] = point.value;
    this.#slotSeason[slot] = season;
    return result;
  }

  snapshot(): DetectorSnapshot {
    const nullable = (a: Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
    return { kind: 'seasonal', options: { ...this.#options }, state: { history: nullable(this.#history), slotSeason: nullable(this.#slotSeason), residuals: this.#residuals.toArray(), sigma: Number.isNaN(this.#sigma) ? null : this.#sigma, sinceSigma: this.#sinceSigma, last: Number.isFinite(this.#last) ? this.#last : null } };
  }

  static restore(snapshot: DetectorSnapshot): SeasonalDetector {
    const s = snapshot.state as { history?: unknown; slotSeason?: unknown; residuals?: unknown; sigma?: unknown; sinceSigma?: unknown; last?: unknown };
    if (snapshot.kind !== 'seasonal' || !Array.isArray(s.history) || !Array.isArray(s.slotSeason) || !Array.isArray(s.residuals)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a seasonal detector snapshot', { kind: snapshot.kind });
    }
    const d = new SeasonalDetector(snapshot.options as unknown as SeasonalOptions);
    (s.history as (number | null)[]).forEach((v, i) => (d.#history[i] = v ?? Number.NaN));
    (s.slotSeason as (number | null)[]).forEach((v, i) => (d.#slotSeason[i] = v ?? Number.NaN));
    for (const r of s.residuals as number[]) d.#residuals.push(r);
    d.#sigma = typeof s.sigma === 'number' ? s.sigma : Number.NaN;
    d.#sinceSigma = typeof s.sinceSigma === 'number' ? s.sinceSigma : 0;
    d.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    return d;
  }
}
