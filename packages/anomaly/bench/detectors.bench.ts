// Points per second per detector against the naive baseline (simple-statistics recomputing the
// window for every point), and memory per series in a registry of 100,000 series.
import { compare, formatBytes } from '@sightline/bench';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { createRequire } from 'node:module';
import { createDefaultDetector, CusumDetector, DailyPatternDetector, DetectorRegistry, PatternDetector, IqrDetector, IsolationForestDetector, RobustZScoreDetector, SeasonalDetector, ThresholdDetector, ZScoreDetector } from '../src/index.js';

const N = 1_000_000;
const WINDOW = 60;
let seed = 1;
const values = Float64Array.from({ length: 1 << 16 }, () => 100 + ((seed = (seed * 48_271) % 2_147_483_647) % 1_000) / 100);

const naiveWindow: number[] = [];
let naiveT = 0;
let zT = 0;
let cT = 0;
const z = new ZScoreDetector({ window: WINDOW });
const c = new CusumDetector();
const rz = new RobustZScoreDetector({ window: WINDOW });
const iqr = new IqrDetector({ window: WINDOW });
const limits = new ThresholdDetector({ min: 90, max: 110, maxRatePerSecond: 5 });
let lT = 0;
const seasonal = new SeasonalDetector({ periodMs: 86_400_000, bucketMs: 60_000 });
let sT = 0;
let rT = 0;
let iT = 0;
const pattern = new PatternDetector();
let pT = 0;
const daily = new DailyPatternDetector();
let yT = 0;
const byDefault = createDefaultDetector();
let dT = 0;
let sink = 0;
await compare(
  `points per second, window ${WINDOW}`,
  [
    {
      name: 'simple-statistics recompute per point (naive z-score)',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          const v = values[naiveT++ & 0xffff]!;
          if (naiveWindow.length >= 30) sink += (v - mean(naiveWindow)) / sampleStandardDeviation(naiveWindow);
          naiveWindow.push(v);
          if (naiveWindow.length > WINDOW) naiveWindow.shift();
        }
      },
    },
    { name: 'ZScoreDetector (Welford, incremental)', run: (n) => { for (let i = 0; i < n; i++) sink += z.update({ timestamp: zT++, value: values[zT & 0xffff]! }).score; } },
    { name: 'CusumDetector', run: (n) => { for (let i = 0; i < n; i++) sink += c.update({ timestamp: cT++, value: values[cT & 0xffff]! }).score; } },
    { name: 'SeasonalDetector (daily, 1-minute phases, 4 seasons)', run: (n) => { for (let i = 0; i < n; i++) sink += seasonal.update({ timestamp: (sT++) * 60_000, value: values[sT & 0xffff]! }).score; } },
    { name: 'ThresholdDetector (min, max, rate)', run: (n) => { for (let i = 0; i < n; i++) sink += limits.update({ timestamp: (lT++) * 1_000, value: values[lT & 0xffff]! }).score; } },
    { name: 'IqrDetector (sorted window)', run: (n) => { for (let i = 0; i < n; i++) sink += iqr.update({ timestamp: iT++, value: values[iT & 0xffff]! }).score; } },
    { name: 'RobustZScoreDetector (median + MAD)', run: (n) => { for (let i = 0; i < n; i++) sink += rz.update({ timestamp: rT++, value: values[rT & 0xffff]! }).score; } },
    { name: 'PatternDetector (12-point shapes, 81 shapes, 1,024 transitions)', run: (n) => { for (let i = 0; i < n; i++) sink += pattern.update({ timestamp: pT++, value: values[pT & 0xffff]! }).score; } },
    // 5-minute timestamps: past two days the daily pattern gives verdicts (1 ms steps would keep it warming up).
    { name: 'DailyPatternDetector (24 hourly slots, 5-minute data)', run: (n) => { for (let i = 0; i < n; i++) sink += daily.update({ timestamp: (yT++) * 300_000, value: values[yT & 0xffff]! }).score; } },
    { name: 'DefaultDetector (z-score 60 + daily pattern + event gates, 5-minute data)', run: (n) => { for (let i = 0; i < n; i++) sink += byDefault.update({ timestamp: (dT++) * 300_000, value: values[dT & 0xffff]! }).score; } },
  ],
  { operations: N / 10, runs: 5 },
);

