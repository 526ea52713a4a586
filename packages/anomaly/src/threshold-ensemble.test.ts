import { describe, expect, it } from '@jest/globals';
import { CusumDetector } from './cusum-detector.js';
import { EnsembleDetector } from './ensemble-detector.js';
import { restoreDetector } from './restore.js';
import { ThresholdDetector } from './threshold-detector.js';
import { IqrDetector } from './window-detectors.js';
import { ZScoreDetector } from './zscore-detector.js';

describe('ThresholdDetector', () => {
  it('flags values beyond the limits and changes faster than the rate limit', () => {
    const d = new ThresholdDetector({ max: 0.05, maxRatePerSecond: 10 });
    expect(d.update({ timestamp: 0, value: 0.01 }).anomalous).toBe(false);
    const high = d.update({ timestamp: 1_000, value: 0.1 });
    expect(high.anomalous).toBe(true);
    // excess 0.05 over a limit of 0.05: distance 1 + 1 = 2 limits, score 2 / 3
    expect(high.score).toBeCloseTo(2 / 3, 10);
    expect(high.reason).toBe('value 0.1 is above the limit 0.05');
    const fast = new ThresholdDetector({ maxRatePerSecond: 10 });
    fast.update({ timestamp: 0, value: 0 });
    expect(fast.update({ timestamp: 2_000, value: 30 }).reason).toMatch(/changed by 15\/s/);
  });

  it('refuses options that say nothing or contradict themselves', () => {
    expect(() => new ThresholdDetector({})).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
    expect(() => new ThresholdDetector({ min: 5, max: 1 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
  });
});

describe('EnsembleDetector', () => {
  const members = () => [new ZScoreDetector({ window: 10, warmup: 10 }), new IqrDetector({ window: 10, warmup: 10 }), new CusumDetector({ baseline: 10 })];
  const warm = (d: EnsembleDetector) => Array.from({ length: 10 }, (_, i) => d.update({ timestamp: i, value: 100 + (i % 3) }));

  it('votes k-of-n: one spike convinces the point detectors, not CUSUM', () => {
    const two = new EnsembleDetector(members(), { rule: 'vote', k: 2 });
    const three = new EnsembleDetector(members(), { rule: 'vote', k: 3 });
    warm(two);
    warm(three);
    expect(two.update({ timestamp: 20, value: 200 }).anomalous).toBe(true);
    // CUSUM needs the drift to accumulate past 5 sigma: 200 is ~122 sigma, so it also votes
    expect(three.update({ timestamp: 20, value: 200 }).anomalous).toBe(true);
    expect(two.update({ timestamp: 21, value: 101 }).anomalous).toBe(false);
  });

  it('combines with max and weighted mean, and restores with its members', () => {
    const max = new EnsembleDetector(members(), { rule: 'max' });
    const mean = new EnsembleDetector(members(), { rule: 'weighted_mean', weights: [1, 1, 0] });
    warm(max);
    warm(mean);
    const a = max.update({ timestamp: 20, value: 104 });
    const b = mean.update({ timestamp: 20, value: 104 });
    expect(a.score).toBeGreaterThanOrEqual(b.score);
    const restored = restoreDetector(JSON.parse(JSON.stringify(max.snapshot())));
    expect(restored.update({ timestamp: 21, value: 150 })).toEqual(max.update({ timestamp: 21, value: 150 }));
  });

  it('checks a point once so a bad point reaches no member', () => {
    const e = new EnsembleDetector(members());
    warm(e);
    const before = JSON.stringify(e.snapshot());
    expect(() => e.update({ timestamp: 5, value: 1 })).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(JSON.stringify(e.snapshot())).toBe(before);
    expect(() => new EnsembleDetector(members(), { rule: 'vote', k: 4 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
  });
});
