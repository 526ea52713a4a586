import { describe, expect, it } from '@jest/globals';
import { DailyPatternDetector } from './daily-pattern-detector.js';
import { restoreDetector } from './restore.js';

const STEP = 300_000; // 5 minutes
const PER_DAY = 288;
const HOUR = 3_600_000;

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/** 5-minute data: a night at 10, an afternoon peak of `peak` (0 on the days in `missing`), noise ±2, plus `drift` per day. */
function dailySeries(seed: number, days: number, options: { missing?: readonly number[]; peak?: number; drift?: number } = {}): { timestamp: number; value: number }[] {
  const rnd = random(seed);
  return Array.from({ length: days * PER_DAY }, (_, i) => {
    const day = Math.floor(i / PER_DAY);
    const hour = ((i * STEP) % (24 * HOUR)) / HOUR;
    const peak = options.missing?.includes(day) ? 0 : (options.peak ?? 50) * Math.max(0, Math.sin(((hour - 8) * Math.PI) / 12));
    return { timestamp: i * STEP, value: 10 + peak + (options.drift ?? 0) * (i / PER_DAY) + (rnd() + rnd() + rnd() + rnd() - 2) };
  });
}

const flagsByDay = (results: readonly { anomalous: boolean }[]) => Array.from({ length: Math.ceil(results.length / PER_DAY) }, (_, d) => results.slice(d * PER_DAY, (d + 1) * PER_DAY).filter((r) => r.anomalous).length);

describe('DailyPatternDetector', () => {
  it('warms up for two periods, then gives verdicts', () => {
    const d = new DailyPatternDetector();
    const results = dailySeries(1, 4).map((p) => d.update(p));
    expect(results.slice(0, 2 * PER_DAY).every((r) => r.warmingUp && r.score === 0 && !r.anomalous)).toBe(true);
    expect(results.slice(2 * PER_DAY + 1).every((r) => !r.warmingUp)).toBe(true);
  });

  it('flags the hours of a missing daily peak, and no hour of the usual days', () => {
    const d = new DailyPatternDetector();
    const series = dailySeries(2, 9, { missing: [6] });
    const results = series.map((p) => d.update(p));
    const flags = flagsByDay(results);
    expect(flags.slice(2, 6)).toEqual([0, 0, 0, 0]);
    expect(flags[6]).toBeGreaterThan(12); // at least an hour of the peak that did not come
    const first = results.findIndex((r) => r.anomalous);
    const hour = ((first * STEP) % (24 * HOUR)) / HOUR;
    expect(hour).toBeGreaterThan(8);
    expect(hour).toBeLessThan(14); // during the rise, not after the day has passed
    expect(results[first]!.reason).toMatch(/^the recent level is \d+(\.\d+)? below what this time of day usually is/);
    expect(results[first]!.score).toBeGreaterThanOrEqual(0.5);
    // What it expected: the peak, far above the value that arrived.
    expect(results[first]!.expected).toBeGreaterThan(series[first]!.value + 5);
    expect(results[first]!.lower).toBeGreaterThan(series[first]!.value);
  });

  it('pointDistance: NaN while warming up, then small for a usual value and large for a spike', () => {
    const d = new DailyPatternDetector();
    const series = dailySeries(5, 5);
    d.update(series[0]!);
    expect(d.pointDistance).toBeNaN();
    for (const p of series.slice(1, 4 * PER_DAY)) d.update(p);
    const usual = series.slice(4 * PER_DAY, 4 * PER_DAY + 200).map((p) => (d.update(p), d.pointDistance));
    expect(Math.max(...usual)).toBeLessThan(4);
    const noon = series[4 * PER_DAY + 200]!;
    d.update({ timestamp: noon.timestamp, value: noon.value + 40 });
    expect(d.pointDistance).toBeGreaterThan(10);
  });

  it('follows a slow drift and ignores a short burst of noise', () => {
    const d = new DailyPatternDetector();
    const series = dailySeries(3, 8, { drift: 5 });
    // A burst: six points of wide noise at noon on day 4 (not an anomaly of the daily pattern).
    const rnd = random(33);
    const noon = 4 * PER_DAY + 144;
    for (let i = noon; i < noon + 6; i++) series[i] = { ...series[i]!, value: series[i]!.value + 20 * (rnd() - 0.5) };
    const results = series.map((p) => d.update(p));
    expect(flagsByDay(results)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('scores stay in [0, 1), never NaN, on flat runs, zero counts, huge values and gaps', () => {
    const d = new DailyPatternDetector({ periodMs: 12 * STEP, buckets: 12, minPeriods: 1 });
    const failures: string[] = [];
    let t = 0;
    const feed = (value: number, step = STEP) => {
      t += step;
      const r = d.update({ timestamp: t, value });
      if (!(r.score >= 0 && r.score < 1) || Number.isNaN(r.expected)) failures.push(`${value} at ${t}: ${JSON.stringify(r)}`);
    };
    for (let i = 0; i < 500; i++) feed(0);
    feed(1e100);
    feed(-1e100);
    for (let i = 0; i < 100; i++) feed(i % 7 === 0 ? 1 : 0);
    feed(5, 30 * 24 * HOUR); // a month-long gap
    for (let i = 0; i < 100; i++) feed(42);
    expect(failures).toEqual([]);
  });

  it('property: a JSON round trip of the snapshot at any point continues identically', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const series = dailySeries(seed + 100, 4, { missing: [3] });
      const at = Math.floor(random(seed * 13)() * series.length);
      const a = new DailyPatternDetector(seed % 2 === 0 ? {} : { buckets: 48, memory: 3, threshold: 3 });
      for (const p of series.slice(0, at)) a.update(p);
      const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
      expect(b.name).toBe('daily_pattern');
      const after = series.slice(at);
      expect(after.map((p) => b.update(p))).toEqual(after.map((p) => a.update(p)));
    }
    // A fresh detector round-trips too.
    const fresh = new DailyPatternDetector();
    expect(DailyPatternDetector.restore(JSON.parse(JSON.stringify(fresh.snapshot()))).snapshot()).toEqual(fresh.snapshot());
  });

  it('rejects bad options all at once, bad points without changing state, and foreign state', () => {
    let error: unknown;
    try {
      new DailyPatternDetector({ periodMs: 10, buckets: 0, threshold: -1, memory: 0, minPeriods: 1.5, globalFloor: Number.NaN });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ANOMALY_OPTIONS_INVALID' });
    expect((error as { details: { problems: string[] } }).details.problems).toHaveLength(6);
    const d = new DailyPatternDetector();
    for (const p of dailySeries(4, 1)) d.update(p);
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update({ timestamp: 0, value: 1 })).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(() => d.update({ timestamp: 1e12, value: Number.POSITIVE_INFINITY })).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(JSON.stringify(d.snapshot())).toBe(before);
    const snapshot = d.snapshot();
    expect(() => DailyPatternDetector.restore({ ...snapshot, kind: 'pattern' })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
    expect(() => DailyPatternDetector.restore({ ...snapshot, state: { ...snapshot.state, usual: [1, 2] } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
    expect(() => DailyPatternDetector.restore({ ...snapshot, state: { ...snapshot.state, level: 'x', first: null } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
