import { IsolationForestDetector, SeasonalDetector } from '@sightline/anomaly';
import { createAlert, SightlineError, type Alert, type Severity } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { CurrencyGuard, type CurrencyConversion } from './currency-guard.js';
import { costOf, dimensionValue, type CostMetric, type Dimension } from './dimension.js';
import { formatMicros } from './money.js';

const DAY_MS = 86_400_000;

/** Options of {@link detectCostAnomalies}; every default listed. */
export interface CostAnomalyOptions {
  /** The series are the daily cost of each value of this dimension. Default `ServiceName`. */
  readonly dimension?: Dimension;
  /** Dimensions searched for the root cause. Default RegionId, ResourceId, SubAccountId, tag:team. */
  readonly rootCauseDimensions?: readonly Dimension[];
  /** Default `effective`. */
  readonly cost?: CostMetric;
  /** Minimum increase over the expected cost as a ratio. Default 0.15 (15%). */
  readonly minRelativeImpact?: number;
  /** Minimum increase over the expected cost, micro-units. Default 100,000,000 (100.00). */
  readonly minAbsoluteImpact?: number;
  /** Robust z of the day's residual against the weekly baseline. Default 4. */
  readonly threshold?: number;
  /** Root causes listed per anomaly. Default 5. */
  readonly maxRootCauses?: number;
  readonly conversion?: CurrencyConversion;
  /**
   * The isolation-forest stage over the daily mix (see {@link MixForestOptions}); `false` turns it
   * off and leaves the seasonal detector alone. Default on, with the defaults listed there.
   */
  readonly isolationForest?: MixForestOptions | false;
}

/**
 * The isolation-forest stage: each day is a vector of the shares of the top `maxValues` values of
 * the dimension in that day's cost (plus one share for the rest), scored by
 * `IsolationForestDetector` from `@sightline/anomaly` fitted on every day of the window. A day
 * whose mix is unusual (one value up while another falls, total about the same) isolates
 * quickly; it is reported for the value whose cost rose most above its usual share of the day.
 */
export interface MixForestOptions {
  /** Raw isolation score (0.5 = average) at which a day's mix is unusual. Default 0.62. */
  readonly threshold?: number;
  /** Trees. Default 100. */
  readonly trees?: number;
  /** Values (by total cost) that get a share of their own; the rest are summed. Default 16. */
  readonly maxValues?: number;
  /** Seed of the forest's sampling and splits. Default 1. */
  readonly seed?: number;
}

/** The stages that flagged an anomaly. */
export type CostAnomalyDetector = 'seasonal' | 'isolation-forest';

/** A dimension value that drove an anomaly. */
export interface RootCause {
  readonly dimension: Dimension;
  readonly value: string;
  /** Its cost on the day minus its usual cost (median of the same weekday in up to 4 prior weeks), micro-units. */
  readonly change: number;
  /** change / anomaly impact; above 1 when other values fell on the same day. */
  readonly share: number;
}

/** A day on which a series cost more than its weekly baseline by both thresholds. */
export interface CostAnomaly {
  readonly dimension: Dimension;
  readonly value: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  readonly actual: number;
  readonly expected: number;
  /** actual − expected, micro-units. */
  readonly impact: number;
  /** impact / expected. */
  readonly relativeImpact: number;
  readonly currency: string;
  /** Ranked by change, largest first. */
  readonly rootCauses: readonly RootCause[];
  /** Which stages flagged it: the seasonal baseline of the value, the isolation forest over the day's mix, or both. */
  readonly detectors?: readonly CostAnomalyDetector[];
  /** The day's mix score from the isolation forest, 0..1 (0.5 at the threshold), when that stage ran. */
  readonly mixScore?: number;
  /** The anomaly as a `@sightline/core` Alert (source `finops`). */
  readonly alert: Alert;
}

