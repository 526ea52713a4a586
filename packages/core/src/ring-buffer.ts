import { SightlineError } from './errors.js';

/**
 * A fixed-capacity FIFO that overwrites its oldest item when full. Storage is allocated once;
 * `push` allocates nothing, so it is safe on per-event hot paths.
 * @example
 * const last = new RingBuffer<number>(3);
 * last.push(1); last.push(2); last.push(3);
 * last.push(4); // returns 1, the evicted item
 * last.toArray(); // [2, 3, 4]
 */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    assertCapacity(capacity, 'RingBuffer');
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  get isFull(): boolean {
    return this.#size === this.capacity;
  }

  /** Appends `item`; when full, evicts and returns the oldest item, else returns `undefined`. */
  push(item: T): T | undefined {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size++;
      return undefined;
    }
    const evicted = this.#items[this.#start];
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#start];
    this.#items[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.capacity;
    this.#size--;
    return item;
  }

  /** Item at `index` from the oldest (0) to the newest (`size - 1`); negative counts from the newest. */
  at(index: number): T | undefined {
    const i = index < 0 ? this.#size + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#size) return undefined;
    return this.#items[(this.#start + i) % this.capacity];
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#size = 0;
  }

  /** A copy of the items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#items[(this.#start + i) % this.capacity] as T;
  }
}

/**
 * A {@link RingBuffer} specialised for numbers, backed by a `Float64Array`: no boxing, no
 * allocation per push. `push` returns the evicted value, or `NaN` while not yet full.
 */
export class NumberRingBuffer {
  readonly capacity: number;
  readonly #values: Float64Array;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    assertCapacity(capacity, 'NumberRingBuffer');
    this.capacity = capacity;
    this.#values = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get isFull(): boolean {
    return this.#size === this.capacity;
  }

  push(value: number): number {
    if (this.#size < this.capacity) {
      this.#values[(this.#start + this.#size) % this.capacity] = value;
      this.#size++;
      return Number.NaN;
    }
    const evicted = this.#values[this.#start] as number;
    this.#values[this.#start] = value;
    this.#start = this.#start + 1 === this.capacity ? 0 : this.#start + 1;
    return evicted;
  }

  /** Value at `index` from the oldest (0); negative counts from the newest; `NaN` out of range. */
  at(index: number): number {
    const i = index < 0 ? this.#size + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#size) return Number.NaN;
    return this.#values[(this.#start + i) % this.capacity] as number;
  }

  clear(): void {
    this.#start = 0;
    this.#size = 0;
  }

  /** A copy of the values, oldest first. */
  toArray(): number[] {
    const out = new Array<number>(this.#size);
    for (let i = 0; i < this.#size; i++) out[i] = this.#values[(this.#start + i) % this.capacity] as number;
    return out;
  }
}

function assertCapacity(capacity: number, what: string): void {
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new SightlineError('CAPACITY_INVALID', `${what}: capacity must be a positive integer, got ${capacity}`, { capacity });
  }
}
