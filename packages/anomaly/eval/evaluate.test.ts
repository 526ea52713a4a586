import { describe, expect, it } from '@jest/globals';
import type { TimeSeriesPoint } from '@sightline/core';
import { STEP_MS, type LabelledSeries, type Row } from './corpus.js';
import { CleanerFeed, evaluateDetector, formatTable, SkippingFeed, type StreamingDetector } from './evaluate.js';

// 200 five-minute rows, an anomaly at row 100 (window rows 90..110), with one duplicate row, one
// late row and one NaN row delivered before it.
function series(): LabelledSeries {
  const rows: Row[] = Array.from({ length: 200 }, (_, i) => ({ timestamp: i * STEP_MS, value: i === 100 ? 50 : 1 }));
  rows.splice(40, 0, { timestamp: 39 * STEP_MS, value: 2 }); // duplicate of row 39
  rows.splice(60, 0, { timestamp: 10 * STEP_MS, value: 1 }); // late
  rows.splice(70, 0, { timestamp: 68.5 * STEP_MS, value: Number.NaN });
  return { name: 'hand', kind: 'cpu', rows, anomalies: [{ kind: 'spike', timestamp: 100 * STEP_MS }], isCounter: false, isInteger: false };
}

/** Flags the point at `row` (of the 200 generated), and scores it 1. */
function flagAt(row: number): () => StreamingDetector {
  return () => ({ update: (p: TimeSeriesPoint) => ({ anomalous: p.timestamp === row * STEP_MS, score: p.timestamp === row * STEP_MS ? 1 : 0 }) });
}
const oracle = flagAt(90);

/** NAB's scaled sigmoid: 2σ(−5x) − 1 = tanh(−5x / 2). */
const s = (x: number) => Math.tanh((-5 * x) / 2);

const fixedClock = () => {
  let t = 0;
  return () => (t += 1);
};

describe('evaluateDetector', () => {
  it('gives a detector that flags the window start 100 in every profile, and one that never fires 0', () => {
    // 203 delivered rows: the window is floor(20.3) = 20 rows, 10 each side of the onset (delivered
    // row 103, after the three inserted rows), so rows 93..113; row 93 is generated point 90.
    const perfect = evaluateDetector('oracle', oracle, [series()], { now: fixedClock() });
    expect(perfect.scores.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([100, 100, 100]);
    expect(perfect.verdictScores.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([100, 100, 100]);
    expect(perfect).toMatchObject({ windows: 1, detected: 1, falsePositives: 0, refused: 0 });
    // Flagging the onset, mid-window: position −11/21, reward s(−11/21) / s(−1) ≈ 0.876;
    // standard 100 · (0.876 + 1) / 2, low FN 100 · (0.876 + 2) / 3.
    const atOnset = evaluateDetector('onset', flagAt(100), [series()], { now: fixedClock() });
    const reward = s(-11 / 21) / s(-1);
    expect(atOnset.scores[0]).toBeCloseTo((100 * (reward + 1)) / 2, 9);
    expect(atOnset.scores[2]).toBeCloseTo((100 * (reward + 2)) / 3, 9);
    const silent = evaluateDetector('silent', () => ({ update: () => ({ anomalous: false, score: 0 }) }), [series()], { now: fixedClock() });
    expect(silent.scores).toEqual([0, 0, 0]);
    expect(silent.verdictScores).toEqual([0, 0, 0]);
  });

  it('skips and counts duplicate, late and NaN rows so that no detector sees them', () => {
    const seen: number[] = [];
    const result = evaluateDetector('recorder', () => ({ update: (p: TimeSeriesPoint) => (seen.push(p.timestamp), { anomalous: false, score: 0 }) }), [series()], { now: fixedClock() });
    expect(result.skipped).toEqual({ nan: 1, duplicate: 1, late: 1 });
    expect(seen).toHaveLength(200);
    expect(seen.every((t, i) => i === 0 || t > seen[i - 1]!)).toBe(true);
  });

  it('goes on after a detector throws, counting the refused points', () => {
    const throwing = () => ({
      update: (p: TimeSeriesPoint) => {
        if (p.timestamp === 5 * STEP_MS) throw new Error('refused');
        return { anomalous: false, score: 0 };
      },
    });
    expect(evaluateDetector('throws', throwing, [series()], { now: fixedClock() }).refused).toBe(1);
  });

  it('reports points per second from the injected clock', () => {
    // One series, the clock advances 1 ms per call, two calls around the loop: 200 points in 1 ms.
    expect(evaluateDetector('oracle', oracle, [series()], { now: fixedClock() }).pointsPerSecond).toBe(200_000);
  });
});

describe('CleanerFeed', () => {
  it('merges duplicates through the series cleaner, counts every quirk, and credits a point to the row that completed it', () => {
    const result = evaluateDetector('oracle', flagAt(90), [series()], { now: fixedClock(), feed: (s) => new CleanerFeed(s.isCounter) });
    expect(result.skipped).toEqual({ nan: 1, duplicate: 1, late: 1, 'counter reset': 0 });
    // Point 90 is handed on when row 94 arrives (one row late): position −(113 − 94 + 1) / 21.
    const s = (x: number) => Math.tanh((-5 * x) / 2);
    expect(result.verdictScores[0]).toBeCloseTo((100 * (s(-20 / 21) / s(-1) + 1)) / 2, 9);
  });
});

describe('SkippingFeed', () => {
  it('keeps the first value of a timestamp', () => {
    const feed = new SkippingFeed();
    expect(feed.accept({ timestamp: 1, value: 5 })).toEqual({ timestamp: 1, value: 5 });
    expect(feed.accept({ timestamp: 1, value: 6 })).toBeUndefined();
    expect(feed.skipped.duplicate).toBe(1);
  });
});

describe('formatTable', () => {
  it('prints one row per detector with the three profiles first', () => {
    const table = formatTable([evaluateDetector('oracle', oracle, [series()], { now: fixedClock() })]);
    expect(table.split('\n')[0]).toBe('| detector | standard | low FP | low FN | standard, own verdicts | windows found | false-positive rows | points/s |');
    expect(table.split('\n')[2]).toMatch(/^\| oracle \| 100\.0 \| 100\.0 \| 100\.0 \| \d+\.\d \| 1 \/ 1 \| 0 \| 200\.0k \|$/);
  });
});