const SERIES = 100_000;
// Typed-array storage lives outside the JS heap: count both.
// Array buffers are released after a collection, in the next turns of the event loop: collect
// and yield a few times so garbage from an earlier case is not counted (or subtracted).
const memory = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
// The default detector per series: the level window plus the daily pattern slots and two gates.
const DEFAULT_SERIES = 10_000;
const beforeDefault = await memory();
const defaults = new DetectorRegistry({ maxSeries: DEFAULT_SERIES });
for (let s = 0; s < DEFAULT_SERIES; s++) for (let t = 0; t < 5; t++) defaults.update(`series-${s}`, { timestamp: t, value: values[(s + t) & 0xffff]! });
const afterDefault = await memory();
console.log(`\n## registry of ${defaults.size.toLocaleString('en')} default-detector series`);
console.log(`heap ${formatBytes(afterDefault - beforeDefault)} in all, ${formatBytes((afterDefault - beforeDefault) / DEFAULT_SERIES)} per series`);
const before = await memory();
const registry = new DetectorRegistry({ create: () => new ZScoreDetector({ window: WINDOW }), maxSeries: SERIES });
for (let s = 0; s < SERIES; s++) for (let t = 0; t < 5; t++) registry.update(`series-${s}`, { timestamp: t, value: values[(s + t) & 0xffff]! });
const after = await memory();
console.log(`\n## registry of ${registry.size.toLocaleString('en')} z-score series (window ${WINDOW})`);
console.log(`heap ${formatBytes(after - before)} in all, ${formatBytes((after - before) / SERIES)} per series`);
// Isolation forest on 10,000 x 5: the library trained on all rows (its README's way) vs this
// detector's 256-row seeded sample, and the scoring rate of one trained forest.
const { IsolationForest } = createRequire(import.meta.url)('ml-isolation-forest') as { IsolationForest: new (o: { nEstimators: number }) => { train(r: number[][]): void; predict(r: number[][]): number[] } };
const rows = Array.from({ length: 10_000 }, (_, i) => [values[i & 0xffff]!, values[(i * 7) & 0xffff]!, values[(i * 13) & 0xffff]!, values[(i * 17) & 0xffff]!, values[(i * 19) & 0xffff]!]);
let t0 = performance.now();
const full = new IsolationForest({ nEstimators: 100 });
full.train(rows);
const fullTrainMs = performance.now() - t0;
const forest = new IsolationForestDetector({ window: 10_000, sampleSize: 256, retrainEvery: 1_000_000 });
t0 = performance.now();
for (let i = 0; i < 256; i++) forest.update({ timestamp: i, values: rows[i]! }); // trains once on the 256th point
const sampledTrainMs = performance.now() - t0;
t0 = performance.now();
for (let i = 256; i < 10_000; i++) sink += forest.update({ timestamp: i, values: rows[i]! }).score;
const scoreRate = (9_744 / (performance.now() - t0)) * 1_000;
t0 = performance.now();
full.predict(rows.slice(0, 2_000));
const fullScoreRate = (2_000 / (performance.now() - t0)) * 1_000;
console.log('\n## isolation forest, 10,000 x 5, 100 trees');
console.log('| case | train | score rate |\n|---|---:|---:|');
console.log(`| ml-isolation-forest trained on all 10,000 rows | ${fullTrainMs.toFixed(0)} ms | ${(fullScoreRate / 1_000).toFixed(1)}k points/s |`);
console.log(`| IsolationForestDetector (seeded 256-row sample) | ${sampledTrainMs.toFixed(0)} ms | ${(scoreRate / 1_000).toFixed(1)}k points/s |`);

// Both registries stay reachable to the end, so neither is collected inside the other's measurement.
if (sink === 42) console.log(sink, defaults.size, registry.size);
