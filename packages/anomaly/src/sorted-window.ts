import { NumberRingBuffer } from '@sightline/core';

/**
 * The last `capacity` values, kept both in arrival order (to know which leaves) and sorted (for
 * quantiles). Insert and removal are a binary search plus one `copyWithin`: O(log n + n) with a
 * small constant, no allocation.
 */
export class SortedWindow {
  readonly #arrival: NumberRingBuffer;
  readonly #sorted: Float64Array;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#arrival = new NumberRingBuffer(capacity);
    this.#sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(value: number): void {
    const evicted = this.#arrival.push(value);
    if (!Number.isNaN(evicted)) {
      const at = this.#lowerBound(evicted);
      this.#sorted.copyWithin(at, at + 1, this.#size);
      this.#size--;
    }
    const at = this.#lowerBound(value);
    this.#sorted.copyWithin(at + 1, at, this.#size);
    this.#sorted[at] = value;
    this.#size++;
  }

  /** Quantile `p` (0..1) with linear interpolation between closest ranks (type 7, as in R). */
  quantile(p: number): number {
    const h = (this.#size - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, this.#size - 1);
    return this.#sorted[lo]! + (h - lo) * (this.#sorted[hi]! - this.#sorted[lo]!);
  }

  /** Median absolute deviation from `center` (unscaled). */
  mad(center: number): number {
    const deviations = new Float64Array(this.#size);
    for (let i = 0; i < this.#size; i++) deviations[i] = Math.abs(this.#sorted[i]! - center);
    deviations.sort();
    const mid = this.#size >> 1;
    return this.#size % 2 === 1 ? deviations[mid]! : (deviations[mid - 1]! + deviations[mid]!) / 2;
  }

  /** Values in arrival order (for snapshots). */
  toArray(): number[] {
    return this.#arrival.toArray();
  }

  #lowerBound(value: number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
