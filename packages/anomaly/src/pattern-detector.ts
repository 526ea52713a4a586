import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, MAX_FINITE_SCORE, warmingUp, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';

export interface PatternOptions {
  /** Points in the sliding window whose shape is judged. Default 12 (one hour of 5-minute data). */
  window?: number;
  /** Segments the window is averaged into (piecewise aggregate approximation); must divide `window`. Default 4. */
  segments?: number;
  /** Symbols per segment, odd, 3..9. Default 3 (below, about, above the window mean). */
  alphabet?: number;
  /** Width of one symbol, in long-run scale units (symbol edges at ±binWidth/2, ±3·binWidth/2, …). Default 2. */
  binWidth?: number;
  /** Points after which a learned count weighs half. Default 4,096. */
  halfLife?: number;
  /** Probability of the shape (given the one before) below which the point is anomalous; the score is 0.5 there. Default 0.002. */
  threshold?: number;
  /** Points needed before verdicts. Default 256. */
  warmup?: number;
  /** Buckets of the hashed transition table, a power of two. Default 1,024. */
  transitionBuckets?: number;
}

/** Pseudo-observations spread evenly over all shapes, so no shape has probability 0. */
const PRIOR = 0.5;
/** Counts are stored multiplied by a growing increment (lazy decay); rescaled past this. */
const RESCALE_AT = 1e20;

/**
 * Learns the shapes a series usually makes and scores how novel the recent sequence is.
 *
 * Every point closes a window of the last `window` points. The window's own mean is removed
 * (shape, not level) and what remains is divided by the series' **long-run** scale — a slowly
 * decaying average of the windows' spread, floored by a tenth of the long-run standard deviation
 * — not by the window's own spread, so a flat window stays flat instead of blowing noise up. The
 * window is averaged into `segments` pieces, each quantised to one of `alphabet` symbols (SAX-like,
 * with bins in scale units); the symbols form the shape's key. A decaying table counts each key,
 * and a hashed table counts each transition from the key of the previous, non-overlapping window
 * (w points earlier) to the current one. The point's rarity is a p-value under the learned
 * distribution: the mass of all shapes at most as probable as its own, for the shape alone and
 * for the shape given the previous one (`p(k | prev) = (n(prev→k) + m·p(k)) / (n(prev) + m)`,
 * m = the number of shapes), the smaller of the two. The score is `threshold / (threshold + p)`:
 * 0.5 at the threshold, toward 1 for shapes never seen, never exactly 1 (every count carries a
 * prior).
 *
 * Memory per series is fixed by the options: `alphabet^segments` shape counts and as many
 * predecessor counts (`Float32Array`), `transitionBuckets` transition counts, and the last
 * `window` values and keys — 81 + 81 + 1,024 four-byte counts and 12 + 12 slots by default, about 4.8 KiB.
 * Each point costs O(window + shapes).
 */
export class PatternDetector implements Detector {
  readonly name = 'pattern';
  readonly #window: number;
  readonly #segments: number;
  readonly #alphabet: number;
  readonly #binWidth: number;
  readonly #halfLife: number;
  readonly #threshold: number;
  readonly #warmup: number;
  readonly #buckets: number;
  readonly #shift: number;
  readonly #keys: number;
  readonly #growth: number;

