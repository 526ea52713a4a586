import { describe, expect, it } from '@jest/globals';
import { ZScoreDetector } from './zscore-detector.js';
import { restoreDetector } from './restore.js';

const series = (values: number[], start = 0) => values.map((value, i) => ({ timestamp: start + i * 60_000, value }));

describe('ZScoreDetector', () => {
  it('warms up first, then scores a point against the window before it joins', () => {
    const d = new ZScoreDetector({ window: 4, warmup: 4, threshold: 3 });
    const points = series([10, 12, 10, 12, 20]);
    for (const p of points.slice(0, 4)) expect(d.update(p).warmingUp).toBe(true);
    // window [10,12,10,12]: mean 11, sample variance (1+1+1+1)/3 = 4/3, std 1.1547; z(20) = 9/1.1547 = 7.794
    const r = d.update(points[4]!);
    expect(r.warmingUp).toBe(false);
    expect(r.expected).toBe(11);
    expect(r.anomalous).toBe(true);
    expect(r.score).toBeCloseTo(7.794 / (7.794 + 3), 3);
    expect(r.upper).toBeCloseTo(11 + 3 * 1.1547, 3);
  });

  it('matches a from-scratch mean and standard deviation over a sliding window (Welford stays exact)', () => {
    const d = new ZScoreDetector({ window: 50, warmup: 50 });
    let seed = 3;
    const values = Array.from({ length: 2_000 }, () => 1e9 + ((seed = (seed * 48_271) % 2_147_483_647) % 1_000));
    values.forEach((value, i) => {
      const r = d.update({ timestamp: i, value });
      if (i >= 50) {
        const window = values.slice(i - 50, i);
        const mean = window.reduce((s, v) => s + v, 0) / 50;
        const std = Math.sqrt(window.reduce((s, v) => s + (v - mean) ** 2, 0) / 49);
        expect(r.expected).toBeCloseTo(mean, 4);
        expect(r.upper - r.expected).toBeCloseTo(3 * std, 3);
      }
    });
  });

  it('handles a flat series: the same value scores 0, a change is graded against the level, never 1', () => {
    const d = new ZScoreDetector({ window: 5, warmup: 5 });
    for (const p of series([7, 7, 7, 7, 7])) d.update(p);
    expect(d.update({ timestamp: 10 * 60_000, value: 7 }).score).toBe(0);
    const jump = d.update({ timestamp: 11 * 60_000, value: 8 });
    // never varied: spread floor = 0.001 × level 7 = 0.007; z = 1 / 0.007 = 142.857; score = z / (z + 3)
    expect(jump.score).toBeCloseTo(142.857 / 145.857, 4);
    expect(jump.score).toBeLessThan(1);
    expect(jump.anomalous).toBe(true);
  });

  it('floors the spread of a flat window by the long-run spread, so a square wave edge is not a certainty', () => {
    const d = new ZScoreDetector({ window: 10, warmup: 10, longRun: 1_000 });
    // square wave 0/10 with 20-point half periods: the window is flat for 10 points before each edge
    const values = Array.from({ length: 400 }, (_, i) => (Math.floor(i / 20) % 2 === 0 ? 0 : 10));
    const scores = series(values).map((p) => d.update(p).score);
    const edges = scores.filter((_, i) => i >= 100 && i % 20 === 0);
    expect(edges.length).toBeGreaterThan(10);
    // long-run mean 5, mean |x − 5| = 5 → sigma ≈ 5 × 1.2533 = 6.27; floor 0.25 × 6.27 = 1.57; z ≈ 10 / 1.57 = 6.4
    for (const score of edges) {
      expect(score).toBeGreaterThan(0.5);
      expect(score).toBeLessThan(0.75);
    }
  });

  it.each([
    ['NaN', { timestamp: 5, value: Number.NaN }],
    ['Infinity', { timestamp: 5, value: Number.POSITIVE_INFINITY }],
    ['an out-of-order timestamp', { timestamp: 1, value: 1 }],
    ['a duplicate timestamp', { timestamp: 2, value: 1 }],
  ])('rejects %s with ANOMALY_POINT_INVALID and keeps its state', (_name, bad) => {
    const d = new ZScoreDetector({ window: 3, warmup: 2 });
    d.update({ timestamp: 1, value: 1 });
    d.update({ timestamp: 2, value: 2 });
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update(bad)).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it('restores from a JSON round trip and then scores identically', () => {
    const a = new ZScoreDetector({ window: 20 });
    const points = series(Array.from({ length: 100 }, (_, i) => 50 + Math.sin(i) * 5 + (i === 80 ? 40 : 0)));
    for (const p of points.slice(0, 60)) a.update(p);
    const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
    for (const p of points.slice(60)) expect(b.update(p)).toEqual(a.update(p));
    expect(restoreDetector(JSON.parse(JSON.stringify(new ZScoreDetector().snapshot()))).update({ timestamp: 0, value: 1 }).warmingUp).toBe(true);
  });

  it('restores a snapshot from before the spread floor, rebuilding the long-run scale from its window', () => {
    const a = new ZScoreDetector({ window: 5, warmup: 5 });
    for (const p of series([7, 7, 7, 7, 7])) a.update(p);
    const { state, options } = a.snapshot();
    const { longRun: _state, ...oldState } = state;
    const { longRun: _l, scaleFloor: _s, levelFloor: _f, ...oldOptions } = options;
    const b = restoreDetector({ kind: 'zscore', options: oldOptions, state: oldState });
    // the window holds the whole history here, so the rebuilt scale is the same: identical results
    expect(b.update({ timestamp: 10 * 60_000, value: 8 })).toEqual(a.update({ timestamp: 10 * 60_000, value: 8 }));
  });

  it('rejects bad options and foreign state with clear codes', () => {
    expect(() => new ZScoreDetector({ window: 1 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
    for (const bad of [{ longRun: 0 }, { scaleFloor: -1 }, { levelFloor: Number.NaN }]) expect(() => new ZScoreDetector(bad)).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
    expect(() => restoreDetector({ kind: 'prophet', options: {}, state: {} })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
