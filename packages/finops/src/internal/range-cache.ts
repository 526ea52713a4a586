/**
 * A bounded hash table keyed by a character range of a larger string (`text[start, end)`), so a
 * cell of a CSV chunk can be looked up without first slicing it into a string of its own. Bills
 * repeat a few hundred distinct service names, regions, dates and tag sets millions of times:
 * looking them up in place removes one string allocation per cell, and the cached strings are
 * flat copies, so a record never pins the megabyte chunk its cell was read from.
 *
 * Open addressing with linear probing over a power-of-two table; when it holds `maxEntries`
 * entries it is cleared and refilled from the recent working set, so memory stays bounded for
 * columns with millions of distinct values (resource ids of a huge bill).
 */
export class RangeCache<V> {
  readonly #mask: number;
  readonly #maxEntries: number;
  /** Slot → hash (0 = empty; stored hashes are forced non-zero). */
  readonly #hashes: Int32Array;
  readonly #keys: (string | undefined)[];
  readonly #values: (V | undefined)[];
  #size = 0;
  /** The hash computed by the last {@link lookup}, reused by {@link insert}. */
  #lastHash = 0;

  constructor(maxEntries = 4_096) {
    let capacity = 16;
    while (capacity < maxEntries * 2) capacity *= 2;
    this.#mask = capacity - 1;
    this.#maxEntries = maxEntries;
    this.#hashes = new Int32Array(capacity);
    this.#keys = new Array<string | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
  }

  /** Index of the slot holding `text[start, end)`, or -1. Read the value with {@link valueAt}. */
  lookup(text: string, start: number, end: number): number {
    // FNV-1a over UTF-16 code units, with the length mixed in.
    let hash = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    if (hash === 0) hash = 1;
    this.#lastHash = hash;
    const length = end - start;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = this.#hashes[slot];
      if (stored === 0) return -1;
      if (stored !== hash) continue;
      const key = this.#keys[slot] as string;
      if (key.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (key.charCodeAt(i) !== text.charCodeAt(start + i)) {
          same = false;
          break;
        }
      }
      if (same) return slot;
    }
  }

  /** The value in a slot returned by {@link lookup}. */
  valueAt(slot: number): V {
    return this.#values[slot] as V;
  }

  /** Stores `value` under the key of the last missed {@link lookup}; `key` must equal that range. */
  insert(key: string, value: V): void {
    if (this.#size >= this.#maxEntries) this.#clear();
    const hash = this.#lastHash;
    const mask = this.#mask;
    let slot = hash & mask;
    while (this.#hashes[slot] !== 0) slot = (slot + 1) & mask;
    this.#hashes[slot] = hash;
    this.#keys[slot] = key;
    this.#values[slot] = value;
    this.#size++;
  }

  #clear(): void {
    this.#hashes.fill(0);
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#size = 0;
  }
}

/**
 * A flat copy of `text[start, end)`. V8 represents a substring of 13 or more characters as a
 * view that keeps the whole parent string alive; concatenating and slicing again makes the
 * parent a short temporary instead, so a kept cell does not pin its megabyte chunk.
 */
export function copyRange(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end);
  return `${text.slice(start, end)} `.slice(0, -1);
}