  readonly #values: Float64Array;
  readonly #recentKeys: Int32Array;
  readonly #segmentMeans: Float64Array;
  #pos = 0;
  #seen = 0;
  readonly #shapeCounts: Float32Array;
  readonly #predecessorCounts: Float32Array;
  readonly #transitionCounts: Float32Array;
  #increment = 1;
  #total = 0;
  #level = 0;
  #variance = 0;
  #spread = 0;
  #windows = 0;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: PatternOptions = {}) {
    this.#window = options.window ?? 12;
    this.#segments = options.segments ?? 4;
    this.#alphabet = options.alphabet ?? 3;
    this.#binWidth = options.binWidth ?? 2;
    this.#halfLife = options.halfLife ?? 4_096;
    this.#threshold = options.threshold ?? 0.002;
    this.#warmup = options.warmup ?? 256;
    this.#buckets = options.transitionBuckets ?? 1_024;
    const problems: string[] = [];
    if (!Number.isInteger(this.#window) || this.#window < 2 || this.#window > 1_024) problems.push(`window must be an integer in 2..1024 (got ${String(options.window)})`);
    if (!Number.isInteger(this.#segments) || this.#segments < 1 || this.#window % this.#segments !== 0) problems.push(`segments must be a positive integer dividing window ${this.#window} (got ${String(options.segments)})`);
    if (!Number.isInteger(this.#alphabet) || this.#alphabet < 3 || this.#alphabet > 9 || this.#alphabet % 2 === 0) problems.push(`alphabet must be odd, 3..9 (got ${String(options.alphabet)})`);
    if (Number.isInteger(this.#alphabet) && Number.isInteger(this.#segments) && this.#alphabet ** this.#segments > 4_096) problems.push(`alphabet^segments must be at most 4,096 shapes (got ${this.#alphabet}^${this.#segments})`);
    if (!(this.#binWidth > 0) || !Number.isFinite(this.#binWidth)) problems.push(`binWidth must be a finite number > 0 (got ${String(options.binWidth)})`);
    if (!(this.#halfLife >= 1) || this.#halfLife > 1e7) problems.push(`halfLife must be in 1..1e7 points (got ${String(options.halfLife)})`);
    if (!(this.#threshold > 0 && this.#threshold < 1)) problems.push(`threshold must be a probability in (0, 1) (got ${String(options.threshold)})`);
    if (!Number.isInteger(this.#warmup) || this.#warmup < this.#window) problems.push(`warmup must be an integer >= window (got ${String(options.warmup)})`);
    if (!Number.isInteger(this.#buckets) || this.#buckets < 16 || this.#buckets > 1 << 20 || (this.#buckets & (this.#buckets - 1)) !== 0) problems.push(`transitionBuckets must be a power of two in 16..2^20 (got ${String(options.transitionBuckets)})`);
    if (problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `pattern: ${problems.join('; ')}`, { options, problems });
    this.#keys = this.#alphabet ** this.#segments;
    this.#shift = 32 - Math.log2(this.#buckets);
    this.#growth = 2 ** (1 / this.#halfLife);
    this.#values = new Float64Array(this.#window);
    this.#recentKeys = new Int32Array(this.#window).fill(-1);
    this.#segmentMeans = new Float64Array(this.#segments);
    this.#shapeCounts = new Float32Array(this.#keys);
    this.#predecessorCounts = new Float32Array(this.#keys);
    this.#transitionCounts = new Float32Array(this.#buckets);
  }

  /** The series' long-run level (slowly decaying mean of the values). */
  get level(): number {
    return this.#level;
  }

  /** The series' long-run standard deviation (slowly decaying), the unit other detectors may floor their spread by. */
  get scale(): number {
    return Math.sqrt(this.#variance);
  }

  update(point: TimeSeriesPoint): DetectorResult {
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    const value = point.value;
    this.#values[this.#pos] = value;
    this.#pos = this.#pos + 1 === this.#window ? 0 : this.#pos + 1;
    this.#seen++;
    let result: DetectorResult;
    if (this.#seen < this.#window) {
      result = warmingUp(value, this.#seen, this.#warmup);
    } else {
      const key = this.#shapeKey();
      // The current value's slot still holds the key of the window that ended `window` points ago:
      // the previous window that does not overlap this one.
      const current = this.#pos === 0 ? this.#window - 1 : this.#pos - 1;
      const previous = this.#recentKeys[current]!;
      const slot = previous >= 0 ? this.#bucket(previous * this.#keys, key) : -1;
      if (this.#seen < this.#warmup) result = warmingUp(value, this.#seen, this.#warmup);
      else {
        const p = this.#rarity(key, previous);
        const score = Math.min(this.#threshold / (this.#threshold + p), MAX_FINITE_SCORE);
        const anomalous = p < this.#threshold;
        const band = 3 * Math.sqrt(this.#variance);
        result = {
          score,
          anomalous,
          expected: this.#level,
          lower: this.#level - band,
          upper: this.#level + band,
          reason: anomalous ? `the last ${this.#window} points make a shape (${this.#describe(key)}) with probability ${formatProbability(p)} after the one before (${previous >= 0 ? this.#describe(previous) : 'none'})` : USUAL_SHAPE,
          warmingUp: false,
        };
      }
      this.#learn(key, previous, slot);
      this.#recentKeys[current] = key;
    }
    this.#learnScale(value);
    return result;
  }

  /** Mean-removed, long-run-scaled, segment-averaged, quantised window → key. */
  #shapeKey(): number {
    const w = this.#window;
    const perSegment = w / this.#segments;
    const values = this.#values;
    let index = this.#pos; // the oldest value
    let windowSum = 0;
    let key = 0;
    const sums = this.#segmentMeans;
    for (let s = 0; s < this.#segments; s++) {
      let sum = 0;
      for (let i = 0; i < perSegment; i++) {
        sum += values[index]!;
        index = index + 1 === w ? 0 : index + 1;
      }
      sums[s] = sum / perSegment;
      windowSum += sum;
    }
    const mean = windowSum / w;
    let spread = 0;
    for (let s = 0; s < this.#segments; s++) spread += (sums[s]! - mean) ** 2;
    spread = Math.sqrt(spread / this.#segments);
    // The long-run unit, floored so a series flat for a long time still has a finite unit.
    const unit = Math.max(this.#spread, 0.1 * Math.sqrt(this.#variance), 1e-9 * Math.max(1, Math.abs(this.#level)));
    const half = (this.#alphabet - 1) / 2;
    for (let s = 0; s < this.#segments; s++) {
      let symbol = Math.round((sums[s]! - mean) / unit / this.#binWidth) + half;
      if (symbol < 0) symbol = 0;
      else if (symbol > this.#alphabet - 1) symbol = this.#alphabet - 1;
      key = key * this.#alphabet + symbol;
    }
    this.#windows++;
    this.#spread += (spread - this.#spread) * Math.max(1 / this.#windows, 1 / this.#halfLife);
    return key;
  }

  /** Hashed slot of the transition `base + key`, where base = previous · keys. */
  #bucket(base: number, key: number): number {
    return Math.imul(base + key, 0x9e3779b1) >>> this.#shift;
  }

  /**
   * How rare the shape is, as a p-value under the learned distribution: the probability mass of all
   * shapes at most as probable as this one (this one included, so it is never 0). Both for the
   * shape alone and for the shape after the previous one (the conditional distribution shrunk
   * toward the marginal); the smaller is the point's novelty.
   */
  #rarity(key: number, previous: number): number {
    const inc = this.#increment;
    const counts = this.#shapeCounts;
    const prior = (PRIOR / this.#keys) * inc;
    const norm = 1 / (this.#total + PRIOR * inc);
    const own = counts[key]!;
    let below = 0;
    for (let k = 0; k < counts.length; k++) if (counts[k]! <= own) below += counts[k]! + prior;
    const shapeRarity = below * norm;
    if (previous < 0) return shapeRarity;
    // p(k | prev) = (n(prev→k) + m·p(k)) / (n(prev) + m): the same ordering test over successors.
    // m = the number of shapes (a Dirichlet prior as strong as one observation per shape): with
    // fewer, the many transitions not yet seen look impossible and noise reads as novelty.
    const m = this.#keys * inc;
    const transitions = this.#transitionCounts;
    const base = previous * this.#keys;
    const ownWeight = transitions[this.#bucket(base, key)]! + (m * (own + prior)) * norm;
    let mass = 0;
    for (let k = 0; k < counts.length; k++) {
      const weight = transitions[this.#bucket(base, k)]! + (m * (counts[k]! + prior)) * norm;
      if (weight <= ownWeight) mass += weight;
    }
    const transitionRarity = mass / (this.#predecessorCounts[previous]! + m);
    return transitionRarity < shapeRarity ? transitionRarity : shapeRarity;
  }

  #learn(key: number, previous: number, slot: number): void {
    const inc = this.#increment;
    this.#shapeCounts[key]! += inc;
    this.#total += inc;
    if (previous >= 0) {
      this.#predecessorCounts[previous]! += inc;
      this.#transitionCounts[slot]! += inc;
    }
    // Lazy exponential decay: instead of shrinking every count, later counts weigh more.
    this.#increment *= this.#growth;
    if (this.#increment > RESCALE_AT) this.#rescale();
  }

  #rescale(): void {
    const factor = 1 / this.#increment;
    for (const table of [this.#shapeCounts, this.#predecessorCounts, this.#transitionCounts]) for (let i = 0; i < table.length; i++) table[i]! *= factor;
    this.#total *= factor;
    this.#increment = 1;
  }

  #learnScale(value: number): void {
    const alpha = Math.max(1 / this.#seen, 1 / this.#halfLife);
    const delta = value - this.#level;
    this.#level += alpha * delta;
    this.#variance = (1 - alpha) * (this.#variance + alpha * delta * delta);
  }

  #describe(key: number): string {
    let text = '';
    for (let s = 0; s < this.#segments; s++) {
      text = String.fromCharCode(97 + (key % this.#alphabet)) + text;
      key = Math.floor(key / this.#alphabet);
    }
    return text;
  }

  snapshot(): DetectorSnapshot {
    const values: number[] = [];
    const keys: number[] = [];
    const filled = Math.min(this.#seen, this.#window);
    for (let i = this.#window - filled; i < this.#window; i++) {
      const at = (this.#pos + i) % this.#window;
      values.push(this.#values[at]!);
      keys.push(this.#recentKeys[at]!);
    }
    return {
      kind: 'pattern',
      options: { window: this.#window, segments: this.#segments, alphabet: this.#alphabet, binWidth: this.#binWidth, halfLife: this.#halfLife, threshold: this.#threshold, warmup: this.#warmup, transitionBuckets: this.#buckets },
      state: {
        values,
        keys,
        seen: this.#seen,
        windows: this.#windows,
        level: this.#level,
        variance: this.#variance,
        spread: this.#spread,
        increment: this.#increment,
        total: this.#total,
        shapes: sparse(this.#shapeCounts),
        predecessors: sparse(this.#predecessorCounts),
        transitions: sparse(this.#transitionCounts),
        last: Number.isFinite(this.#last) ? this.#last : null,
      },
    };
  }

  /** Rebuilds a detector from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: DetectorSnapshot): PatternDetector {
    if (snapshot.kind !== 'pattern') throw new SightlineError('ANOMALY_STATE_INVALID', `Not a pattern detector snapshot (kind ${JSON.stringify(snapshot.kind)})`, { kind: snapshot.kind });
    const detector = new PatternDetector(snapshot.options as PatternOptions);
    const s = snapshot.state as Record<string, unknown>;
    const problems: string[] = [];
    for (const name of ['seen', 'windows', 'level', 'variance', 'spread', 'increment', 'total']) if (typeof s[name] !== 'number' || !Number.isFinite(s[name])) problems.push(`state.${name} must be a finite number`);
    if (!(typeof s.last === 'number' || s.last === null)) problems.push('state.last must be a number or null');
    const values = numbers(s.values);
    const keys = numbers(s.keys);
    if (values === undefined || keys === undefined || values.length !== keys.length || values.length > detector.#window || (typeof s.seen === 'number' && values.length !== Math.min(s.seen, detector.#window))) problems.push('state.values and state.keys must be equal-length number arrays of min(seen, window) entries');
    if (keys?.some((k) => !Number.isInteger(k) || k < -1 || k >= detector.#keys)) problems.push(`state.keys must be shape keys in -1..${detector.#keys - 1}`);
    const tables: Array<[string, Float32Array]> = [['shapes', detector.#shapeCounts], ['predecessors', detector.#predecessorCounts], ['transitions', detector.#transitionCounts]];
    for (const [name, table] of tables) if (!loadSparse(s[name], table)) problems.push(`state.${name} must be [index, count] pairs within ${table.length} entries`);
    if (problems.length > 0) throw new SightlineError('ANOMALY_STATE_INVALID', `Not a valid pattern detector snapshot: ${problems.join('; ')}`, { kind: snapshot.kind, problems });
    // Values and keys go back in arrival order; the write position follows the last one.
    values!.forEach((v, i) => {
      detector.#values[i] = v;
      detector.#recentKeys[i] = keys![i]!;
    });
    detector.#pos = values!.length % detector.#window;
    detector.#seen = s.seen as number;
    detector.#windows = s.windows as number;
    detector.#level = s.level as number;
    detector.#variance = s.variance as number;
    detector.#spread = s.spread as number;
    detector.#increment = s.increment as number;
    detector.#total = s.total as number;
    detector.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    return detector;
  }
}

const USUAL_SHAPE = 'a usual shape';

function formatProbability(p: number): string {
  return p >= 0.001 ? `${(p * 100).toPrecision(2)}%` : p.toExponential(1);
}

function numbers(value: unknown): number[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (value as number[]) : undefined;
}

/** Non-zero entries as [index, value] pairs: most of a count table is empty. */
function sparse(table: Float32Array): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < table.length; i++) if (table[i] !== 0) pairs.push([i, table[i]!]);
  return pairs;
}

function loadSparse(value: unknown, table: Float32Array): boolean {
  if (!Array.isArray(value)) return false;
  for (const pair of value) {
    if (!Array.isArray(pair) || pair.length !== 2 || !Number.isInteger(pair[0]) || pair[0] < 0 || pair[0] >= table.length || typeof pair[1] !== 'number' || !(pair[1] >= 0)) return false;
    table[pair[0] as number] = pair[1];
  }
  return true;
}
