import { SightlineError } from './errors.js';

/** Options for {@link TimeBuckets}. */
export interface TimeBucketsOptions {
  /** Width of one bucket in milliseconds (e.g. 60_000 for one-minute buckets). */
  readonly bucketWidthMs: number;
  /** How many buckets are retained; the retained span is `bucketWidthMs * bucketCount`. */
  readonly bucketCount: number;
  /** Parallel values per bucket (e.g. 2 for good and total events). Default 1. */
  readonly channels?: number;
}

/**
 * Fixed-width time buckets in a ring: sums of values per bucket over a bounded span of time.
 * Memory is `bucketCount * channels` doubles whatever the event rate; `add` is O(1) and
 * allocation-free; `sum` is O(buckets in the range).
 *
 * Bucket `i` covers `[i * width, (i + 1) * width)` in epoch ms. A bucket is reused (zeroed) when
 * time moves a whole span past it. Values older than the retained span are refused (`add`
 * returns `false`) rather than folded into the wrong bucket.
 * @example
 * const perMinute = new TimeBuckets({ bucketWidthMs: 60_000, bucketCount: 60, channels: 2 });
 * perMinute.add(clock.now(), 1, 0); // one good event
 * perMinute.add(clock.now(), 1, 1); // one event in total
 * perMinute.sum(clock.now() - 300_000, clock.now() + 1, 1); // events in the last 5 minutes
 */
export class TimeBuckets {
  readonly bucketWidthMs: number;
  readonly bucketCount: number;
  readonly channels: number;
  readonly #bucketIndex: Float64Array;
  readonly #values: Float64Array;
  #newest = Number.NEGATIVE_INFINITY;

  constructor(options: TimeBucketsOptions) {
    const { bucketWidthMs, bucketCount, channels = 1 } = options;
    const bad: string[] = [];
    if (!Number.isSafeInteger(bucketWidthMs) || bucketWidthMs < 1) bad.push(`bucketWidthMs must be a positive integer (got ${bucketWidthMs})`);
    if (!Number.isSafeInteger(bucketCount) || bucketCount < 1) bad.push(`bucketCount must be a positive integer (got ${bucketCount})`);
    if (!Number.isSafeInteger(channels) || channels < 1) bad.push(`channels must be a positive integer (got ${channels})`);
    if (bad.length > 0) throw new SightlineError('TIME_BUCKETS_INVALID', `TimeBuckets: ${bad.join('; ')}`, { problems: bad });
    this.bucketWidthMs = bucketWidthMs;
    this.bucketCount = bucketCount;
    this.channels = channels;
    this.#bucketIndex = new Float64Array(bucketCount).fill(Number.NaN);
    this.#values = new Float64Array(bucketCount * channels);
  }

  /** Start (epoch ms) of the newest bucket written, or `-Infinity` before the first `add`. */
  get newestBucketStart(): number {
    return this.#newest * this.bucketWidthMs;
  }

  /**
   * Adds `value` to `channel` of the bucket holding `timestampMs`.
   * @returns `false` (and changes nothing) when the timestamp is older than the retained span
   *   or not finite; `true` otherwise.
   */
  add(timestampMs: number, value: number, channel = 0): boolean {
    const index = Math.floor(timestampMs / this.bucketWidthMs);
    if (!(index > this.#newest - this.bucketCount) || !Number.isFinite(index)) return false;
    const slot = this.#slotOf(index);
    if (this.#bucketIndex[slot] !== index) {
      this.#bucketIndex[slot] = index;
      this.#values.fill(0, slot * this.channels, slot * this.channels + this.channels);
    }
    this.#values[slot * this.channels + channel]! += value;
    if (index > this.#newest) this.#newest = index;
    return true;
  }

  /**
   * Sum of `channel` over the buckets that start in `[fromMs, toMs)`, limited to what is still
   * retained. Buckets never written count as zero.
   */
  sum(fromMs: number, toMs: number, channel = 0): number {
    if (this.#newest === Number.NEGATIVE_INFINITY) return 0;
    const first = Math.max(Math.ceil(fromMs / this.bucketWidthMs), this.#newest - this.bucketCount + 1);
    const last = Math.min(Math.ceil(toMs / this.bucketWidthMs) - 1, this.#newest);
    let total = 0;
    for (let index = first; index <= last; index++) {
      const slot = this.#slotOf(index);
      if (this.#bucketIndex[slot] === index) total += this.#values[slot * this.channels + channel]!;
    }
    return total;
  }

  /** Forgets every value. */
  clear(): void {
    this.#bucketIndex.fill(Number.NaN);
    this.#values.fill(0);
    this.#newest = Number.NEGATIVE_INFINITY;
  }

  #slotOf(index: number): number {
    const slot = index % this.bucketCount;
    return slot < 0 ? slot + this.bucketCount : slot;
  }
}
