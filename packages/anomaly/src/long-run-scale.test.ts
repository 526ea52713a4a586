import { describe, expect, it } from '@jest/globals';
import { SeededRandom, type TimeSeriesPoint } from '@sightline/core';
import type { Detector } from './detector.js';
import { LongRunScale } from './long-run-scale.js';
import { IqrDetector, RobustZScoreDetector } from './window-detectors.js';
import { ZScoreDetector } from './zscore-detector.js';

// Property tests with a seeded generator: fast-check is not a dependency of this package, so each
// property draws its cases from SeededRandom (reproducible: a failure names its seed).
const CASES = 100;

type Make = (random: SeededRandom) => Detector;
const pick = (random: SeededRandom, min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
const detectors: [string, Make][] = [
  ['zscore', (r) => new ZScoreDetector({ window: pick(r, 5, 80), warmup: 5 })],
  ['robust_zscore', (r) => new RobustZScoreDetector({ window: pick(r, 5, 80), warmup: 5 })],
  ['iqr', (r) => new IqrDetector({ window: pick(r, 5, 80), warmup: 5 })],
];

/** A series of random segments with the traits of real operational data, flat runs among them. */
function messySeries(random: SeededRandom): number[] {
  const values: number[] = [];
  const scale = 10 ** pick(random, -3, 9);
  while (values.length < 400) {
    const length = pick(random, 1, 120);
    const level = random.next() < 0.3 ? 0 : (random.next() - 0.3) * scale;
    const kind = pick(random, 0, 4);
    for (let i = 0; i < length; i++) {
      if (kind === 0) values.push(level); // flat run
      else if (kind === 1) values.push(Math.floor(random.next() * 3)); // small integer counts, zeros
      else if (kind === 2) values.push(Math.floor(i / 7) % 2 === 0 ? level : level + scale); // square wave
      else if (kind === 3) values.push(level + (random.next() - 0.5) * scale * 0.01); // noise
      else values.push(random.next() < 0.05 ? level + scale * 100 : level); // flat with rare spikes
    }
  }
  return values;
}

const feed = (detector: Detector, values: number[], start = 0) => values.map((value, i): number => detector.update({ timestamp: start + i, value } satisfies TimeSeriesPoint).score);

describe('calibrated scores (property tests)', () => {
  it.each(detectors)('%s never returns a score of exactly 1 or NaN on series with flat runs', (_name, make) => {
    for (let seed = 1; seed <= CASES; seed++) {
      const random = new SeededRandom(seed);
      const scores = feed(make(random), messySeries(random));
      const bad = scores.findIndex((s) => !(s >= 0 && s < 1));
      expect({ seed, at: bad, score: scores[bad] }).toEqual({ seed, at: -1, score: undefined });
    }
  });

  it.each(detectors)('%s: a tiny change after a flat run does not score near 1', (_name, make) => {
    for (let seed = 1; seed <= CASES; seed++) {
      const random = new SeededRandom(seed);
      const detector = make(random);
      const level = random.next() < 0.2 ? 1e-3 : (random.next() - 0.5) * 10 ** pick(random, 0, 9);
      // Half the cases start with noise of amplitude A around the level; the change is then
      // at most 1% of A. Without a history, it is at most 0.01% of the level.
      const amplitude = random.next() < 0.5 ? Math.abs(level) * random.next() : 0;
      const history = amplitude > 0 ? Array.from({ length: pick(random, 50, 300) }, () => level + (random.next() * 2 - 1) * amplitude) : [];
      const flat = Array.from({ length: pick(random, 80, 200) }, () => level);
      const tiny = (random.next() * 2 - 1) * (amplitude > 0 ? 0.01 * amplitude : 1e-4 * Math.abs(level));
      const scores = feed(detector, [...history, ...flat, level + tiny]);
      expect({ seed, score: scores.at(-1)! < 0.2 }).toEqual({ seed, score: true });
    }
  });
});

describe('LongRunScale', () => {
  it('is the mean absolute deviation scaled to sigma, times the scale floor', () => {
    const scale = new LongRunScale(100, 0.5, 0.001);
    for (const v of [0, 10, 0, 10]) scale.push(v);
    // means: 0 → 5 → 3.33 → 5; |x − mean before|: 10, 5, 6.67 averaged over 2, 3, 4 points (first has none)
    // mad after 2: 10/2 = 5; after 3: 5 + (5 − 5)/3 = 5; after 4: 5 + (6.667 − 5)/4 = 5.4167
    expect(scale.floor()).toBeCloseTo(0.5 * 5.4167 * 1.2533, 3);
  });

  it('clips a spike when learning, so one outlier does not inflate the floor', () => {
    const clipped = new LongRunScale(1_000, 1, 0);
    for (let i = 0; i < 100; i++) clipped.push(i % 2);
    const before = clipped.floor();
    clipped.push(1e9);
    // the spike counts as at most 5 mean absolute deviations: the floor grows by well under 10%
    expect(clipped.floor()).toBeLessThan(before * 1.1);
  });

  it('uses a fraction of the level while the series has never varied, and 1e-9 for a series of zeros', () => {
    const flat = new LongRunScale(100, 0.25, 0.001);
    for (let i = 0; i < 10; i++) flat.push(-500);
    expect(flat.floor()).toBeCloseTo(0.5, 9);
    const zeros = new LongRunScale(100, 0.25, 0.001);
    zeros.push(0);
    expect(zeros.floor()).toBe(1e-9);
  });

  it('starts to forget after longRun points', () => {
    const scale = new LongRunScale(10, 1, 0);
    for (let i = 0; i < 10; i++) scale.push(i % 2 === 0 ? 0 : 100);
    const noisy = scale.floor();
    for (let i = 0; i < 100; i++) scale.push(50);
    // weight 1/10 per point: 100 flat points shrink the spread by 0.9^100
    expect(scale.floor()).toBeLessThan(noisy * 0.001);
  });
});
