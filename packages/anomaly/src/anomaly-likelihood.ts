import { NumberRingBuffer, SightlineError } from '@sightline/core';

export interface AnomalyLikelihoodOptions {
  /** Raw scores averaged into the recent score. Default 10 (as in Numenta's anomaly likelihood). */
  averagingWindow?: number;
  /** Points the long-run distribution averages over before it starts to decay. Default 8,640 (30 days of 5-minute points). */
  historicWindow?: number;
  /** Points before a likelihood is given (0.5 until then). Default 288 (a day of 5-minute points). */
  learningPeriod?: number;
  /** Floor on the long-run standard deviation of the averages. Default √0.0003 ≈ 0.0173 (Numenta's variance floor). */
  minStdDev?: number;
  /** Floor on the long-run mean of the averages. Default 0.03 (Numenta's). */
  minMean?: number;
}

/** The probability view of one raw score. */
export interface LikelihoodResult {
  /** P(average ≤ recent average) under the long-run Gaussian: 1 − its upper tail, 0..1. 0.5 while learning. */
  readonly likelihood: number;
  /** `ln(tail + 1e-10) / ln(1e-10)`, 0..1: spreads likelihoods near 1 apart (0.5 for a tail of 1e-5). 0 while learning. */
  readonly logLikelihood: number;
  /** Mean of the last `averagingWindow` raw scores. */
  readonly average: number;
  /** The long-run mean and standard deviation (after floors) it was judged against. */
  readonly mean: number;
  readonly stdDev: number;
  readonly warmingUp: boolean;
}

const LN_1E_10 = Math.log(1e-10);

/**
 * Numenta's anomaly likelihood, streaming: raw anomaly scores (any detector's 0..1 `score`) are
 * averaged over a short window, and the long-run distribution of that average is kept as a mean
 * and variance (plain for `historicWindow` points, then decaying with weight 1/historicWindow).
 * The recent average becomes the probability that it is not in the distribution's upper tail
 * (1 − Q(z)), so a detector that is always a little alarmed on this series stops being alarming,
 * and a sustained rise above its usual level is. Memory: the averaging window and four numbers.
 *
 * Follows Ahmad et al., "Unsupervised real-time anomaly detection for streaming data"
 * (Neurocomputing 2017), with the distribution kept incrementally rather than re-estimated from
 * a stored history; the final smoothing of likelihoods Numenta applies is not done.
 *
 * @example
 * const likelihood = new AnomalyLikelihood();
 * const { score } = detector.update(point);
 * if (likelihood.update(score).likelihood > 0.99999) alert();
 */
export class AnomalyLikelihood {
  readonly #averagingWindow: number;
  readonly #historicWindow: number;
  readonly #learningPeriod: number;
  readonly #minStd: number;
  readonly #minMean: number;
  readonly #recent: NumberRingBuffer;
  #sum = 0;
  #seen = 0;
  #count = 0;
  #mean = 0;
  #variance = 0;

