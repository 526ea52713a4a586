import { SightlineError, SeededRandom } from '@sightline/core';
import { createRequire } from 'node:module';
import type { DetectorResult, DetectorSnapshot } from './detector.js';

// ml-isolation-forest 0.1.0 is CommonJS without types and exports only { IsolationForest }.
interface Forest {
  train(rows: number[][]): void;
  predict(rows: number[][]): number[];
}
const { IsolationForest } = createRequire(import.meta.url)('ml-isolation-forest') as { IsolationForest: new (options: { nEstimators: number }) => Forest };

/** Several metrics of one thing (a service) at one time. */
export interface MultivariatePoint {
  readonly timestamp: number;
  readonly values: readonly number[];
}

export interface IsolationForestOptions {
  /** Recent points kept for training. Default 2,048. */
  window?: number;
  /** Rows sampled per training (the paper's ψ = 256: more rows make trees worse, not better). */
  sampleSize?: number;
  /** Trees. Default 100. */
  trees?: number;
  /** Retrain after this many new points. Default 256. */
  retrainEvery?: number;
  /** Raw isolation score at which a point is anomalous (0.5 is average). Default 0.65. */
  threshold?: number;
  /** Seed for sampling and tree building, so runs and restores are reproducible. Default 1. */
  seed?: number;
}

/**
 * Isolation forest (Liu, Ting and Zhou 2008) over multivariate points, on `ml-isolation-forest`:
 * trained on a seeded sample of the sliding window and retrained on a schedule. The library has
 * no seed and draws from `Math.random` while building trees, so training runs with `Math.random`
 * swapped for this detector's seeded generator (and restored after) — which is what makes a
 * restored detector identical. Scores are normalised to 0..1 with 0.5 at `threshold`; `expected`,
 * `lower` and `upper` are in raw-score units (0.5 is average, `upper` the threshold).
 */
export class IsolationForestDetector {
  readonly name = 'isolation_forest';
  readonly #options: Required<IsolationForestOptions>;
  #window: number[][] = [];
  #dimensions = -1;
  #last = Number.NEGATIVE_INFINITY;
  #sinceTrain = 0;
  readonly #random: SeededRandom;
  #forest: Forest | undefined;
  /** What the current forest was trained on, and the generator state it started from (for restore). */
  #trainedOn: { rows: number[][]; rng: number } | undefined;

  constructor(options: IsolationForestOptions = {}) {
    this.#options = { window: 2_048, sampleSize: 256, trees: 100, retrainEvery: 256, threshold: 0.65, seed: 1, ...options };
    const o = this.#options;
    if (![o.window, o.sampleSize, o.trees, o.retrainEvery].every((n) => Number.isInteger(n) && n >= 2) || o.sampleSize > o.window || !(o.threshold > 0.5 && o.threshold < 1)) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `isolation_forest: window, sampleSize (<= window), trees, retrainEvery must be integers >= 2 and threshold in (0.5, 1); got ${JSON.stringify(options)}`, { options });
    }
    this.#random = new SeededRandom(o.seed);
  }

  update(point: MultivariatePoint): DetectorResult {
    this.#check(point);
    this.#last = point.timestamp;
    if (this.#dimensions < 0) this.#dimensions = point.values.length;
    const row = [...point.values];
    let result: DetectorResult;
    if (this.#forest === undefined) {
      result = { score: 0, anomalous: false, expected: 0.5, lower: 0, upper: this.#options.threshold, reason: `warming up: ${this.#window.length} of ${this.#options.sampleSize} points seen`, warmingUp: true };
    } else {
      const raw = this.#forest.predict([row])[0]!;
      const t = this.#options.threshold;
      const score = raw <= 0.5 ? 0 : raw <= t ? (0.5 * (raw - 0.5)) / (t - 0.5) : Math.min(1, 0.5 + (0.5 * (raw - t)) / (1 - t));
      result = { score, anomalous: raw >= t, expected: 0.5, lower: 0, upper: t, reason: raw >= t ? `isolated quickly: isolation score ${raw.toFixed(3)} >= ${t}` : 'within the expected band', warmingUp: false };
    }
    this.#window.push(row);
    if (this.#window.length > this.#options.window) this.#window.shift();
    this.#sinceTrain++;
    if ((this.#forest === undefined && this.#window.length >= this.#options.sampleSize) || (this.#forest !== undefined && this.#sinceTrain >= this.#options.retrainEvery)) this.#train();
    return result;
  }

  #check(point: MultivariatePoint): void {
    const bad = (why: string) => new SightlineError('ANOMALY_POINT_INVALID', `isolation_forest: ${why}`, { point });
    if (!Number.isFinite(point.timestamp)) throw bad(`timestamp ${point.timestamp} is not finite`);
    if (point.timestamp <= this.#last) throw bad(`timestamp ${point.timestamp} is not after the last accepted point (${this.#last})`);
    if (!Array.isArray(point.values) || point.values.length === 0 || !point.values.every(Number.isFinite)) throw bad('values must be a non-empty list of finite numbers');
    if (this.#dimensions >= 0 && point.values.length !== this.#dimensions) throw bad(`expected ${this.#dimensions} values per point, got ${point.values.length}`);
  }

  #train(): void {
    const rows = this.#sample();
    this.#fit(rows, this.#random.state);
    this.#sinceTrain = 0;
  }

  /** A seeded sample of `sampleSize` rows from the window (partial Fisher–Yates). */
  #sample(): number[][] {
    const pool = this.#window.slice();
    const k = Math.min(this.#options.sampleSize, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.#random.next() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, k);
  }

  #fit(rows: number[][], rngState: number): void {
    this.#trainedOn = { rows, rng: rngState };
    this.#random.state = rngState;
    const forest = new IsolationForest({ nEstimators: this.#options.trees });
    const original = Math.random;
    Math.random = () => this.#random.next();
    try {
      forest.train(rows);
    } finally {
      Math.random = original;
    }
    this.#forest = forest;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: 'isolation_forest',
      options: { ...this.#options },
      state: { window: this.#window, dimensions: this.#dimensions, last: Number.isFinite(this.#last) ? this.#last : null, sinceTrain: this.#sinceTrain, rng: this.#random.state, trainedOn: this.#trainedOn ?? null },
    };
  }

  static restore(snapshot: DetectorSnapshot): IsolationForestDetector {
    const s = snapshot.state as { window?: unknown; dimensions?: unknown; last?: unknown; sinceTrain?: unknown; rng?: unknown; trainedOn?: { rows: number[][]; rng: number } | null };
    if (snapshot.kind !== 'isolation_forest' || !Array.isArray(s.window) || typeof s.rng !== 'number' || typeof s.sinceTrain !== 'number' || typeof s.dimensions !== 'number') {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not an isolation_forest detector snapshot', { kind: snapshot.kind });
    }
    const d = new IsolationForestDetector(snapshot.options as IsolationForestOptions);
    d.#window = (s.window as number[][]).map((r) => [...r]);
    d.#dimensions = s.dimensions;
    d.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    // Rebuild the same forest from the same rows and generator state, then continue the generator.
    if (s.trainedOn) d.#fit(s.trainedOn.rows, s.trainedOn.rng);
    d.#random.state = s.rng;
    d.#sinceTrain = s.sinceTrain;
    return d;
  }
}
