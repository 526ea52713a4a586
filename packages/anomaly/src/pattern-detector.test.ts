import { describe, expect, it } from '@jest/globals';
import { PatternDetector } from './pattern-detector.js';
import { restoreDetector } from './restore.js';

/** Park–Miller generator: the same series on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/**
 * A seeded series of the kinds real operational data has: flat runs, zero runs with rare counts,
 * square waves, noise, spikes and level shifts, at a random offset and scale. (fast-check is not a
 * dependency of this package; these properties run over seeded cases instead.)
 */
function operationalSeries(seed: number, length: number): number[] {
  const rnd = random(seed);
  const offset = [0, 1, 1e6, -50][Math.floor(rnd() * 4)]!;
  const scale = [1, 0.001, 1_000][Math.floor(rnd() * 3)]!;
  const values: number[] = [];
  while (values.length < length) {
    const kind = Math.floor(rnd() * 6);
    const run = 20 + Math.floor(rnd() * 300);
    const level = Math.floor(rnd() * 10);
    for (let i = 0; i < run; i++) {
      const v =
        kind === 0 ? level // flat
        : kind === 1 ? (rnd() < 0.02 ? 1 + Math.floor(rnd() * 3) : 0) // zero counts
        : kind === 2 ? (i % 20 < 10 ? level : 0) // square wave
        : kind === 3 ? level + rnd() - 0.5 // noise
        : kind === 4 ? (rnd() < 0.01 ? level + 100 : level) // spikes
        : level + (i > run / 2 ? 5 : 0); // level shift
      values.push(offset + v * scale);
    }
  }
  return values.slice(0, length);
}

const points = (values: readonly number[]) => values.map((value, i) => ({ timestamp: 1_000 + i * 300_000, value }));

