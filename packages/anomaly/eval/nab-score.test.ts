import { describe, expect, it } from '@jest/globals';
import { NAB_PROFILES, nabWindows, normalisedScore, optimiseThreshold, perfectDetections, scaledSigmoid, scoreSeries, type NabProfile } from './nab-score.js';

const [standard, lowFp, lowFn] = NAB_PROFILES as [NabProfile, NabProfile, NabProfile];

// One 100-row series with one anomaly at row 50: the window is floor(0.1 · 100 / 1) = 10 rows
// wide around it, 5 each side → rows 45..55 (11 rows); probation is floor(0.15 · 100) = 15 rows.
const N = 100;
const windows = nabWindows(N, [50]);

/** NAB's scaled sigmoid written another way: 2σ(−5x) − 1 = tanh(−5x / 2). */
const s = (x: number) => Math.tanh((-5 * x) / 2);

function flags(...rows: number[]): Uint8Array {
  const f = new Uint8Array(N);
  for (const r of rows) f[r] = 1;
  return f;
}

function normalised(detections: Uint8Array, profile: NabProfile = standard): number {
  const raw = scoreSeries(detections, windows, profile).raw;
  const nullRaw = scoreSeries(new Uint8Array(N), windows, profile).raw;
  const perfectRaw = scoreSeries(perfectDetections(N, windows), windows, profile).raw;
  return normalisedScore([{ raw, nullRaw, perfectRaw }]);
}

describe('nabWindows', () => {
  it('centres a window on each anomaly so that all windows cover about 10% of the series', () => {
    expect(windows).toEqual([{ start: 45, end: 55 }]);
    // Two anomalies in 1,000 rows: each window floor(100 / 2) = 50 rows, 25 each side.
    expect(nabWindows(1_000, [600, 300])).toEqual([
      { start: 275, end: 325 },
      { start: 575, end: 625 },
    ]);
  });

  it('merges windows that overlap and clips them to the series', () => {
    expect(nabWindows(1_000, [500, 520])).toEqual([{ start: 475, end: 545 }]);
    expect(nabWindows(100, [2])).toEqual([{ start: 0, end: 7 }]);
  });

  it('refuses rows outside the series, listing every one', () => {
    expect(() => nabWindows(100, [-1, 100])).toThrow(/anomalyRows\[0\] = -1.*anomalyRows\[1\] = 100/);
  });
});

describe('scaledSigmoid', () => {
  it('is about 0.987 at the window start, 0 at its right edge and -1 from 3 widths past it', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
  });
});

