// Ring buffer push and time-bucket add: rate against the field's peers in the same run, and heap
// growth across 10M operations (run with --expose-gc; `pnpm bench` does).
import { compare, formatBytes, heapUsed } from '@sightline/bench';
import { CircularBuffer } from 'mnemonist';
import { NumberRingBuffer, RingBuffer, TimeBuckets } from '../src/index.js';

const OPERATIONS = 10_000_000;
const CAPACITY = 1_024;

const ring = new RingBuffer<number>(CAPACITY);
const numberRing = new NumberRingBuffer(CAPACITY);
const mnemonistRing = new CircularBuffer<number>(Float64Array, CAPACITY);
const naive: number[] = [];

await compare(
  'ring buffer push (capacity 1,024, steady state: every push evicts)',
  [
    {
      name: 'Array push + shift (naive)',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          naive.push(i);
          if (naive.length > CAPACITY) naive.shift();
        }
      },
    },
    {
      name: 'mnemonist CircularBuffer(Float64Array)',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          if (mnemonistRing.size === CAPACITY) mnemonistRing.shift();
          mnemonistRing.push(i);
        }
      },
    },
    { name: 'RingBuffer<number>', run: (n) => { for (let i = 0; i < n; i++) ring.push(i); } },
    { name: 'NumberRingBuffer', run: (n) => { for (let i = 0; i < n; i++) numberRing.push(i); } },
  ],
  { operations: OPERATIONS, runs: 5 },
);

const buckets = new TimeBuckets({ bucketWidthMs: 60_000, bucketCount: 60 * 24 * 30, channels: 2 });
const naiveBuckets = new Map<number, [number, number]>();
let t = 0;
await compare(
  'time bucket add (1-minute buckets, 30 days retained, 2 channels; time advances 1 ms per op)',
  [
    {
      name: 'Map<minute, [good, total]> (naive)',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          const minute = Math.floor((t + i) / 60_000);
          const entry = naiveBuckets.get(minute);
          if (entry === undefined) naiveBuckets.set(minute, [1, 1]);
          else { entry[0]++; entry[1]++; }
        }
      },
    },
    {
      name: 'TimeBuckets.add x2',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          buckets.add(t, 1, 0);
          buckets.add(t, 1, 1);
          t++;
        }
      },
    },
  ],
  { operations: OPERATIONS, runs: 5 },
);

// Heap growth: 10M operations on already-constructed structures must not grow the heap.
const before = heapUsed();
for (let i = 0; i < OPERATIONS; i++) numberRing.push(i);
for (let i = 0; i < OPERATIONS; i++) ring.push(i);
for (let i = 0; i < OPERATIONS; i++) buckets.add(t++, 1, i & 1);
const after = heapUsed();
console.log(`\n## heap across 10M ops each (NumberRingBuffer, RingBuffer, TimeBuckets)`);
console.log(`before ${formatBytes(before)}, after ${formatBytes(after)}, growth ${formatBytes(after - before)}`);
