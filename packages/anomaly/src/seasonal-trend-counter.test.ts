import { describe, expect, it } from '@jest/globals';
import { CounterRate } from './counter-rate.js';
import { restoreDetector } from './restore.js';
import { SeasonalDetector } from './seasonal-detector.js';
import { classifyTrend } from './trend.js';
import { ZScoreDetector } from './zscore-detector.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Requests per second with a daily peak at 14:00 (from 100 at night to 500), and small noise. */
const daily = (t: number, i: number) => 300 - 200 * Math.cos((2 * Math.PI * (t % DAY - 2 * HOUR)) / DAY) + ((i * 7) % 11) - 5;

describe('SeasonalDetector', () => {
  it('expects the daily peak that a z-score flags, and flags a drop at peak time', () => {
    const seasonal = new SeasonalDetector({ periodMs: DAY, bucketMs: HOUR, seasons: 4, minSeasons: 2 });
    const zscore = new ZScoreDetector({ window: 6, warmup: 6 });
    const seasonalAlarms: number[] = [];
    const zAlarms: number[] = [];
    for (let i = 0; i < 24 * 5; i++) {
      const t = i * HOUR;
      const value = daily(t, i);
      if (seasonal.update({ timestamp: t, value }).anomalous) seasonalAlarms.push(i);
      if (zscore.update({ timestamp: t, value }).anomalous) zAlarms.push(i);
    }
    expect(seasonalAlarms).toEqual([]);
    expect(zAlarms.length).toBeGreaterThan(0); // the rising morning looks anomalous to a short window
    // day 6, 14:00: traffic at night level instead of the peak
    const drop = seasonal.update({ timestamp: 5 * DAY + 14 * HOUR, value: 120 });
    expect(drop.anomalous).toBe(true);
    expect(drop.expected).toBeGreaterThan(480);
  });

  it('warms up per phase until it has seen enough seasons, and restores identically', () => {
    const a = new SeasonalDetector({ periodMs: DAY, bucketMs: HOUR, minSeasons: 2 });
    const results = Array.from({ length: 24 * 2 }, (_, i) => a.update({ timestamp: i * HOUR, value: daily(i * HOUR, i) }));
    expect(results.every((r) => r.warmingUp)).toBe(true);
    const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 48; i < 72; i++) expect(b.update({ timestamp: i * HOUR, value: daily(i * HOUR, i) })).toEqual(a.update({ timestamp: i * HOUR, value: daily(i * HOUR, i) }));
  });

  it('refuses a period that is not a multiple of the bucket', () => {
    expect(() => new SeasonalDetector({ periodMs: DAY, bucketMs: 7 * 60_000 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
  });
});

describe('classifyTrend', () => {
  const line = (slope: number) => Array.from({ length: 10 }, (_, i) => ({ timestamp: i * HOUR, value: 100 + slope * i }));
  it('classifies by slope and by which direction is better', () => {
    // +5 per hour over 9 hours on a mean level of 122.5: +36.7% → a trend
    expect(classifyTrend(line(5), { higherIsBetter: false }).trend).toBe('degrading');
    expect(classifyTrend(line(5), { higherIsBetter: true }).trend).toBe('improving');
    expect(classifyTrend(line(0.5), { higherIsBetter: true }).trend).toBe('stable');
    expect(classifyTrend(line(5), { higherIsBetter: true }).relativeChange).toBeCloseTo(45 / 122.5, 10);
  });
});

describe('CounterRate', () => {
  it('turns a cumulative counter into a rate and treats a drop as a reset', () => {
    const rate = new CounterRate();
    expect(rate.next({ timestamp: 0, value: 100 })).toBeUndefined();
    expect(rate.next({ timestamp: 10_000, value: 150 })?.value).toBe(5);
    // the process restarted: the counter is at 20 after the reset, so 20 happened in 10 s
    expect(rate.next({ timestamp: 20_000, value: 20 })?.value).toBe(2);
    expect(rate.resets).toBe(1);
  });
});