  constructor(options: AnomalyLikelihoodOptions = {}) {
    this.#averagingWindow = options.averagingWindow ?? 10;
    this.#historicWindow = options.historicWindow ?? 8_640;
    this.#learningPeriod = options.learningPeriod ?? 288;
    this.#minStd = options.minStdDev ?? Math.sqrt(0.0003);
    this.#minMean = options.minMean ?? 0.03;
    const problems: string[] = [];
    const isCount = (x: number, min: number) => Number.isInteger(x) && x >= min;
    if (!isCount(this.#averagingWindow, 1)) problems.push(`averagingWindow must be an integer >= 1 (got ${options.averagingWindow})`);
    if (!isCount(this.#historicWindow, 2)) problems.push(`historicWindow must be an integer >= 2 (got ${options.historicWindow})`);
    if (!isCount(this.#learningPeriod, 2)) problems.push(`learningPeriod must be an integer >= 2 (got ${options.learningPeriod})`);
    if (!(this.#minStd > 0) || !Number.isFinite(this.#minStd)) problems.push(`minStdDev must be a finite number > 0 (got ${options.minStdDev})`);
    if (!(this.#minMean >= 0 && this.#minMean <= 1)) problems.push(`minMean must be in 0..1 (got ${options.minMean})`);
    if (problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `AnomalyLikelihood: ${problems.join('; ')}`, { options, problems });
    this.#recent = new NumberRingBuffer(this.#averagingWindow);
  }

  /**
   * Takes one raw score (0..1) and returns its likelihood; learns from it afterwards. Throws
   * `ANOMALY_SCORE_INVALID` (changing nothing) for a score that is not a number in 0..1.
   */
  update(score: number): LikelihoodResult {
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) {
      throw new SightlineError('ANOMALY_SCORE_INVALID', `AnomalyLikelihood: score ${score} is not a number in 0..1; pass a detector's score`, { score });
    }
    const evicted = this.#recent.push(score);
    this.#sum += score - (Number.isNaN(evicted) ? 0 : evicted);
    const average = Math.max(this.#sum / this.#recent.size, 0);
    this.#seen++;
    const mean = Math.max(this.#mean, this.#minMean);
    const stdDev = Math.max(Math.sqrt(this.#variance), this.#minStd);
    let result: LikelihoodResult;
    if (this.#seen <= this.#learningPeriod) result = { likelihood: 0.5, logLikelihood: 0, average, mean, stdDev, warmingUp: true };
    else {
      const tail = upperTail((average - mean) / stdDev);
      result = { likelihood: 1 - tail, logLikelihood: Math.min(Math.max(Math.log(tail + 1e-10) / LN_1E_10, 0), 1), average, mean, stdDev, warmingUp: false };
    }
    this.#learn(average);
    return result;
  }

  #learn(average: number): void {
    if (this.#count < this.#historicWindow) this.#count++;
    const weight = 1 / this.#count;
    const delta = average - this.#mean;
    this.#mean += weight * delta;
    // Welford while the weight is 1/n; the exponentially weighted variance once it is fixed.
    this.#variance = (1 - weight) * (this.#variance + weight * delta * delta);
  }

  /** Plain-data state; {@link AnomalyLikelihood.restore} of it gives identical results. */
  snapshot(): AnomalyLikelihoodSnapshot {
    return {
      kind: 'anomaly_likelihood',
      options: { averagingWindow: this.#averagingWindow, historicWindow: this.#historicWindow, learningPeriod: this.#learningPeriod, minStdDev: this.#minStd, minMean: this.#minMean },
      state: { recent: this.#recent.toArray(), seen: this.#seen, count: this.#count, mean: this.#mean, variance: this.#variance },
    };
  }

  /** Rebuilds from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: AnomalyLikelihoodSnapshot): AnomalyLikelihood {
    const s = snapshot.state as Partial<AnomalyLikelihoodSnapshot['state']> | undefined;
    const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    if (snapshot.kind !== 'anomaly_likelihood' || s === undefined || !Array.isArray(s.recent) || !s.recent.every((x) => isNum(x) && x >= 0 && x <= 1) || ![s.seen, s.count, s.mean, s.variance].every(isNum)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not an anomaly_likelihood snapshot', { kind: snapshot.kind });
    }
    const restored = new AnomalyLikelihood(snapshot.options);
    for (const x of s.recent) {
      restored.#recent.push(x);
      restored.#sum += x;
    }
    restored.#seen = s.seen!;
    restored.#count = s.count!;
    restored.#mean = s.mean!;
    restored.#variance = s.variance!;
    return restored;
  }
}

/** Serialisable {@link AnomalyLikelihood} state. */
export interface AnomalyLikelihoodSnapshot {
  readonly kind: 'anomaly_likelihood';
  readonly options: AnomalyLikelihoodOptions;
  readonly state: { readonly recent: readonly number[]; readonly seen: number; readonly count: number; readonly mean: number; readonly variance: number };
}

/** Q(z) = P(Z > z) for a standard normal Z, accurate in the far tail (no 1 − Φ cancellation). */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
