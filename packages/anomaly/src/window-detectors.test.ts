import { describe, expect, it } from '@jest/globals';
import { restoreDetector } from './restore.js';
import { SortedWindow } from './sorted-window.js';
import { ThresholdDetector } from './threshold-detector.js';
import { IqrDetector, RobustZScoreDetector } from './window-detectors.js';

const feed = (detector: { update: (p: { timestamp: number; value: number }) => unknown }, values: number[]) => values.forEach((value, timestamp) => detector.update({ timestamp, value }));

describe('SortedWindow', () => {
  it('keeps the last values sorted and computes type-7 quantiles and the MAD', () => {
    const w = new SortedWindow(5);
    for (const v of [5, 1, 4, 2, 3, 10]) w.push(v); // 5 leaves: window 1 4 2 3 10
    expect(w.toArray()).toEqual([1, 4, 2, 3, 10]);
    expect(w.quantile(0.5)).toBe(3);
    expect(w.quantile(0.25)).toBe(2);
    expect(w.quantile(0.75)).toBe(4);
    // |x - 3| = 2 1 1 0 7 → sorted 0 1 1 2 7 → MAD 1
    expect(w.mad(3)).toBe(1);
  });
});

describe('RobustZScoreDetector', () => {
  it('scores by median and scaled MAD, so earlier spikes do not widen the band', () => {
    const d = new RobustZScoreDetector({ window: 9, warmup: 9 });
    // window 10 11 12 10 11 12 10 500 11: median 11, deviations 1 0 1 1 0 1 1 489 0 → MAD 1, sigma 1.4826
    feed(d, [10, 11, 12, 10, 11, 12, 10, 500, 11]);
    const r = d.update({ timestamp: 100, value: 17 });
    // (17 - 11) / 1.4826 = 4.047 >= 3.5
    expect(r.expected).toBe(11);
    expect(r.anomalous).toBe(true);
    expect(r.score).toBeCloseTo(4.047 / (4.047 + 3.5), 3);
    expect(d.update({ timestamp: 101, value: 13 }).anomalous).toBe(false);
  });
});

describe('window detectors on a flat window', () => {
  it.each([
    ['robust_zscore', () => new RobustZScoreDetector({ window: 8, warmup: 8 })],
    ['iqr', () => new IqrDetector({ window: 8, warmup: 8 })],
  ] as const)('%s grades a change after a flat window by the long-run spread instead of scoring 1', (_name, make) => {
    const d = make();
    // noise 0/4 for 40 points, then 8 flat points at 2, then 6
    const values = [...Array.from({ length: 40 }, (_, i) => (i % 2) * 4), ...Array<number>(8).fill(2), 6];
    const results = values.map((value, timestamp) => d.update({ timestamp, value }));
    const last = results.at(-1)!;
    // long-run |x − mean| ≈ 2, sigma ≈ 2.5, floor ≈ 0.63: 4 away is about 6 floors (5 IQR floors): flagged, not certain
    expect(last.anomalous).toBe(true);
    expect(last.score).toBeGreaterThan(0.5);
    expect(last.score).toBeLessThan(0.85);
  });
});

describe('IqrDetector', () => {
  it("flags points outside Tukey's fences", () => {
    const d = new IqrDetector({ window: 8, warmup: 8 });
    feed(d, [1, 2, 3, 4, 5, 6, 7, 8]);
    // Q1 = 2.75, Q3 = 6.25, IQR = 3.5: fences -2.5 and 11.5
    const inside = d.update({ timestamp: 10, value: 11.5 });
    expect([inside.lower, inside.upper, inside.anomalous]).toEqual([-2.5, 11.5, false]);
    expect(d.update({ timestamp: 11, value: 30 }).anomalous).toBe(true);
  });

  it('restores from a JSON snapshot and continues identically', () => {
    const a = new IqrDetector({ window: 10, warmup: 5 });
    const values = [3, 4, 3, 5, 4, 3, 20, 4, 5, 3, 4, 40, 3];
    values.slice(0, 7).forEach((value, timestamp) => a.update({ timestamp, value }));
    const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
    values.slice(7).forEach((value, i) => expect(b.update({ timestamp: 7 + i, value })).toEqual(a.update({ timestamp: 7 + i, value })));
  });

  it('rejects bad options', () => {
    expect(() => new IqrDetector({ window: 3 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
    expect(() => new RobustZScoreDetector({ longRun: 1.5 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
    expect(() => RobustZScoreDetector.restore({ kind: 'iqr', options: {}, state: { values: [], last: null } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});

describe('every detector restores to identical results', () => {
  it.each([
    ['robust_zscore', () => new RobustZScoreDetector({ window: 10, warmup: 5 })],
    ['threshold', () => new ThresholdDetector({ min: 2, max: 30, maxRatePerSecond: 5 })],
  ] as const)('%s', (_name, make) => {
    const a = make();
    const values = [3, 4, 3, 5, 4, 3, 20, 4, 5, 3, 4, 40, 3, 1, 4];
    values.slice(0, 7).forEach((value, i) => a.update({ timestamp: i * 1_000, value }));
    const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
    values.slice(7).forEach((value, i) => expect(b.update({ timestamp: (7 + i) * 1_000, value })).toEqual(a.update({ timestamp: (7 + i) * 1_000, value })));
  });
});
