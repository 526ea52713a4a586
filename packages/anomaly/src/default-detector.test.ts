import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { createDefaultDetector, DefaultDetector, DEFAULT_PATTERN_OPTIONS } from './default-detector.js';
import { DetectorRegistry } from './detector-registry.js';
import { PatternDetector } from './pattern-detector.js';
import { restoreDetector } from './restore.js';

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/** Seeded noise of unit-ish spread around `level` (sum of 4 uniforms). */
function noise(seed: number, length: number, level = 100): number[] {
  const rnd = random(seed);
  return Array.from({ length }, () => level + (rnd() + rnd() + rnd() + rnd() - 2));
}

const points = (values: readonly number[]) => values.map((value, i) => ({ timestamp: 1_000 + i * 300_000, value }));

/** Flat runs, zero counts, square waves and spikes: the traits that broke the old default. */
function operationalSeries(seed: number, length: number): number[] {
  const rnd = random(seed);
  const values: number[] = [];
  while (values.length < length) {
    const kind = Math.floor(rnd() * 4);
    const level = Math.floor(rnd() * 5);
    for (let i = 0, run = 50 + Math.floor(rnd() * 400); i < run; i++) {
      values.push(kind === 0 ? level : kind === 1 ? (rnd() < 0.02 ? 1 : 0) : kind === 2 ? (i % 24 < 12 ? level : 0) : level + rnd());
    }
  }
  return values.slice(0, length);
}

describe('DefaultDetector', () => {
  it('warms up on the level half, then flags a spike through the level half', () => {
    const d = createDefaultDetector();
    const results = points([...noise(1, 600), 130]).map((p) => d.update(p));
    expect(results.slice(0, 30).every((r) => r.warmingUp)).toBe(true);
    const spike = results.at(-1)!;
    expect(spike.anomalous).toBe(true);
    expect(spike.score).toBeGreaterThan(0.8);
    expect(spike.reason).toMatch(/standard deviations from the mean/);
    expect(spike.expected).toBeCloseTo(100, 0);
  });

  it('flags flapping within the usual range through the pattern half, keeping the level band', () => {
    // A square wave between 0 and 10 (period 40); from point 3,000, 24 points of period 8 instead.
    const values = Array.from({ length: 3_100 }, (_, i) => ((i >= 3_000 && i < 3_024 ? i % 8 < 4 : i % 40 < 20) ? 10 : 0));
    const d = new DefaultDetector();
    const alone = new PatternDetector(DEFAULT_PATTERN_OPTIONS);
    const results = points(values).map((p) => d.update(p));
    const shapeScores = points(values).map((p) => alone.update(p).score);
    expect(results.slice(100, 3_000).some((r) => r.anomalous)).toBe(false);
    const first = results.findIndex((r) => r.anomalous);
    expect(first).toBeGreaterThanOrEqual(3_000);
    expect(first).toBeLessThan(3_024);
    expect(results[first]!.reason).toMatch(/^the last 12 points make a shape/);
    expect(results[first]!.score).toBe(shapeScores[first]);
    // The band is the level half's: the values never leave [0, 10], so it contains them.
    expect(results[first]!.lower).toBeLessThan(0);
    expect(results[first]!.upper).toBeGreaterThan(10);
  });

  it('flags a lasting excursion once: repeats are held back and score below the threshold', () => {
    const values = [...noise(4, 300), ...noise(5, 30, 130), ...noise(6, 30)];
    const gated = createDefaultDetector();
    const ungated = createDefaultDetector({ eventGate: false });
    const withGate = points(values).map((p) => gated.update(p));
    const withoutGate = points(values).map((p) => ungated.update(p));
    expect(withoutGate.filter((r) => r.anomalous).length).toBeGreaterThan(1);
    expect(withGate.filter((r) => r.anomalous)).toHaveLength(1);
    const repeats = withGate.filter((r, i) => !r.anomalous && withoutGate[i]!.anomalous);
    expect(repeats.length).toBe(withoutGate.filter((r) => r.anomalous).length - 1);
    // Held back: half the ungated score, so below 0.5 like every other point that is not anomalous.
    repeats.forEach((r) => expect(r.score).toBeLessThan(0.5));
    expect(repeats[0]!.score).toBe(withoutGate[withGate.indexOf(repeats[0]!)]!.score / 2);
    expect(repeats[0]!.reason).toMatch(/^held back: same event/);
  });

  it('never scores exactly 1 after a flat run, however large the change', () => {
    const d = createDefaultDetector();
    for (const p of points(Array.from({ length: 2_000 }, () => 0))) d.update(p);
    const jump = d.update({ timestamp: 1e12, value: 1e9 });
    expect(jump.anomalous).toBe(true);
    expect(jump.score).toBeLessThan(1);
  });

  it('property: scores stay in [0, 1) and never NaN on flat runs, zero counts, waves and noise', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 25; seed++) {
      const d = createDefaultDetector({ level: { window: 300, warmup: 50 }, pattern: { warmup: 50 } });
      for (const p of points(operationalSeries(seed, 1_500))) {
        const r = d.update(p);
        if (!(r.score >= 0 && r.score < 1)) failures.push(`seed ${seed}: score ${r.score} at ${p.timestamp}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('property: restoring a JSON round trip of the snapshot at any point gives identical results afterwards', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const series = points(operationalSeries(seed + 500, 1_000));
      const at = Math.floor(random(seed * 7)() * series.length);
      const a = createDefaultDetector({ level: { window: 200, warmup: 40 }, pattern: { warmup: 40, threshold: 0.002 }, ...(seed % 3 === 0 ? { eventGate: false as const } : { eventGate: { resetAfter: 3 } }) });
      for (const p of series.slice(0, at)) a.update(p);
      const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
      expect(b.name).toBe('default');
      const after = series.slice(at);
      expect(after.map((p) => b.update(p))).toEqual(after.map((p) => a.update(p)));
    }
  });

  it('is what a registry creates when no create is given', () => {
    const registry = new DetectorRegistry({ clock: new ManualClock(0) });
    let opened: string | undefined;
    for (const [i, value] of [...noise(2, 400), 150].entries()) {
      const { event } = registry.update('requests{service="api"}', { timestamp: i * 60_000, value });
      if (event?.type === 'opened') opened = event.anomaly.detector;
    }
    expect(opened).toBe('default');
  });

  it('rejects a bad point once, changing neither half', () => {
    const d = createDefaultDetector();
    for (const p of points(noise(3, 50))) d.update(p);
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update({ timestamp: 1_000, value: 1 })).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(() => d.update({ timestamp: 1e12, value: Number.NaN })).toThrow(expect.objectContaining({ code: 'ANOMALY_POINT_INVALID' }));
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it('rejects bad options of both halves at once, and foreign state', () => {
    let error: unknown;
    try {
      createDefaultDetector({ level: { window: 1 }, pattern: { alphabet: 2 }, eventGate: { resetAfter: 0 } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ANOMALY_OPTIONS_INVALID' });
    expect((error as { details: { problems: string[] } }).details.problems).toEqual([expect.stringMatching(/^level: /), expect.stringMatching(/^pattern: /), expect.stringMatching(/^eventGate: /)]);
    expect(() => restoreDetector({ kind: 'default', options: {}, state: { level: {} } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
