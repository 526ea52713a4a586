import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { DailyPatternDetector } from './daily-pattern-detector.js';
import { createDefaultDetector, DEFAULT_PATTERN_OPTIONS } from './default-detector.js';
import { DetectorRegistry } from './detector-registry.js';
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

  it('flags a missing daily peak through the pattern half, which the level half alone misses', () => {
    // Hourly-ish 5-minute data: a quiet night at 10, a smooth afternoon peak at 60, noise ±1.
    const HOUR = 3_600_000;
    const STEP = 300_000;
    const rnd = random(11);
    const days = 8;
    const missingDay = 6;
    const values = Array.from({ length: days * 288 }, (_, i) => {
      const hour = ((i * STEP) % (24 * HOUR)) / HOUR;
      const peak = Math.floor(i / 288) === missingDay ? 0 : 50 * Math.max(0, Math.sin(((hour - 8) * Math.PI) / 12));
      return 10 + peak + (rnd() + rnd() + rnd() + rnd() - 2);
    });
    const series = values.map((value, i) => ({ timestamp: i * STEP, value }));
    const d = createDefaultDetector();
    const levelOnly = createDefaultDetector({ pattern: false });
    const alone = new DailyPatternDetector(DEFAULT_PATTERN_OPTIONS);
    const results = series.map((p) => d.update(p));
    const withoutPattern = series.map((p) => levelOnly.update(p));
    const patternScores = series.map((p) => alone.update(p).score);
    const day = (r: readonly { anomalous: boolean }[], k: number) => r.slice(k * 288, (k + 1) * 288).filter((x) => x.anomalous).length;
    // Days 3 to 5 are normal and learned; the missing peak on day 6 is flagged by the pattern half
    // (an event or two: the hours it should rise and those it should fall can be apart).
    expect([3, 4, 5].map((k) => day(results, k))).toEqual([0, 0, 0]);
    expect(day(results, missingDay)).toBeGreaterThanOrEqual(1);
    expect(day(results, missingDay)).toBeLessThanOrEqual(2);
    expect(day(withoutPattern, missingDay)).toBe(0);
    const first = results.findIndex((r, i) => i >= 3 * 288 && r.anomalous);
    expect(Math.floor(first / 288)).toBe(missingDay);
    expect(results[first]!.reason).toMatch(/below what this time of day usually is/);
    expect(results[first]!.score).toBe(patternScores[first]);
    // The band stays the level half's (a rolling window that follows the missing peak down).
    expect(results[first]!.expected).toBe(withoutPattern[first]!.expected);
  });

  it('gates each half on its own: a spike during an hours-long pattern excursion is still flagged', () => {
    const HOUR = 3_600_000;
    const STEP = 300_000;
    const rnd = random(12);
    const values = Array.from({ length: 8 * 288 }, (_, i) => {
      const hour = ((i * STEP) % (24 * HOUR)) / HOUR;
      const peak = Math.floor(i / 288) === 6 ? 0 : 50 * Math.max(0, Math.sin(((hour - 8) * Math.PI) / 12));
      return 10 + peak + (rnd() + rnd() + rnd() + rnd() - 2);
    });
    const spikeAt = 6 * 288 + 14 * 12; // 14:00 on the day the peak is missing
    values[spikeAt] = 200;
    const d = createDefaultDetector();
    const results = values.slice(0, spikeAt).map((value, i) => d.update({ timestamp: i * STEP, value }));
    const patternFlag = results.findIndex((r, i) => i >= 6 * 288 && r.anomalous);
    expect(patternFlag).toBeGreaterThan(0);
    expect(results[patternFlag]!.reason).toMatch(/this time of day/);
    // The pattern's excursion is still running at the spike (its gate is holding repeats back)...
    const state = d.snapshot().state as { patternGate: { state: { isInEvent: boolean; held: number } } };
    expect(state.patternGate.state).toMatchObject({ isInEvent: true, held: expect.any(Number) });
    expect(state.patternGate.state.held).toBeGreaterThan(0);
    // ...and the spike opens the level half's own event.
    results.push(d.update({ timestamp: spikeAt * STEP, value: values[spikeAt]! }));
    expect(results[spikeAt]!.anomalous).toBe(true);
    expect(results[spikeAt]!.reason).toMatch(/standard deviations from the mean/);
  });

  it('drops a level flag that is usual for its time of day: a batch run starting on time', () => {
    // A job that runs 02:00–03:00 every day (value ~100, idle ~1), and one unusual spike on day 6.
    const STEP = 300_000;
    const rnd = random(21);
    const values = Array.from({ length: 7 * 288 }, (_, i) => ((i % 288) >= 24 && (i % 288) < 36 ? 100 : 1) + (rnd() - 0.5));
    const spikeAt = 5 * 288 + 14 * 12; // 14:00 on day 6
    values[spikeAt] = 60;
    const series = values.map((value, i) => ({ timestamp: i * STEP, value }));
    const d = createDefaultDetector();
    const levelOnly = createDefaultDetector({ pattern: false });
    const results = series.map((p) => d.update(p));
    const withoutPattern = series.map((p) => levelOnly.update(p));
    const runStarts = [3, 4, 5, 6].map((day) => day * 288 + 24);
    // The level half alone flags every run start...
    expect(runStarts.map((i) => withoutPattern[i]!.anomalous)).toEqual([true, true, true, true]);
    // ...the default, once it has seen two days, knows the hour: dropped, its score below 0.5.
    expect(runStarts.map((i) => results[i]!.anomalous)).toEqual([false, false, false, false]);
    for (const i of runStarts) {
      expect(results[i]!.score).toBeLessThan(0.5);
      expect(results[i]!.reason).toMatch(/^usual for this time of day \(\d+(\.\d+)? of its usual deviations\), though value/);
    }
    expect(results.slice(3 * 288).filter((r) => r.anomalous).length).toBe(1);
    // A spike at an hour when the job never runs is still a level flag.
    expect(results[spikeAt]!.anomalous).toBe(true);
    expect(results[spikeAt]!.reason).toMatch(/standard deviations from the mean/);
  });

  it('without its pattern half is the level half with the event gate', () => {
    const d = createDefaultDetector({ pattern: false });
    expect(d.pattern).toBeUndefined();
    const restored = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())));
    const values = [...noise(8, 300), 140, ...noise(9, 50)];
    expect(points(values).map((p) => restored.update(p))).toEqual(points(values).map((p) => d.update(p)));
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
      const d = createDefaultDetector({ level: { window: 300, warmup: 50 }, pattern: { periodMs: 24 * 300_000, minPeriods: 1 } });
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
      const a = createDefaultDetector({ level: { window: 200, warmup: 40 }, pattern: seed % 4 === 1 ? false : { periodMs: 24 * 300_000, buckets: 6, minPeriods: 1 }, ...(seed % 3 === 0 ? { eventGate: false as const } : { eventGate: { resetAfter: 3 } }) });
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
      createDefaultDetector({ level: { window: 1 }, pattern: { buckets: 0 }, eventGate: { resetAfter: 0 } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ANOMALY_OPTIONS_INVALID' });
    expect((error as { details: { problems: string[] } }).details.problems).toEqual([expect.stringMatching(/^level: /), expect.stringMatching(/^pattern: /), expect.stringMatching(/^eventGate: /)]);
    expect(() => restoreDetector({ kind: 'default', options: {}, state: { level: {} } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
    // A snapshot of the earlier default (its pattern half was a shape learner) is refused, not misread.
    const snapshot = createDefaultDetector().snapshot();
    expect(() => restoreDetector({ ...snapshot, state: { ...snapshot.state, pattern: { kind: 'pattern', options: {}, state: {} } } })).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
