// Property tests (fast-check, fixed seed) on hostile rows: any timestamps (repeated, late, not
// finite) and any values (NaN, ±Infinity, huge, tiny, long constant runs) go through the
// SeriesCleaner into each detector. Nothing throws, every score is a finite number in [0, 1)
// (never an exact 1), and a default detector restored from a snapshot taken anywhere continues
// with identical results.
import { describe, expect, it } from '@jest/globals';
import type { TimeSeriesPoint } from '@sightline/core';
import fc from 'fast-check';
import { CusumDetector, DailyPatternDetector, DefaultDetector, IqrDetector, PatternDetector, RobustZScoreDetector, SeriesCleaner, ZScoreDetector, restoreDetector, type Detector } from './index.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_203);

const value = fc.oneof(
  { weight: 4, arbitrary: fc.double({ noNaN: false }) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1e308, -1e308, 5e-324, Number.NaN, Number.POSITIVE_INFINITY) },
);
/** Rows with runs: each chunk repeats one value, as flat series and zero counts do. */
const rows = fc
  .array(fc.record({ step: fc.oneof(fc.constant(0), fc.constant(-60_000), fc.integer({ min: 1, max: 3_600_000 }), fc.constant(Number.NaN)), value, repeat: fc.integer({ min: 1, max: 40 }) }), { minLength: 1, maxLength: 60 })
  .map((chunks) => {
    const out: TimeSeriesPoint[] = [];
    let t = 1_700_000_000_000;
    for (const { step, value: v, repeat } of chunks) {
      for (let i = 0; i < repeat; i++) {
        t = Number.isNaN(step) ? t : t + (step === 0 && i > 0 ? 60_000 : step);
        out.push({ timestamp: Number.isNaN(step) ? Number.NaN : t, value: v });
      }
    }
    return out;
  });

const detectors: [string, () => Detector][] = [
  ['default', () => new DefaultDetector({ level: { warmup: 5 } })],
  // An hour-long cycle, so the pattern half gives verdicts within the rows' span.
  ['default, hourly pattern', () => new DefaultDetector({ level: { warmup: 5 }, pattern: { periodMs: 3_600_000, buckets: 6, minPeriods: 1 } })],
  ['daily pattern (hourly cycle)', () => new DailyPatternDetector({ periodMs: 3_600_000, buckets: 6, minPeriods: 1 })],
  ['zscore', () => new ZScoreDetector({ window: 30, warmup: 5 })],
  ['robust zscore', () => new RobustZScoreDetector({ window: 30 })],
  ['iqr', () => new IqrDetector({ window: 30 })],
  ['pattern', () => new PatternDetector()],
  ['cusum', () => new CusumDetector({ baseline: 20 })],
];

/** The cleaned points of `input`, in order. */
function cleaned(input: readonly TimeSeriesPoint[]): TimeSeriesPoint[] {
  const cleaner = new SeriesCleaner();
  const out: TimeSeriesPoint[] = [];
  for (const row of input) {
    const point = cleaner.push(row);
    if (point !== undefined) out.push(point);
  }
  const last = cleaner.flush();
  if (last !== undefined) out.push(last);
  return out;
}

describe('hostile rows through the cleaner and every detector', () => {
  it.each(detectors)('%s: never throws, scores finite and in [0, 1)', (_name, make) => {
    fc.assert(
      fc.property(rows, (input) => {
        const detector = make();
        for (const point of cleaned(input)) {
          const { score } = detector.update(point);
          if (!(Number.isFinite(score) && score >= 0 && score < 1)) throw new Error(`score ${score} at ${point.timestamp} (value ${point.value})`);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('the cleaner hands on only finite points in strictly increasing time order, and counts every row', () => {
    fc.assert(
      fc.property(rows, (input) => {
        const cleaner = new SeriesCleaner();
        let last = Number.NEGATIVE_INFINITY;
        let handed = 0;
        const take = (point: TimeSeriesPoint | undefined) => {
          if (point === undefined) return;
          expect(Number.isFinite(point.value) && Number.isFinite(point.timestamp) && point.timestamp > last).toBe(true);
          last = point.timestamp;
          handed++;
        };
        for (const row of input) take(cleaner.push(row));
        take(cleaner.flush());
        const c = cleaner.counts;
        expect(c.rows).toBe(input.length);
        expect(handed + c.duplicates + c.late + c.nonFiniteValues + c.invalidTimestamps).toBe(input.length);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a default detector restored from a snapshot taken anywhere continues identically', () => {
    fc.assert(
      fc.property(rows, fc.nat(), (input, at) => {
        const points = cleaned(input);
        const cut = points.length === 0 ? 0 : at % (points.length + 1);
        const original = new DefaultDetector({ level: { warmup: 5 }, pattern: { periodMs: 3_600_000, buckets: 6, minPeriods: 1 } });
        for (const p of points.slice(0, cut)) original.update(p);
        const restored = restoreDetector(JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<Detector['snapshot']>);
        for (const p of points.slice(cut)) expect(restored.update(p)).toEqual(original.update(p));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
