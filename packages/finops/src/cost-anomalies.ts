import { SeasonalDetector } from '@sightline/anomaly';
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
}

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
  /** The anomaly as a `@sightline/core` Alert (source `finops`). */
  readonly alert: Alert;
}

/**
 * Finds cost spikes: builds the daily cost series of every value of a dimension, scores each day
 * against a seasonal weekly baseline (`SeasonalDetector` from `@sightline/anomaly`: the median of
 * the same weekday in recent weeks, so the usual weekend dip is not flagged), and keeps days whose
 * increase passes both the relative and the absolute threshold (AWS Cost Anomaly Detection uses the
 * same two-threshold rule so tiny services do not page). Each anomaly names its root causes: the
 * values of other dimensions whose cost rose most that day, ranked, with their share of the impact.
 * Needs two weeks of history before the first verdict. Sorted by impact, largest first.
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
  const anomalies: CostAnomaly[] = [];
  for (const [value, days] of series) {
    const detector = new SeasonalDetector({ periodMs: 7 * DAY_MS, bucketMs: DAY_MS, seasons: 4, minSeasons: 2, threshold: options.threshold ?? 4 });
    for (let day = firstDay; day <= lastDay; day++) {
      const actual = days.get(day) ?? 0;
      const verdict = detector.update({ timestamp: day * DAY_MS, value: actual });
      if (verdict.warmingUp || !verdict.anomalous) continue;
      const expected = Math.round(verdict.expected);
      const impact = actual - expected;
      if (impact < minAbsolute || expected <= 0 || impact / expected < minRelative) continue;
      const rootCauses = rankRootCauses(causes.get(value) ?? new Map(), day, impact, maxCauses);
      const dayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
      anomalies.push({
        dimension, value, day: dayText, actual, expected, impact, relativeImpact: impact / expected, currency: guard.currency, rootCauses,
        alert: createAlert({
          source: 'finops',
          severity: severityOf(impact / expected),
          title: `${value} cost ${formatMicros(actual)} ${guard.currency} on ${dayText}, ${formatMicros(impact)} above the usual ${formatMicros(expected)}`,
          labels: { alertname: 'CostAnomaly', dimension, value },
          annotations: {
            impact: formatMicros(impact), currency: guard.currency, relativeImpact: (impact / expected).toFixed(3),
            rootCauses: rootCauses.map((c) => `${c.dimension}=${c.value} (${Math.round(c.share * 100)}%)`).join(', '),
          },
          startsAt: day * DAY_MS,
          endsAt: (day + 1) * DAY_MS,
        }),
      });
    }
  }
  return anomalies.sort((a, b) => b.impact - a.impact);
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