describe('PatternDetector', () => {
  it('warms up, then scores a flat series near 0 (its one shape is the usual one)', () => {
    const d = new PatternDetector({ warmup: 100 });
    const results = points(Array.from({ length: 300 }, () => 7)).map((p) => d.update(p));
    expect(results.slice(0, 99).every((r) => r.warmingUp && r.score === 0)).toBe(true);
    const scored = results.slice(99);
    expect(scored.every((r) => !r.warmingUp && !r.anomalous)).toBe(true);
    // One shape seen on every one of n windows: its rarity is (n + prior) / (n + prior) = 1, so the
    // score is threshold / (threshold + 1) = 0.002 / 1.002.
    expect(scored.at(-1)!.score).toBeCloseTo(0.002 / 1.002, 6);
  });

  it('scores a square wave whose duty cycle changes higher than the usual cycles', () => {
    // Period 40: high for 20 points, then (from point 5,000 for 200 points) high for 30.
    const values = Array.from({ length: 6_000 }, (_, i) => (i % 40 < (i >= 5_000 && i < 5_200 ? 30 : 20) ? 1 : 0));
    const d = new PatternDetector();
    const scores = points(values).map((p) => d.update(p).score);
    const usual = Math.max(...scores.slice(2_000, 5_000));
    const novel = Math.max(...scores.slice(5_000, 5_220));
    // Usual: the rarest shape of the cycle still covers 1 of 40 windows, p ≈ 0.025 → score ≈ 0.002 / 0.027 ≈ 0.07.
    expect(usual).toBeLessThan(0.1);
    expect(novel).toBeGreaterThan(0.3);
    expect(novel).toBeGreaterThan(4 * usual);
  });

  it('flags a shape never seen before and learns it when it becomes the usual one', () => {
    // Noise-free sine (period 48), then a sharp saw tooth (period 12) from point 3,000.
    const values = Array.from({ length: 9_000 }, (_, i) => (i < 3_000 ? 10 * Math.sin((2 * Math.PI * i) / 48) : i % 12 < 6 ? 10 : -10));
    const d = new PatternDetector({ halfLife: 500 });
    const results = points(values).map((p) => d.update(p));
    expect(results.slice(3_000, 3_020).some((r) => r.anomalous)).toBe(true);
    expect(results.slice(3_000, 3_020).find((r) => r.anomalous)!.reason).toMatch(/^the last 12 points make a shape \([a-c]{4}\) with probability/);
    // Six half-lives later the new shapes are the usual ones.
    expect(results.slice(6_000).every((r) => !r.anomalous)).toBe(true);
  });

  it('is calibrated on noise: the threshold (p-value 0.002) flags well under 1% of Gaussian noise', () => {
    const rnd = random(7);
    const d = new PatternDetector();
    let flagged = 0;
    let scored = 0;
    for (let i = 0; i < 20_000; i++) {
      // Sum of 12 uniforms − 6: mean 0, variance 1.
      let x = -6;
      for (let k = 0; k < 12; k++) x += rnd();
      const r = d.update({ timestamp: i, value: x });
      if (!r.warmingUp) {
        scored++;
        if (r.anomalous) flagged++;
      }
    }
    // A calibrated p-value would flag 0.2%; shapes seen for the first time early on add a little.
    expect(flagged / scored).toBeLessThan(0.005);
    expect(flagged / scored).toBeGreaterThan(0);
  });

  it('property: scores stay in [0, 1), never NaN and never exactly 1, on flat runs, zero counts, waves and spikes', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const d = new PatternDetector({ warmup: 50, halfLife: 200 });
      for (const p of points(operationalSeries(seed, 1_500))) {
        const r = d.update(p);
        if (!(r.score >= 0 && r.score < 1) || r.anomalous !== r.score > 0.5) failures.push(`seed ${seed}: score ${r.score}, anomalous ${r.anomalous} at ${p.timestamp}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('property: a JSON round trip of the snapshot at any point gives identical results afterwards', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const series = points(operationalSeries(seed + 1_000, 1_000));
      const at = Math.floor(random(seed)() * series.length);
      const options = seed % 2 === 0 ? { warmup: 40 } : { warmup: 60, window: 16, segments: 2, alphabet: 5, transitionBuckets: 64, halfLife: 50 };
      const a = new PatternDetector(options);
      for (const p of series.slice(0, at)) a.update(p);
      const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
      const after = series.slice(at);
      expect(after.map((p) => b.update(p))).toEqual(after.map((p) => a.update(p)));
      expect(b.snapshot()).toEqual(a.snapshot());
    }
  });

  it('keeps bounded state: at most alphabet^segments shapes and transitionBuckets transitions, however long the series', () => {
    const d = new PatternDetector({ transitionBuckets: 256, halfLife: 100 });
    const rnd = random(5);
    for (let i = 0; i < 30_000; i++) d.update({ timestamp: i, value: rnd() * 100 });
    const state = d.snapshot().state as { shapes: unknown[]; predecessors: unknown[]; transitions: unknown[]; values: unknown[] };
    expect(state.shapes.length).toBeLessThanOrEqual(3 ** 4);
    expect(state.predecessors.length).toBeLessThanOrEqual(3 ** 4);
    expect(state.transitions.length).toBeLessThanOrEqual(256);
    expect(state.values).toHaveLength(12);
  });

  it.each([
    ['NaN', { timestamp: 50, value: Number.NaN }],
    ['a duplicate timestamp', { timestamp: 19, value: 1 }],
  ])('rejects %s with ANOMALY_POINT_INVALID and keeps its state', (_name, bad) => {
    const d = new PatternDetector({ window: 4, warmup: 8 });
    for (let i = 0; i < 20; i++) d.update({ timestamp: i, value: i % 3 });
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update(bad)).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it('rejects bad options listing every problem, and foreign or damaged state', () => {
    let error: unknown;
    try {
      new PatternDetector({ window: 10, segments: 3, alphabet: 4, threshold: 1, transitionBuckets: 1_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ANOMALY_OPTIONS_INVALID' });
    expect((error as { details: { problems: string[] } }).details.problems).toHaveLength(4);
    expect(() => new PatternDetector({ alphabet: 9, segments: 6 })).toThrow(/at most 4,096 shapes/);
    expect(() => restoreDetector({ kind: 'pattern', options: {}, state: { seen: 'x' } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
    const good = new PatternDetector().snapshot();
    expect(() => restoreDetector({ ...good, state: { ...good.state, shapes: [[81, 1]] } })).toThrow(/state.shapes/);
  });
});
