/** Defaults for the spread floor of the z-score and window detectors. */
export const LONG_RUN_DEFAULTS = {
  /** Points after which the long-run averages stop being plain means and start to decay. */
  longRun: 2_000,
  /** Fraction of the long-run spread (sigma) below which the window's spread is not trusted. */
  scaleFloor: 0.25,
  /** Fraction of the long-run mean absolute level, used while the series has never varied. */
  levelFloor: 0.001,
} as const;

/** Smallest spread ever used: keeps a distance finite on a series that has only ever been 0. */
export const ABSOLUTE_SPREAD_FLOOR = 1e-9;

/** Deviations beyond this many long-run mean absolute deviations are clipped when learning. */
const WINSOR = 5;

/** Scale that turns a mean absolute deviation into a standard deviation for normal data (√(π/2)). */
const MEAN_ABS_TO_SIGMA = 1.2533;

/**
 * The series' long-run level and spread, kept in O(1) state: plain running means for the first
 * `longRun` points, then exponentially decaying ones (weight 1/longRun per point), so they forget
 * slowly — much more slowly than a detector's window. The spread is the mean absolute deviation
 * from the long-run mean, scaled to sigma; values are clipped to 5 such deviations while it learns,
 * so spikes do not inflate it.
 *
 * It gives detectors a floor for their window's spread: on a flat run the window's spread is 0 and
 * any change would be infinitely far; against the floor it is as far as the series' own history
 * says it is.
 */
export class LongRunScale {
  #count = 0;
  #mean = 0;
  #meanAbsDeviation = 0;
  #meanAbsLevel = 0;

  constructor(
    readonly longRun: number,
    readonly scaleFloor: number,
    readonly levelFloor: number,
  ) {}

  /** Learns one value. */
  push(value: number): void {
    if (this.#count < this.longRun) this.#count++;
    const weight = 1 / this.#count;
    this.#meanAbsLevel += weight * (Math.abs(value) - this.#meanAbsLevel);
    // Winsorised (Huber-style): a spike moves the long-run mean and spread by at most
    // WINSOR deviations, so the floor is not inflated by the outliers the detectors look for.
    if (this.#count === 1) {
      this.#mean = value; // the first value has no deviation to learn
      return;
    }
    let x = value;
    if (this.#count > 2 && this.#meanAbsDeviation > 0) {
      const limit = WINSOR * this.#meanAbsDeviation;
      x = Math.min(Math.max(x, this.#mean - limit), this.#mean + limit);
    }
    this.#meanAbsDeviation += weight * (Math.abs(x - this.#mean) - this.#meanAbsDeviation);
    this.#mean += weight * (x - this.#mean);
  }

  /** The smallest spread (in the series' units, as a sigma) a detector should divide by. */
  floor(): number {
    // The level only matters for a series that has never varied: elsewhere a fraction of a large
    // offset (1e9 + noise) would swamp the noise it is meant to floor.
    const spread = this.#meanAbsDeviation > 0 ? this.scaleFloor * this.#meanAbsDeviation * MEAN_ABS_TO_SIGMA : this.levelFloor * this.#meanAbsLevel;
    return Math.max(spread, ABSOLUTE_SPREAD_FLOOR);
  }

  toJSON(): LongRunState {
    return { count: this.#count, mean: this.#mean, meanAbsDeviation: this.#meanAbsDeviation, meanAbsLevel: this.#meanAbsLevel };
  }

  /** Loads state from {@link toJSON}; `undefined` (a snapshot from before the floor existed) replays `values`. */
  load(state: unknown, values: readonly number[]): void {
    if (isLongRunState(state)) {
      this.#count = state.count;
      this.#mean = state.mean;
      this.#meanAbsDeviation = state.meanAbsDeviation;
      this.#meanAbsLevel = state.meanAbsLevel;
    } else for (const v of values) this.push(v);
  }
}

/** Plain-data state of a {@link LongRunScale}. */
export interface LongRunState {
  readonly count: number;
  readonly mean: number;
  readonly meanAbsDeviation: number;
  readonly meanAbsLevel: number;
}

function isLongRunState(state: unknown): state is LongRunState {
  if (typeof state !== 'object' || state === null) return false;
  const s = state as Record<string, unknown>;
  return [s.count, s.mean, s.meanAbsDeviation, s.meanAbsLevel].every((x) => typeof x === 'number' && Number.isFinite(x));
}
