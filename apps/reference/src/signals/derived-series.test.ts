import { describe, expect, it } from '@jest/globals';
import { DerivedSeries, pointsOf } from './derived-series.js';
import type { RequestOutcome } from './span-outcome.js';

const at = (minute: number, second: number, durationMs: number, isError = false): RequestOutcome => ({
  service: 'checkout',
  operation: '/orders',
  timestamp: minute * 60_000 + second * 1_000,
  durationMs,
  isError,
});

describe('DerivedSeries', () => {
  it('emits rate, error ratio and p95 for a minute when the next minute starts', () => {
    const series = new DerivedSeries();
    // 20 requests in minute 0: 2 errors; 18 at 10 ms, 2 at 400 ms
    for (let i = 0; i < 18; i++) expect(series.add(at(0, i, 10))).toEqual([]);
    series.add(at(0, 40, 400, true));
    series.add(at(0, 41, 400, true));
    const points = series.add(at(1, 0, 10)).flatMap(pointsOf);
    expect(points.map((p) => [p.name, p.timestamp, p.value])).toEqual([
      ['request_rate', 0, 20 / 60],
      ['error_ratio', 0, 2 / 20],
      // rank ceil(0.95 * 20) = 19 falls in the 400 ms requests' bucket, bounded above by 500 ms
      ['latency_p95', 0, 500],
    ]);
    expect(points[0]?.labels).toEqual({ service: 'checkout', operation: '/orders' });
  });

  it('flushes quiet keys and caps the number of open keys', () => {
    const series = new DerivedSeries({ maxKeys: 1 });
    series.add(at(0, 1, 5));
    series.add({ ...at(0, 2, 5), operation: '/other' });
    expect(series.dropped).toBe(1);
    expect(series.flushBefore(30_000)).toEqual([]);
    expect(series.flushBefore(60_000).flatMap(pointsOf).map((p) => p.name)).toEqual(['request_rate', 'error_ratio', 'latency_p95']);
    expect(series.flushBefore(120_000)).toEqual([]);
  });

  it('ignores outcomes older than the open minute instead of reopening an emitted one', () => {
    const series = new DerivedSeries();
    series.add(at(0, 1, 5));
    series.add(at(1, 1, 5));
    expect(series.add(at(0, 59, 5))).toEqual([]);
  });
});