/**
 * Finds cost anomalies in two stages, both from `@sightline/anomaly`:
 * - seasonal: the daily cost series of every value of a dimension, each day scored against a
 *   weekly baseline (`SeasonalDetector`: the median of the same weekday in recent weeks, so the
 *   usual weekend dip is not flagged);
 * - isolation forest over the dimension's values: each day's mix of costs across the values
 *   (`IsolationForestDetector`, see {@link MixForestOptions}), which finds a day where one value
 *   jumps while another falls even when the total and each series alone look ordinary.
 * Either way a day is kept only if the value's increase passes both the relative and the absolute
 * threshold (AWS Cost Anomaly Detection uses the same two-threshold rule so tiny services do not
 * page). Each anomaly names its root causes: the values of other dimensions whose cost rose most
 * that day, ranked, with their share of the impact. Needs two weeks of history before the first
 * verdict. Sorted by impact, largest first.
 * @example
 * const anomalies = await detectCostAnomalies(records, { dimension: 'ServiceName' });
 */
export async function detectCostAnomalies(records: Iterable<CostRecord> | AsyncIterable<CostRecord>, options: CostAnomalyOptions = {}): Promise<CostAnomaly[]> {
  const dimension = options.dimension ?? 'ServiceName';
  const causeDimensions = options.rootCauseDimensions ?? ['RegionId', 'ResourceId', 'SubAccountId', 'tag:team'];
  const metric = options.cost ?? 'effective';
  const minRelative = options.minRelativeImpact ?? 0.15;
  const minAbsolute = options.minAbsoluteImpact ?? 100_000_000;
  const maxCauses = options.maxRootCauses ?? 5;
  if (!(minRelative >= 0) || !(minAbsolute >= 0) || !(maxCauses >= 1)) {
    throw new SightlineError('FINOPS_ANOMALY_OPTIONS_INVALID', `detectCostAnomalies: minRelativeImpact and minAbsoluteImpact must be >= 0, maxRootCauses >= 1; got ${JSON.stringify(options)}`, {});
  }
  const guard = new CurrencyGuard(options.conversion);
  // value → day → cost; and value → "dimension\0causeValue" → day → cost, for root causes.
  const series = new Map<string, Map<number, number>>();
  const causes = new Map<string, Map<string, Map<number, number>>>();
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  for await (const record of records) {
    // Purchases and taxes are billing events, not usage drift; they would swamp the series.
    if (record.chargeCategory !== 'Usage') continue;
    const cost = guard.convert(record, costOf(record, metric));
    const day = Math.floor(record.chargePeriodStart / DAY_MS);
    firstDay = Math.min(firstDay, day);
    lastDay = Math.max(lastDay, day);
    const value = dimensionValue(record, dimension);
    let days = series.get(value);
    if (!days) series.set(value, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + cost);
    let byCause = causes.get(value);
    if (!byCause) causes.set(value, (byCause = new Map()));
    for (const causeDimension of causeDimensions) {
      const key = `${causeDimension}\u0000${dimensionValue(record, causeDimension)}`;
      let causeDays = byCause.get(key);
      if (!causeDays) byCause.set(key, (causeDays = new Map()));
      causeDays.set(day, (causeDays.get(day) ?? 0) + cost);
    }
  }
  const found = new Map<string, Found>();
  for (const [value, days] of series) {
    const detector = new SeasonalDetector({ periodMs: 7 * DAY_MS, bucketMs: DAY_MS, seasons: 4, minSeasons: 2, threshold: options.threshold ?? 4 });
    for (let day = firstDay; day <= lastDay; day++) {
      const actual = days.get(day) ?? 0;
      const verdict = detector.update({ timestamp: day * DAY_MS, value: actual });
      if (verdict.warmingUp || !verdict.anomalous) continue;
      const expected = Math.round(verdict.expected);
      const impact = actual - expected;
      if (impact < minAbsolute || expected <= 0 || impact / expected < minRelative) continue;
      found.set(`${value}\u0000${day}`, { value, day, actual, expected, detectors: ['seasonal'], mixScore: undefined });
    }
  }
  if (options.isolationForest !== false && series.size >= 2 && lastDay - firstDay + 1 >= MIN_FOREST_DAYS) {
    for (const hit of scoreMix(series, firstDay, lastDay, options.isolationForest ?? {})) {
      if (hit.impact < minAbsolute || hit.expected <= 0 || hit.impact / hit.expected < minRelative) continue;
      const key = `${hit.value}\u0000${hit.day}`;
      const seasonal = found.get(key);
      if (seasonal) found.set(key, { ...seasonal, detectors: ['seasonal', 'isolation-forest'], mixScore: hit.score });
      else found.set(key, { value: hit.value, day: hit.day, actual: hit.actual, expected: hit.expected, detectors: ['isolation-forest'], mixScore: hit.score });
    }
  }
  const anomalies: CostAnomaly[] = [];
  for (const { value, day, actual, expected, detectors, mixScore } of found.values()) {
    const impact = actual - expected;
    const rootCauses = rankRootCauses(causes.get(value) ?? new Map(), day, impact, maxCauses);
    const dayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
    const how = detectors.length === 2 ? 'above its usual level and an unusual mix' : detectors[0] === 'seasonal' ? 'above the usual' : 'above its usual share of an unusual mix';
    anomalies.push({
      dimension, value, day: dayText, actual, expected, impact, relativeImpact: impact / expected, currency: guard.currency, rootCauses, detectors,
      ...(mixScore === undefined ? {} : { mixScore }),
      alert: createAlert({
        source: 'finops',
        severity: severityOf(impact / expected),
        title: `${value} cost ${formatMicros(actual)} ${guard.currency} on ${dayText}, ${formatMicros(impact)} ${how} ${formatMicros(expected)}`,
        labels: { alertname: 'CostAnomaly', dimension, value },
        annotations: {
          impact: formatMicros(impact), currency: guard.currency, relativeImpact: (impact / expected).toFixed(3),
          rootCauses: rootCauses.map((c) => `${c.dimension}=${c.value} (${Math.round(c.share * 100)}%)`).join(', '),
          detectors: detectors.join(','),
        },
        startsAt: day * DAY_MS,
        endsAt: (day + 1) * DAY_MS,
      }),
    });
  }
  return anomalies.sort((a, b) => b.impact - a.impact || (a.day < b.day ? -1 : a.day > b.day ? 1 : a.value < b.value ? -1 : 1));
}