describe('scoreSeries and normalisedScore', () => {
  it('gives the perfect detector 100 and the never-firing detector 0, in every profile', () => {
    for (const profile of NAB_PROFILES) {
      expect(normalised(flags(45), profile)).toBeCloseTo(100, 10);
      expect(normalised(flags(), profile)).toBe(0);
    }
    expect(scoreSeries(flags(), windows, lowFn).raw).toBe(-2);
  });

  it('rewards a detection at the window start more than one at its end', () => {
    const early = scoreSeries(flags(45), windows, standard);
    const late = scoreSeries(flags(55), windows, standard);
    // Start: position −11/11 = −1 → tpWeight exactly. End: position −1/11 → s(−1/11) / s(−1).
    expect(early.raw).toBeCloseTo(1, 12);
    expect(late.raw).toBeCloseTo(s(-1 / 11) / s(-1), 12);
    expect(late.raw).toBeCloseTo(0.2265, 4);
    // Normalised: 100 · (0.2265 + 1) / (1 + 1) = 61.3.
    expect(normalised(flags(55))).toBeCloseTo(61.32, 2);
    expect(early.detected).toBe(1);
  });

  it('counts only the first detection in a window', () => {
    expect(scoreSeries(flags(45, 50, 55), windows, standard).raw).toBeCloseTo(1, 12);
    expect(scoreSeries(flags(50, 55), windows, standard).raw).toBeCloseTo(s(-6 / 11) / s(-1), 12);
  });

  it('penalises every false-positive row: fully before any window, by distance past the previous one', () => {
    // Row 20 precedes every window: −fpWeight. Row 60 is 5 rows past a window of width 11:
    // position 5 / (11 − 1) = 0.5 → fpWeight · s(0.5).
    const before = scoreSeries(flags(20, 45), windows, standard);
    expect(before.raw).toBeCloseTo(1 - 0.11, 12);
    expect(before.falsePositives).toBe(1);
    const after = scoreSeries(flags(45, 60), windows, standard);
    expect(after.raw).toBeCloseTo(1 + 0.11 * s(0.5), 12);
    expect(after.raw).toBeCloseTo(1 - 0.0933, 4);
    // 40 rows past (position 4 ≥ 3) costs the full weight; the low-FP profile doubles it.
    expect(scoreSeries(flags(45, 95), windows, lowFp).raw).toBeCloseTo(1 - 0.22, 12);
    expect(normalised(flags(20, 45))).toBeCloseTo((100 * (0.89 + 1)) / 2, 10);
    expect(normalised(flags(20, 45))).toBeLessThan(normalised(flags(45)));
  });

  it('ignores every row of the probation period', () => {
    const inProbation = flags(0, 5, 14);
    expect(scoreSeries(inProbation, windows, standard)).toMatchObject({ raw: -1, falsePositives: 0, probation: 15 });
    expect(normalised(inProbation)).toBe(0);
    // Row 15 is the first scored row: a false positive.
    expect(scoreSeries(flags(15), windows, standard).falsePositives).toBe(1);
  });

  it('does not score a window that lies wholly inside probation, yet measures later false positives from it', () => {
    const early = nabWindows(100, [5]); // rows 0..10, all before row 15
    expect(scoreSeries(new Uint8Array(100), early, standard)).toMatchObject({ raw: 0, windows: 0 });
    // Row 20 is 10 rows past a window of width 11: position 1.
    expect(scoreSeries(flags(20), early, standard).raw).toBeCloseTo(0.11 * s(1), 12);
  });

  it('sums raw, null and perfect scores over the corpus before normalising', () => {
    // Series A: perfect (raw 1, null −1, perfect 1); series B: missed (raw −1).
    expect(normalisedScore([{ raw: 1, nullRaw: -1, perfectRaw: 1 }, { raw: -1, nullRaw: -1, perfectRaw: 1 }])).toBe(50);
  });

  it('refuses windows out of order', () => {
    expect(() => scoreSeries(flags(), [{ start: 50, end: 60 }, { start: 55, end: 70 }], standard)).toThrow(/windows\[1\]/);
  });
});

describe('optimiseThreshold', () => {
  function scores(entries: Record<number, number>): Float64Array {
    const out = new Float64Array(N);
    for (const [row, score] of Object.entries(entries)) out[Number(row)] = score;
    return out;
  }

  it('finds the threshold that flags the window start and nothing else: 100', () => {
    expect(optimiseThreshold([{ scores: scores({ 45: 0.9, 20: 0.5 }), windows }], standard)).toEqual({ threshold: 0.9, score: 100 });
  });

  it('makes a block of top scores outside the windows cost: each row is a false positive', () => {
    // Rows 20..30 all score exactly 1 and precede every window: flagging them costs 11 · 0.11.
    // Threshold 1: raw −1 − 1.21 (worse than never firing). Threshold 0.8: 1 − 1.21 = −0.21,
    // normalised 100 · (−0.21 + 1) / 2 = 39.5.
    const block = scores({ 45: 0.8 });
    for (let r = 20; r <= 30; r++) block[r] = 1;
    const result = optimiseThreshold([{ scores: block, windows }], standard);
    expect(result.threshold).toBe(0.8);
    expect(result.score).toBeCloseTo(39.5, 10);
  });

  it('never scores below 0: a threshold above every score flags nothing', () => {
    expect(optimiseThreshold([{ scores: scores({ 20: 1, 60: 1 }), windows }], standard)).toEqual({ threshold: Number.POSITIVE_INFINITY, score: 0 });
  });

  it('ignores rows without a score and probation rows', () => {
    const s = scores({ 5: 1, 45: 0.7 });
    s[30] = Number.NaN;
    expect(optimiseThreshold([{ scores: s, windows }], lowFn).score).toBeCloseTo(100, 10);
  });
});
