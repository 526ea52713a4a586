import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '@sightline/core';
import { IsolationForestDetector } from './isolation-forest-detector.js';

function seededNormal(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** CPU %, memory %, p95 ms, error %, rps of one service: correlated and noisy. */
function normalPoint(random: () => number, timestamp: number) {
  const load = 0.5 + 0.2 * random();
  return { timestamp, values: [40 * load + 2 * random(), 30 + 5 * random(), 100 + 80 * load + 5 * random(), 0.5 + 0.2 * random(), 200 * load + 10 * random()] };
}

describe('IsolationForestDetector', () => {
  it('scores planted multivariate outliers above normal points', () => {
    const random = seededNormal(7);
    const d = new IsolationForestDetector({ window: 1_024, sampleSize: 256, trees: 100, retrainEvery: 256 });
    let t = 0;
    for (let i = 0; i < 600; i++) d.update(normalPoint(random, (t += 60_000)));
    const normal = Array.from({ length: 50 }, () => d.update(normalPoint(random, (t += 60_000))).score);
    // high CPU with low traffic: each metric alone is in range, together they are not
    const odd = d.update({ timestamp: (t += 60_000), values: [38, 33, 110, 0.6, 40] });
    const wild = d.update({ timestamp: (t += 60_000), values: [95, 90, 900, 12, 5] });
    expect(wild.anomalous).toBe(true);
    expect(wild.score).toBeGreaterThan(0.5);
    expect(odd.score).toBeGreaterThan(Math.max(...normal));
    expect(normal.filter((s) => s >= 0.5).length).toBeLessThanOrEqual(3);
  });

  it('is reproducible for a seed and restores to identical scores', () => {
    const run = () => {
      const random = seededNormal(3);
      const d = new IsolationForestDetector({ window: 256, sampleSize: 64, trees: 20, retrainEvery: 64, seed: 42 });
      const points = Array.from({ length: 300 }, (_, i) => normalPoint(random, i * 1_000));
      return { d, points };
    };
    const a = run();
    const b = run();
    const scoresA = a.points.slice(0, 200).map((p) => a.d.update(p).score);
    const scoresB = b.points.slice(0, 200).map((p) => b.d.update(p).score);
    expect(scoresA).toEqual(scoresB);
    const restored = IsolationForestDetector.restore(JSON.parse(JSON.stringify(a.d.snapshot())));
    for (const p of a.points.slice(200)) expect(restored.update(p)).toEqual(a.d.update(p));
  });

  it('refuses points of the wrong width, non-finite values and out-of-order times', () => {
    const d = new IsolationForestDetector({ sampleSize: 4, window: 8 });
    d.update({ timestamp: 1, values: [1, 2] });
    for (const bad of [{ timestamp: 2, values: [1] }, { timestamp: 2, values: [1, Number.NaN] }, { timestamp: 1, values: [1, 2] }]) {
      expect(() => d.update(bad)).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    }
    expect(() => new IsolationForestDetector({ threshold: 0.4 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
  });
});
