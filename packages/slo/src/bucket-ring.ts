/**
 * Good and total event counts in fixed-width time buckets, in a ring that covers the last
 * `bucketCount × bucketMs`. Recording is O(1) and allocates nothing; a window sum is O(buckets
 * in the window). Memory is fixed at construction, whatever the event rate.
 */
export class BucketRing {
  readonly bucketMs: number;
  readonly bucketCount: number;
  readonly #good: Float64Array;
  readonly #total: Float64Array;
  /** Absolute index (epoch ms / bucketMs) of the newest bucket; -Infinity before any event. */
  #newest = Number.NEGATIVE_INFINITY;

  constructor(bucketMs: number, bucketCount: number) {
    this.bucketMs = bucketMs;
    this.bucketCount = bucketCount;
    this.#good = new Float64Array(bucketCount);
    this.#total = new Float64Array(bucketCount);
  }

  /** Absolute index of the newest bucket written, or -Infinity. */
  get newest(): number {
    return this.#newest;
  }

  /**
   * Adds counts at `at` (epoch ms). Returns false, recording nothing, when `at` is older than
   * the ring reaches (late data beyond the ring cannot be placed without corrupting a window).
   */
  add(at: number, good: number, total: number): boolean {
    const index = Math.floor(at / this.bucketMs);
    if (index > this.#newest) this.#advance(index);
    else if (index <= this.#newest - this.bucketCount) return false;
    let slot = index % this.bucketCount;
    // A negative index (before 1970) has a negative remainder: it must still land in a slot.
    if (slot < 0) slot += this.bucketCount;
    this.#good[slot]! += good;
    this.#total[slot]! += total;
    return true;
  }

  /**
   * Sums of the `buckets` newest buckets ending at absolute index `endIndex` (inclusive), clipped
   * to what the ring holds. Buckets after the newest written are empty.
   */
  sum(endIndex: number, buckets: number, out: { good: number; total: number }): void {
    let good = 0;
    let total = 0;
    const last = Math.min(endIndex, this.#newest);
    const first = Math.max(endIndex - buckets + 1, this.#newest - this.bucketCount + 1);
    for (let i = first; i <= last; i++) {
      let slot = i % this.bucketCount;
      if (slot < 0) slot += this.bucketCount;
      good += this.#good[slot]!;
      total += this.#total[slot]!;
    }
    out.good = good;
    out.total = total;
  }

  #advance(index: number): void {
    // Clear the buckets between the old newest and the new one: they had no events.
    const from = this.#newest === Number.NEGATIVE_INFINITY ? index - this.bucketCount + 1 : Math.max(this.#newest + 1, index - this.bucketCount + 1);
    for (let i = from; i <= index; i++) {
      const slot = ((i % this.bucketCount) + this.bucketCount) % this.bucketCount;
      this.#good[slot] = 0;
      this.#total[slot] = 0;
    }
    this.#newest = index;
  }

  /** Plain data for persistence; `restore` reads it back. */
  snapshot(): { bucketMs: number; newest: number; good: number[]; total: number[] } {
    return { bucketMs: this.bucketMs, newest: this.#newest, good: [...this.#good], total: [...this.#total] };
  }

  restore(state: { newest: number; good: readonly number[]; total: readonly number[] }): void {
    this.#newest = state.newest;
    this.#good.set(state.good.slice(0, this.bucketCount));
    this.#total.set(state.total.slice(0, this.bucketCount));
  }
}
