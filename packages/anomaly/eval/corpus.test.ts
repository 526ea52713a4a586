import { describe, expect, it } from '@jest/globals';
import { anomalyRows, generateCorpus, STEP_MS, type LabelledSeries } from './corpus.js';

const corpus = generateCorpus();

function longestRun(series: LabelledSeries, value: number): number {
  let best = 0;
  let run = 0;
  for (const r of series.rows) {
    run = r.value === value ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

describe('generateCorpus', () => {
  it('is deterministic for a seed and different for another', () => {
    const again = generateCorpus();
    expect(again.map((s) => s.rows.length)).toEqual(corpus.map((s) => s.rows.length));
    expect(again[5]!.rows.slice(0, 50)).toEqual(corpus[5]!.rows.slice(0, 50));
    expect(again.map((s) => s.anomalies)).toEqual(corpus.map((s) => s.anomalies));
    expect(generateCorpus({ seed: 7 })[0]!.rows.slice(0, 20)).not.toEqual(corpus[0]!.rows.slice(0, 20));
  });

  it('holds a few dozen 5-minute series of 2,000 to 20,000 rows', () => {
    expect(corpus).toHaveLength(32);
    for (const s of corpus) {
      expect(s.rows.length).toBeGreaterThanOrEqual(2_000);
      expect(s.rows.length).toBeLessThanOrEqual(20_000);
      expect(s.rows[1]!.timestamp - s.rows[0]!.timestamp).toBe(STEP_MS);
    }
  });

  it('has the quirks of delivered data: duplicate and late timestamps, gaps and NaN rows', () => {
    const quirks = corpus.map((s) => {
      let duplicates = 0;
      let late = 0;
      let gaps = 0;
      let nan = 0;
      for (let i = 1; i < s.rows.length; i++) {
        const step = s.rows[i]!.timestamp - s.rows[i - 1]!.timestamp;
        if (step === 0) duplicates++;
        else if (step < 0) late++;
        else if (step > STEP_MS) gaps++;
        if (Number.isNaN(s.rows[i]!.value)) nan++;
      }
      return { duplicates, late, gaps, nan };
    });
    expect(quirks.filter((q) => q.duplicates > 0).length).toBeGreaterThanOrEqual(8);
    expect(quirks.filter((q) => q.late > 0).length).toBeGreaterThanOrEqual(8);
    expect(quirks.filter((q) => q.nan > 0).length).toBeGreaterThanOrEqual(4);
    expect(quirks.every((q) => q.gaps > 0)).toBe(true);
    // Some series are clean, as some real ones are.
    expect(quirks.some((q) => q.duplicates === 0 && q.late === 0)).toBe(true);
  });

  it('has long zero runs, integer counts, flat square waves and counters that reset', () => {
    const errors = corpus.filter((s) => s.kind === 'errors');
    expect(errors.every((s) => longestRun(s, 0) >= 288)).toBe(true); // a day of zeros at least
    for (const s of corpus.filter((x) => x.isInteger)) expect(s.rows.every((r) => Number.isNaN(r.value) || Number.isInteger(r.value))).toBe(true);
    for (const s of corpus.filter((x) => x.kind === 'batch')) {
      expect(longestRun(s, 0)).toBeGreaterThanOrEqual(12); // idle for an hour at least, exactly flat
      expect(s.rows.some((r) => r.value > 10)).toBe(true);
    }
    for (const s of corpus.filter((x) => x.isCounter)) {
      const drops = s.rows.filter((r, i) => i > 0 && r.value < s.rows[i - 1]!.value).length;
      expect(drops).toBeGreaterThanOrEqual(1);
    }
  });

  it('has daily and weekly seasonality in request counts', () => {
    const requests = corpus.find((s) => s.kind === 'requests' && s.rows.length >= 4_032)!;
    const mean = (pick: (t: Date) => boolean) => {
      const v = requests.rows.filter((r) => Number.isFinite(r.value) && pick(new Date(r.timestamp))).map((r) => r.value);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean((t) => t.getUTCHours() === 15)).toBeGreaterThan(1.3 * mean((t) => t.getUTCHours() === 3));
    expect(mean((t) => t.getUTCDay() >= 1 && t.getUTCDay() <= 5)).toBeGreaterThan(1.1 * mean((t) => t.getUTCDay() === 0 || t.getUTCDay() === 6));
  });

  it('labels anomalies of every kind after the probation period, and some series have none', () => {
    const kinds = new Set(corpus.flatMap((s) => s.anomalies.map((a) => a.kind)));
    expect([...kinds].sort()).toEqual(['dip', 'level_shift', 'missing_peak', 'spike', 'variance']);
    expect(corpus.some((s) => s.anomalies.length === 0)).toBe(true);
    for (const s of corpus) {
      const rows = anomalyRows(s);
      expect(rows).toHaveLength(s.anomalies.length);
      for (const r of rows) expect(r).toBeGreaterThan(0.15 * s.rows.length);
    }
  });

  it('refuses a corpus of no series', () => {
    expect(() => generateCorpus({ series: 0 })).toThrow(/series must be a positive integer/);
  });
});
