// The evaluation: every detector over the generated corpus, scored the way the Numenta Anomaly
// Benchmark scores (windows around each labelled onset, earlier detection rewarded, each
// false-positive row penalised, 15 % probation, normalised so never-firing = 0 and perfect = 100).
// `pnpm --filter @sightline/anomaly eval`.
import type { TimeSeriesPoint } from '@sightline/core';
import { AnomalyLikelihood, createDefaultDetector, CusumDetector, DailyPatternDetector, EnsembleDetector, EventGate, IqrDetector, IsolationForestDetector, PatternDetector, RobustZScoreDetector, SeasonalDetector, ZScoreDetector, type Detector } from '../src/index.js';
import { generateCorpus } from './corpus.js';
import { CleanerFeed, evaluateDetector, formatTable, type StreamingDetector } from './evaluate.js';

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

/** The isolation forest is multivariate: on one series it sees the value and its change. */
function univariateForest(): StreamingDetector {
  const forest = new IsolationForestDetector({ seed: 7 });
  let previous = Number.NaN;
  return {
    update(point: TimeSeriesPoint) {
      const delta = Number.isNaN(previous) ? 0 : point.value - previous;
      previous = point.value;
      return forest.update({ timestamp: point.timestamp, values: [point.value, delta] });
    },
  };
}

/**
 * Numenta's anomaly likelihood over a detector's scores: the score swept is the log-likelihood
 * (0.5 for a tail of 1e-5), anomalous at 0.5.
 */
function withLikelihood(create: () => StreamingDetector): () => StreamingDetector {
  return () => {
    const detector = create();
    const likelihood = new AnomalyLikelihood();
    return {
      update(point: TimeSeriesPoint) {
        const result = likelihood.update(detector.update(point).score);
        return { anomalous: !result.warmingUp && result.logLikelihood >= 0.5, score: result.logLikelihood };
      },
    };
  };
}

/**
 * Once per event, as an alerting layer would emit it: a repeat the gate holds back is not flagged
 * and scores 0, so it is not flagged at any tuned threshold either (the default detector's own
 * gate measures the same: with it wrapped this way instead, its row is identical).
 */
function withEventGate(create: () => Detector): () => StreamingDetector {
  return () => {
    const detector = create();
    const gate = new EventGate();
    return {
      update(point: TimeSeriesPoint) {
        const result = detector.update(point);
        const gated = gate.apply(point.timestamp, result);
        return { anomalous: gated.anomalous, score: result.anomalous && !gated.anomalous ? 0 : result.score };
      },
    };
  };
}

// Every exported detector but ThresholdDetector, which needs the operator's own limits.
const detectors: [string, () => StreamingDetector][] = [
  ['**default** (z-score 60 + daily pattern, event gate)', () => createDefaultDetector()],
  ['default without its pattern half (z-score 60, event gate)', () => createDefaultDetector({ pattern: false })],
  ['default, event gate off', () => createDefaultDetector({ eventGate: false })],
  ['default + likelihood', withLikelihood(() => createDefaultDetector())],
  ['daily pattern (alone, defaults)', () => new DailyPatternDetector()],
  ['daily pattern (alone), event gate', withEventGate(() => new DailyPatternDetector())],
  ['pattern (shapes, alone, defaults)', () => new PatternDetector()],
  ['z-score 60 + shape pattern (threshold 0.01%), event gate: the previous default', withEventGate(() => new EnsembleDetector([new ZScoreDetector({ window: 60, threshold: 4 }), new PatternDetector({ threshold: 0.000_1 })], { rule: 'max' }))],
  ['zscore (window 60, threshold 4), held repeats scored 0', withEventGate(() => new ZScoreDetector({ window: 60, threshold: 4 }))],
  ['zscore (window 60, threshold 4) + likelihood', withLikelihood(() => new ZScoreDetector({ window: 60, threshold: 4 }))],
  ['zscore (window 60, threshold 4)', () => new ZScoreDetector({ window: 60, threshold: 4 })],
  ['zscore (window 6,400, threshold 4)', () => new ZScoreDetector({ window: 6_400, threshold: 4 })],
  ['robust zscore (window 60, 3.5)', () => new RobustZScoreDetector({ window: 60 })],
  ['iqr (window 60, k = 3)', () => new IqrDetector({ window: 60, threshold: 3 })],
  ['cusum (k = 0.5, h = 8)', () => new CusumDetector({ baseline: 60, threshold: 8 })],
  ['seasonal (daily, 3 seasons, threshold 4)', () => new SeasonalDetector({ periodMs: DAY, bucketMs: 5 * MINUTE, seasons: 3, minSeasons: 2, threshold: 4 })],
  ['isolation forest (value and change, 100 trees)', univariateForest],
  [
    'ensemble vote 2 of (seasonal, robust, iqr)',
    () =>
      new EnsembleDetector(
        [new SeasonalDetector({ periodMs: DAY, bucketMs: 5 * MINUTE, seasons: 3, minSeasons: 2, threshold: 3.5 }), new RobustZScoreDetector({ window: 60 }), new IqrDetector({ window: 60, threshold: 3 })],
        { rule: 'vote', k: 2 },
      ),
  ],
  ['ensemble max (zscore, cusum)', () => new EnsembleDetector([new ZScoreDetector({ window: 60, threshold: 4 }), new CusumDetector({ baseline: 60, threshold: 8 })], { rule: 'max' })],
];

const corpus = generateCorpus();
const rows = corpus.reduce((s, c) => s + c.rows.length, 0);
const anomalies = corpus.reduce((s, c) => s + c.anomalies.length, 0);
const started = performance.now();
const results = detectors.map(([name, create]) => evaluateDetector(name, create, corpus, { feed: (series) => new CleanerFeed(series.isCounter) }));
const seconds = (performance.now() - started) / 1_000;
const skipped = results[0]!.skipped;

console.log(`\n## anomaly detectors on ${corpus.length} generated series (${rows.toLocaleString('en-US')} rows of 5-minute data, ${anomalies} labelled anomalies)`);
console.log(`NAB scoring: windows around each anomaly onset covering 10% of each series, 15% probation, profiles standard / reward_low_FP_rate / reward_low_FN_rate; 0 = never fires, 100 = perfect. Rows go through the package's SeriesCleaner first: ${Object.entries(skipped).map(([k, v]) => `${v} ${k}`).join(', ')}. Scores with the threshold tuned per profile over the corpus, as NAB's optimiser does; "own verdicts" scores each detector's own \`anomalous\`.\n`);
console.log(formatTable(results));
const refused = results.filter((r) => r.refused > 0);
if (refused.length > 0) console.log(`\nPoints refused (detector threw): ${refused.map((r) => `${r.name} ${r.refused}`).join(', ')}`);
console.log(`\n(${seconds.toFixed(1)} s)`);
