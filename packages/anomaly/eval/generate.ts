import { SeededRandom } from '@sightline/core';

// Labelled synthetic ops series for the evaluation harness: daily seasonality, trend, noise,
// and planted anomalies (spikes, dips, level shifts, variance changes), with missing points.
// Seeded, so every run scores the same data.

export interface LabelledSeries {
  name: string;
  points: { timestamp: number; value: number }[];
  /** Anomaly windows [start, end] in epoch ms, inclusive. */
  windows: { kind: string; start: number; end: number }[];
  /** A cumulative counter (with resets, which are not anomalies): detect on its rate. */
  counter: boolean;
}

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** One series: 7 days at 5-minute resolution (2,016 points), anomalies planted after day 3. */
export function generateSeries(seed: number): LabelledSeries {
  const random = seededRandom(seed);
  const step = 5 * MINUTE;
  const n = (7 * DAY) / step;
  const base = 50 + random() * 450;
  const amplitude = base * (0.2 + random() * 0.5);
  const noise = base * (0.02 + random() * 0.05);
  const trendPerDay = base * (random() - 0.5) * 0.04;
  const values = Array.from({ length: n }, (_, i) => {
    const t = i * step;
    const daily = -amplitude * Math.cos((2 * Math.PI * ((t % DAY) - 2 * 3_600_000)) / DAY);
    return base + daily + (trendPerDay * t) / DAY + noise * gaussian(random);
  });
  const windows: LabelledSeries['windows'] = [];
  const kinds = ['spike', 'dip', 'level_shift', 'variance'] as const;
  const planted = 2 + Math.floor(random() * 3);
  for (let k = 0; k < planted; k++) {
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    const start = Math.floor((3 + random() * 3.5) * (DAY / step));
    const length = kind === 'spike' || kind === 'dip' ? 1 + Math.floor(random() * 3) : 12 + Math.floor(random() * 24);
    const end = Math.min(start + length - 1, n - 1);
    if (windows.some((w) => start * step <= w.end + DAY / 4 && end * step >= w.start - DAY / 4)) continue;
    for (let i = start; i <= end; i++) {
      if (kind === 'spike') values[i]! += amplitude * (1.5 + random());
      else if (kind === 'dip') values[i] = Math.max(0, values[i]! - amplitude * (1.2 + random()));
      else if (kind === 'level_shift') values[i]! += amplitude * 0.8 * (random() < 0.5 ? 1 : -1);
      else values[i]! += noise * 8 * gaussian(random);
    }
    windows.push({ kind, start: start * step, end: end * step });
  }
  // Every fourth series is exported as a cumulative counter (requests served), which restarts
  // from zero once or twice (process restarts): a reset is not an anomaly.
  const counter = seed % 4 === 0;
  if (counter) {
    let total = 0;
    const resets = new Set([Math.floor(n * (0.2 + random() * 0.2)), Math.floor(n * (0.6 + random() * 0.3))]);
    for (let i = 0; i < n; i++) {
      if (resets.has(i)) total = 0;
      total += Math.max(0, values[i]!) * (step / 1_000);
      values[i] = total;
    }
  }
  // About 1% of points go missing (scrape failures): detectors must cope with gaps.
  const points = values.map((value, i) => ({ timestamp: i * step, value })).filter(() => random() > 0.01);
  return { name: `series-${seed}`, points, windows, counter };
}
