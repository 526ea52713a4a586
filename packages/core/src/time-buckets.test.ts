import { describe, expect, it } from '@jest/globals';
import { TimeBuckets } from './time-buckets.js';

const MINUTE = 60_000;

describe('TimeBuckets', () => {
  it('sums values per channel over the buckets that start in a range', () => {
    const buckets = new TimeBuckets({ bucketWidthMs: MINUTE, bucketCount: 10, channels: 2 });
    // minute 0: 3 events, 1 bad; minute 1: 2 events; minute 4: 5 events, 5 bad
    buckets.add(0, 3, 0);
    buckets.add(59_999, 1, 1);
    buckets.add(MINUTE, 2, 0);
    buckets.add(4 * MINUTE + 1, 5, 0);
    buckets.add(4 * MINUTE + 2, 5, 1);
    expect(buckets.sum(0, 5 * MINUTE, 0)).toBe(10);
    expect(buckets.sum(0, 5 * MINUTE, 1)).toBe(6);
    expect(buckets.sum(MINUTE, 4 * MINUTE, 0)).toBe(2); // minutes 1..3
    expect(buckets.sum(30_000, 2 * MINUTE, 0)).toBe(2); // bucket 0 starts before the range
  });

  it('forgets buckets that fall out of the retained span and refuses values older than it', () => {
    const buckets = new TimeBuckets({ bucketWidthMs: MINUTE, bucketCount: 3 });
    buckets.add(0, 1);
    buckets.add(MINUTE, 1);
    buckets.add(2 * MINUTE, 1);
    buckets.add(3 * MINUTE, 1); // reuses minute 0's slot
    expect(buckets.sum(0, 10 * MINUTE)).toBe(3);
    expect(buckets.add(0, 100)).toBe(false);
    expect(buckets.sum(0, 10 * MINUTE)).toBe(3);
    expect(buckets.add(MINUTE + 5, 1)).toBe(true); // still retained: late but in span
    expect(buckets.sum(MINUTE, 2 * MINUTE)).toBe(2);
  });

  it('treats skipped buckets as empty after a long gap', () => {
    const buckets = new TimeBuckets({ bucketWidthMs: 1_000, bucketCount: 4 });
    buckets.add(0, 5);
    buckets.add(1_000, 5);
    buckets.add(100_000, 1);
    expect(buckets.sum(0, 200_000)).toBe(1);
    expect(buckets.newestBucketStart).toBe(100_000);
  });

  it('is empty before the first value and after clear', () => {
    const buckets = new TimeBuckets({ bucketWidthMs: 1_000, bucketCount: 4 });
    expect(buckets.sum(0, 10_000)).toBe(0);
    buckets.add(500, 2);
    buckets.clear();
    expect(buckets.sum(0, 10_000)).toBe(0);
    expect(buckets.add(500, 1)).toBe(true);
  });

  it('refuses non-finite timestamps without changing state', () => {
    const buckets = new TimeBuckets({ bucketWidthMs: 1_000, bucketCount: 4 });
    buckets.add(500, 2);
    expect(buckets.add(Number.NaN, 1)).toBe(false);
    expect(buckets.add(Number.POSITIVE_INFINITY, 1)).toBe(false);
    expect(buckets.sum(0, 10_000)).toBe(2);
  });

  it('agrees with a brute-force model on a random stream', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const width = 1_000;
    const count = 20;
    const buckets = new TimeBuckets({ bucketWidthMs: width, bucketCount: count });
    const events: [number, number][] = [];
    let t = 0;
    for (let i = 0; i < 2_000; i++) {
      t += Math.floor(random() * 300);
      const value = Math.floor(random() * 10);
      buckets.add(t, value);
      events.push([t, value]);
    }
    const newest = Math.floor(t / width);
    const oldestRetained = (newest - count + 1) * width;
    for (let k = 0; k < 50; k++) {
      const from = oldestRetained + Math.floor(random() * count * width);
      const to = from + Math.floor(random() * count * width);
      const firstBucketStart = Math.ceil(from / width) * width;
      const expected = events
        .filter(([time]) => Math.floor(time / width) * width >= firstBucketStart && Math.floor(time / width) * width < to)
        .reduce((s, [, v]) => s + v, 0);
      expect(buckets.sum(from, to)).toBe(expected);
    }
  });

  it('reports every bad option at once', () => {
    expect(() => new TimeBuckets({ bucketWidthMs: 0, bucketCount: -1, channels: 0 })).toThrow(
      /bucketWidthMs.*bucketCount.*channels/,
    );
  });
});
