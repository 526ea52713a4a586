// The evaluation harness: every detector on the same labelled series; precision, recall, F1,
// false-positive rate and detection delay. `pnpm --filter @sightline/anomaly eval`.
import { CounterRate, CusumDetector, EnsembleDetector, IqrDetector, RobustZScoreDetector, SeasonalDetector, ZScoreDetector, type Detector } from '../src/index.js';
import { generateSeries } from './generate.js';

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const SERIES = 40;

const detectors: Record<string, () => Detector> = {
  'zscore (window 60, threshold 4)': () => new ZScoreDetector({ window: 60, threshold: 4 }),
  'robust zscore (window 60, 3.5)': () => new RobustZScoreDetector({ window: 60 }),
  'iqr (window 60, k = 3)': () => new IqrDetector({ window: 60, threshold: 3 }),
  'cusum (k = 0.5, h = 8)': () => new CusumDetector({ baseline: 60, threshold: 8 }),
  'seasonal (daily, 3 seasons, threshold 4)': () => new SeasonalDetector({ periodMs: DAY, bucketMs: 5 * MINUTE, seasons: 3, minSeasons: 2, threshold: 4 }),
  'ensemble vote 2 of (seasonal, robust, iqr)': () =>
    new EnsembleDetector(
      [new SeasonalDetector({ periodMs: DAY, bucketMs: 5 * MINUTE, seasons: 3, minSeasons: 2, threshold: 3.5 }), new RobustZScoreDetector({ window: 60 }), new IqrDetector({ window: 60, threshold: 3 })],
      { rule: 'vote', k: 2 },
    ),
};

const dataset = Array.from({ length: SERIES }, (_, i) => generateSeries(1_000 + i));
const windows = dataset.reduce((s, d) => s + d.windows.length, 0);

console.log(`\n## anomaly detectors on ${SERIES} labelled series (7 days, 5-minute points, ${windows} planted anomalies; ${dataset.filter((d) => d.counter).length} series are counters with resets)`);
console.log('Event-based scoring: an anomaly window is found when any point in it (or within 30 minutes after it) is flagged; a flagged point outside every window is a false positive. Scoring starts at day 3, after every detector has warmed up.\n');
console.log('| detector | precision | recall | F1 | false-positive rate | median delay |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, make] of Object.entries(detectors)) {
  let truePositives = 0;
  let falsePositives = 0;
  let negatives = 0;
  const delays: number[] = [];
  for (const series of dataset) {
    const detector = make();
    const found = new Set<number>();
    const counter = series.counter ? new CounterRate() : undefined;
    for (const raw of series.points) {
      // Counters are detected on their per-second rate; a reset becomes a normal rate, not a dip.
      const point = counter === undefined ? raw : counter.next(raw);
      if (point === undefined) continue;
      const result = detector.update(point);
      if (point.timestamp < 3 * DAY) continue;
      const w = series.windows.findIndex((x) => point.timestamp >= x.start && point.timestamp <= x.end + 30 * MINUTE);
      if (w < 0) {
        negatives++;
        if (result.anomalous) falsePositives++;
      } else if (result.anomalous && !found.has(w)) {
        found.add(w);
        delays.push((point.timestamp - series.windows[w]!.start) / MINUTE);
      }
    }
    truePositives += found.size;
  }
  const precision = truePositives + falsePositives === 0 ? 0 : truePositives / (truePositives + falsePositives);
  const recall = truePositives / windows;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  delays.sort((a, b) => a - b);
  const delay = delays.length === 0 ? '-' : `${delays[delays.length >> 1]} min`;
  console.log(`| ${name} | ${precision.toFixed(2)} | ${recall.toFixed(2)} | ${f1.toFixed(2)} | ${((falsePositives / negatives) * 100).toFixed(2)}% | ${delay} |`);
}
