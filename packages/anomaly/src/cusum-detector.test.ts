import { describe, expect, it } from '@jest/globals';
import { CusumDetector } from './cusum-detector.js';
import { restoreDetector } from './restore.js';

describe('CusumDetector', () => {
  it('reports a level shift once, then re-baselines and accepts the new level', () => {
    const d = new CusumDetector({ baseline: 10, slack: 0.5, threshold: 5 });
    // baseline alternates 99/101: mean 100, sample std sqrt(10/9) = 1.054
    let t = 0;
    for (let i = 0; i < 10; i++) d.update({ timestamp: t++, value: i % 2 === 0 ? 99 : 101 });
    // a shift to 104 adds (104-100)/1.054 - 0.5 = 3.295 per point: crosses 5 on the second point
    const first = d.update({ timestamp: t++, value: 104 });
    expect(first.anomalous).toBe(false);
    const second = d.update({ timestamp: t++, value: 104 });
    expect(second.anomalous).toBe(true);
    expect(second.reason).toMatch(/shifted up from 100/);
    const after = Array.from({ length: 30 }, () => d.update({ timestamp: t++, value: 104 }));
    expect(after.filter((r) => r.anomalous)).toEqual([]);
    expect(after[after.length - 1]?.expected).toBe(104);
  });

  it('keeps false alarms on in-control noise under 1% (CUSUM k = 0.5, h = 5)', () => {
    const d = new CusumDetector({ baseline: 20 });
    let seed = 11;
    const noise = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647 - 0.5) * 2;
    const results = Array.from({ length: 500 }, (_, i) => d.update({ timestamp: i, value: 50 + noise() }));
    expect(results.filter((r) => r.anomalous).length).toBeLessThanOrEqual(5);
  });

  it('restores and continues identically', () => {
    const a = new CusumDetector({ baseline: 5 });
    const points = [1, 2, 1, 2, 1, 1.5, 1.5, 9, 9, 9, 9, 1].map((value, timestamp) => ({ timestamp, value }));
    for (const p of points.slice(0, 6)) a.update(p);
    const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
    for (const p of points.slice(6)) expect(b.update(p)).toEqual(a.update(p));
  });
});
