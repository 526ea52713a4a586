import { describe, expect, it } from '@jest/globals';
import { histogramGoodCount, meetsThreshold } from './threshold.js';

describe('meetsThreshold', () => {
  it('compares exactly, as OpenSLO op says: lt/gt strict, lte/gte inclusive, absent is lte', () => {
    const at500 = (op: 'lt' | 'lte' | 'gt' | 'gte' | undefined) => [499, 500, 501].map((v) => meetsThreshold(v, op, 500));
    expect(at500('lt')).toEqual([true, false, false]);
    expect(at500('lte')).toEqual([true, true, false]);
    expect(at500(undefined)).toEqual([true, true, false]);
    expect(at500('gt')).toEqual([false, false, true]);
    expect(at500('gte')).toEqual([false, true, true]);
  });
});

describe('histogramGoodCount', () => {
  // Cumulative: 10 values <= 250, 30 <= 500, 40 in all.
  const buckets = [
    { le: 250, count: 10 },
    { le: 500, count: 30 },
    { le: Number.POSITIVE_INFINITY, count: 40 },
  ];

  it('lte 500 counts the 30 values at most 500; lt 500 only the 10 certainly below (the 500 bucket may hold 500 itself)', () => {
    expect(histogramGoodCount(buckets, 'lte', 500)).toEqual({ good: 30, total: 40 });
    expect(histogramGoodCount(buckets, 'lt', 500)).toEqual({ good: 10, total: 40 });
  });

  it('gt 500 counts the 10 above the 500 bucket; gte 250 the 30 above the 250 bucket (250 itself counted bad, never better than certain)', () => {
    expect(histogramGoodCount(buckets, 'gt', 500)).toEqual({ good: 10, total: 40 });
    expect(histogramGoodCount(buckets, 'gte', 250)).toEqual({ good: 30, total: 40 });
    // A threshold inside a bucket: gt 300 can only be sure of the values above 500.
    expect(histogramGoodCount(buckets, 'gt', 300)).toEqual({ good: 10, total: 40 });
  });
});
