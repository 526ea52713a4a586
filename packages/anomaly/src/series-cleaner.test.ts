import { describe, expect, it } from '@jest/globals';
import type { TimeSeriesPoint } from '@sightline/core';
import { describeCleaning, SeriesCleaner, type SeriesCleanerOptions } from './series-cleaner.js';
import { ZScoreDetector } from './zscore-detector.js';

/** Rows as an exporter writes them: ISO or epoch-ms time, a value that may be blank or "NaN". */
const rowsOf = (csv: string): TimeSeriesPoint[] =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [time = '', value = ''] = line.split(',');
      return { timestamp: /^\d+$/.test(time) ? Number(time) : Date.parse(time), value: value.trim() === '' ? Number.NaN : Number(value) };
    });

function clean(rows: TimeSeriesPoint[], options?: SeriesCleanerOptions) {
  const cleaner = new SeriesCleaner(options);
  const out: TimeSeriesPoint[] = [];
  for (const row of rows) {
    const point = cleaner.push(row);
    if (point) out.push(point);
  }
  const last = cleaner.flush();
  if (last) out.push(last);
  return { out, counts: cleaner.counts };
}

const EXPORT = `timestamp,value
2026-03-01 00:00:00,10
2026-03-01 00:05:00,12
2026-03-01 00:05:00,14
2026-03-01 00:10:00,
2026-03-01 00:10:00,11
2026-03-01 00:05:00,99
2026-03-01 00:15:00,NaN
2026-03-01 00:20:00,13
not a time,5
2026-03-01 00:40:00,13
`;

describe('SeriesCleaner', () => {
  it('merges duplicate rows by their mean and skips late, blank, NaN and unreadable rows, counting each', () => {
    const { out, counts } = clean(rowsOf(EXPORT));
    const t = (hhmm: string) => Date.parse(`2026-03-01 00:${hhmm}:00`);
    // 00:05 appears twice (12, 14 → 13); 00:10 once with a value (the blank row is skipped first)
    expect(out).toEqual([
      { timestamp: t('00'), value: 10 },
      { timestamp: t('05'), value: 13 },
      { timestamp: t('10'), value: 11 },
      { timestamp: t('20'), value: 13 },
      { timestamp: t('40'), value: 13 },
    ]);
    // gaps: the shortest interval is 5 min; 00:10 → 00:20 (10 min) is not over 3×, 00:20 → 00:40 (20 min) is
    // 10 rows: 5 points + 1 duplicate + 1 late (00:05 after 00:10) + 2 non-finite (blank, NaN) + 1 bad time
    expect(counts).toEqual({ rows: 10, emitted: 5, duplicates: 1, late: 1, nonFiniteValues: 2, invalidTimestamps: 1, gaps: 1, flatRuns: 0, counterResets: 0 });
    expect(describeCleaning(counts)).toBe(
      '10 rows read, 5 points scored; 1 row with a repeated timestamp merged (mean), 1 row older than the previous point skipped, 2 rows with a blank or non-numeric value skipped, 1 row with an unreadable timestamp skipped, 1 gap',
    );
  });

  it.each([
    ['last', 14],
    ['first', 12],
    ['mean', 13],
  ] as const)('keeps the %s of duplicate rows', (duplicates, expected) => {
    const { out } = clean([
      { timestamp: 1, value: 12 },
      { timestamp: 1, value: 14 },
    ], { duplicates });
    expect(out).toEqual([{ timestamp: 1, value: expected }]);
  });

  it('hands every point on in strictly increasing time, so a strict detector never throws', () => {
    const rows: TimeSeriesPoint[] = [];
    let seed = 7;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 48_271) % 2_147_483_647;
      const jitter = (seed % 5) - 2; // rows up to 2 steps late or early, duplicates among them
      rows.push({ timestamp: (i + jitter) * 60_000, value: seed % 97 === 0 ? Number.NaN : 50 + (seed % 10) });
    }
    const detector = new ZScoreDetector();
    const { out, counts } = clean(rows);
    expect(() => out.forEach((p) => detector.update(p))).not.toThrow();
    for (let i = 1; i < out.length; i++) expect(out[i]!.timestamp).toBeGreaterThan(out[i - 1]!.timestamp);
    expect(counts.emitted + counts.duplicates + counts.late + counts.nonFiniteValues).toBe(2_000);
    expect(counts.duplicates + counts.late).toBeGreaterThan(0);
  });

  it('turns a counter into a per-second rate, counting a reset', () => {
    const { out, counts } = clean(rowsOf(`time,requests_total
0,100
60000,160
60000,160
120000,40
180000,100
`), { counter: true, duplicates: 'last' });
    // 100 → 160 over 60 s = 1/s; 160 → 40 is a reset: 40 since restart over 60 s; 40 → 100 = 1/s
    expect(out.map((p) => p.value)).toEqual([1, 40 / 60, 1]);
    expect(counts).toEqual(expect.objectContaining({ counterResets: 1, duplicates: 1, emitted: 3 }));
  });

  it('counts flat runs once each', () => {
    const values = [0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0];
    const { counts } = clean(values.map((value, i) => ({ timestamp: i, value })), { flatRunPoints: 4 });
    expect(counts.flatRuns).toBe(2);
  });

  it('restores from a JSON snapshot mid-point and continues identically', () => {
    const rows = rowsOf(EXPORT);
    const a = new SeriesCleaner();
    rows.slice(0, 3).forEach((r) => a.push(r)); // the 00:05 point is pending with one duplicate
    const b = SeriesCleaner.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const r of rows.slice(3)) expect(b.push(r)).toEqual(a.push(r));
    expect(b.flush()).toEqual(a.flush());
    expect(b.counts).toEqual(a.counts);
  });

  it('rejects bad options, listing every problem, and foreign state', () => {
    expect(() => new SeriesCleaner({ duplicates: 'median' as 'mean', gapFactor: 1, flatRunPoints: 1 })).toThrow(
      expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID', message: expect.stringMatching(/duplicates.*gapFactor.*flatRunPoints/) }),
    );
    expect(() => SeriesCleaner.restore({ kind: 'zscore', options: {}, state: {} } as never)).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