interface Found {
  readonly value: string;
  readonly day: number;
  readonly actual: number;
  readonly expected: number;
  readonly detectors: readonly CostAnomalyDetector[];
  readonly mixScore: number | undefined;
}

/** Days of data the forest stage needs: two weeks, as the seasonal baseline. */
const MIN_FOREST_DAYS = 14;

interface MixHit {
  readonly value: string;
  readonly day: number;
  readonly actual: number;
  /** The value's usual share of the day × the day's total, micro-units. */
  readonly expected: number;
  readonly impact: number;
  readonly score: number;
}

/**
 * Scores each day's mix with an isolation forest and, for each unusual day, names the value that
 * rose most above its usual share (median share of the same weekday in up to 4 prior weeks).
 */
function scoreMix(series: ReadonlyMap<string, ReadonlyMap<number, number>>, firstDay: number, lastDay: number, options: MixForestOptions): MixHit[] {
  const maxValues = options.maxValues ?? 16;
  const threshold = options.threshold ?? 0.62;
  if (!(Number.isInteger(maxValues) && maxValues >= 1) || !(threshold > 0.5 && threshold < 1)) {
    throw new SightlineError('FINOPS_ANOMALY_OPTIONS_INVALID', `detectCostAnomalies: isolationForest.maxValues must be an integer >= 1 and threshold in (0.5, 1); got ${JSON.stringify(options)}`, {});
  }
  const totals = [...series].map(([value, days]) => {
    let sum = 0;
    for (const cost of days.values()) sum += cost;
    return { value, sum, days };
  });
  totals.sort((a, b) => b.sum - a.sum || (a.value < b.value ? -1 : 1));
  const top = totals.slice(0, maxValues);
  const rest = totals.slice(maxValues);
  const dayCount = lastDay - firstDay + 1;
  // shares[d][k]: share of value k in day d's total; the last column is the rest.
  const shares: (Float64Array | undefined)[] = [];
  const dayTotals = new Float64Array(dayCount);
  for (let d = 0; d < dayCount; d++) {
    const day = firstDay + d;
    let total = 0;
    for (const { days } of totals) total += days.get(day) ?? 0;
    dayTotals[d] = total;
    if (!(total > 0)) continue;
    const vector = new Float64Array(top.length + 1);
    let other = 0;
    top.forEach(({ days }, k) => (vector[k] = (days.get(day) ?? 0) / total));
    for (const { days } of rest) other += days.get(day) ?? 0;
    vector[top.length] = other / total;
    shares[d] = vector;
  }
  const scored = shares.filter((v) => v !== undefined).length;
  if (scored < MIN_FOREST_DAYS) return [];
  // Fit on every scored day (the forest isolates a point by how it differs from the rest of the
  // batch, the unusual day included), then score each day against that fit.
  const forest = new IsolationForestDetector({ window: scored, sampleSize: Math.min(scored, 256), trees: options.trees ?? 100, retrainEvery: scored + 1, threshold, seed: options.seed ?? 1 });
  let t = 0;
  for (const vector of shares) if (vector) forest.update({ timestamp: ++t, values: Array.from(vector) });
  const hits: MixHit[] = [];
  for (let d = 0; d < dayCount; d++) {
    const vector = shares[d];
    if (!vector) continue;
    const verdict = forest.update({ timestamp: ++t, values: Array.from(vector) });
    if (!verdict.anomalous) continue;
    let best: MixHit | undefined;
    for (let k = 0; k < top.length; k++) {
      const past: number[] = [];
      for (let week = 1; week <= 4; week++) {
        const prior = shares[d - 7 * week];
        if (prior) past.push(prior[k] as number);
      }
      if (past.length < 2) continue;
      past.sort((a, b) => a - b);
      const usualShare = past.length % 2 === 1 ? (past[past.length >> 1] as number) : ((past[past.length / 2 - 1] as number) + (past[past.length / 2] as number)) / 2;
      const entry = top[k] as { value: string; days: ReadonlyMap<number, number> };
      const actual = entry.days.get(firstDay + d) ?? 0;
      const expected = Math.round(usualShare * (dayTotals[d] as number));
      const impact = actual - expected;
      if (impact > 0 && (best === undefined || impact > best.impact)) best = { value: entry.value, day: firstDay + d, actual, expected, impact, score: verdict.score };
    }
    if (best) hits.push(best);
  }
  return hits;
}

function rankRootCauses(byCause: ReadonlyMap<string, ReadonlyMap<number, number>>, day: number, impact: number, max: number): RootCause[] {
  const ranked: RootCause[] = [];
  for (const [key, days] of byCause) {
    const past: number[] = [];
    for (let week = 1; week <= 4; week++) past.push(days.get(day - 7 * week) ?? 0);
    past.sort((a, b) => a - b);
    const usual = ((past[1] ?? 0) + (past[2] ?? 0)) / 2;
    const change = Math.round((days.get(day) ?? 0) - usual);
    if (change <= 0) continue;
    const [dimension, value] = key.split('\u0000') as [Dimension, string];
    ranked.push({ dimension, value, change, share: change / impact });
  }
  // The most specific explanation first when changes tie (a region over the whole team).
  return ranked.sort((a, b) => b.change - a.change || (a.dimension < b.dimension ? -1 : 1)).slice(0, max);
}

function severityOf(relativeImpact: number): Severity {
  if (relativeImpact >= 1) return 'error';
  if (relativeImpact >= 0.5) return 'warning';
  return 'info';
}
