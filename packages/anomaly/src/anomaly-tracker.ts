import { createAlert, SightlineError, type Alert, type Anomaly, type Labels, type Severity } from '@sightline/core';
import type { DetectorResult } from './detector.js';

/** Business impact of a series: scales how severe its anomalies are. */
export type Impact = 'low' | 'medium' | 'high';

/**
 * Severity from a 0..1 score and the series' impact: a borderline score on a low-impact series
 * is `info`; a strong score on a high-impact series is `critical`.
 */
export function severityOf(score: number, impact: Impact = 'medium'): Severity {
  const boost = impact === 'high' ? 0.1 : impact === 'low' ? -0.1 : 0;
  const s = score + boost;
  if (s >= 0.8) return 'critical';
  if (s >= 0.7) return 'error';
  if (s >= 0.55) return 'warning';
  return 'info';
}

/** An anomaly opening, growing or ending, as the tracker reports it. */
export interface AnomalyEvent {
  readonly type: 'opened' | 'updated' | 'closed';
  readonly anomaly: Anomaly;
}

/** Which series a tracker follows, and how its anomalies close. */
export interface AnomalyTrackerOptions {
  readonly seriesKey: string;
  readonly detector: string;
  readonly labels?: Labels;
  readonly impact?: Impact;
  /**
   * Normal points in a row that close an anomaly. Default 1 (the first normal point closes it);
   * more keeps a flickering excursion one anomaly, ended at its first normal point.
   */
  readonly closeAfter?: number;
}

/**
 * Turns a stream of per-point results into anomalies: consecutive anomalous points form one
 * anomaly (start, peak score, end); the anomaly closes after `closeAfter` normal points (default:
 * the first). It never throws on a data quirk: a result with a non-finite timestamp, or one older
 * than the open anomaly's start (a late point), is ignored, and a NaN score counts as 0.
 */
export class AnomalyTracker {
  #open: Anomaly | undefined;
  #normalRun = 0;
  #firstNormalAt = 0;
  readonly #closeAfter: number;

  constructor(private readonly series: AnomalyTrackerOptions) {
    this.#closeAfter = series.closeAfter ?? 1;
    if (!Number.isInteger(this.#closeAfter) || this.#closeAfter < 1) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `AnomalyTracker: closeAfter must be an integer >= 1 (got ${series.closeAfter})`, { options: series });
    }
  }

  /** Feeds one result; returns what changed (nothing for a normal point outside an anomaly). */
  observe(timestamp: number, value: number, result: DetectorResult): AnomalyEvent | undefined {
    if (result.warmingUp || !Number.isFinite(timestamp)) return undefined;
    if (this.#open !== undefined && timestamp < this.#open.startsAt) return undefined; // late point
    if (result.anomalous) {
      this.#normalRun = 0;
      const score = Number.isNaN(result.score) ? 0 : result.score;
      const peak = this.#open === undefined || score >= this.#open.score;
      const anomaly: Anomaly = {
        seriesKey: this.series.seriesKey,
        detector: this.series.detector,
        startsAt: this.#open?.startsAt ?? timestamp,
        score: peak ? score : this.#open!.score,
        severity: severityOf(peak ? score : this.#open!.score, this.series.impact),
        value: peak ? value : this.#open!.value,
        expected: result.expected,
        lower: result.lower,
        upper: result.upper,
        reason: peak ? result.reason : this.#open!.reason,
        ...(this.series.labels === undefined ? {} : { labels: this.series.labels }),
      };
      const type = this.#open === undefined ? 'opened' : 'updated';
      this.#open = anomaly;
      return { type, anomaly };
    }
    if (this.#open === undefined) return undefined;
    if (this.#normalRun++ === 0) this.#firstNormalAt = timestamp;
    if (this.#normalRun < this.#closeAfter) return undefined;
    const closed: Anomaly = { ...this.#open, endsAt: this.#firstNormalAt };
    this.#open = undefined;
    this.#normalRun = 0;
    return { type: 'closed', anomaly: closed };
  }
}

/**
 * The `Alert` (from @sightline/core) for an anomaly: source `anomaly`, identified by the series,
 * the detector and the series' labels (so its updates and its end dedup and resolve it), with the
 * explanation and figures as annotations. An anomaly with `endsAt` gives a resolved alert.
 */
export function anomalyToAlert(anomaly: Anomaly, options: { title?: string } = {}): Alert {
  const figure = (x: number | undefined) => (x === undefined ? '' : String(Math.round(x * 1_000) / 1_000));
  return createAlert({
    source: 'anomaly',
    severity: anomaly.severity,
    title: options.title ?? `${anomaly.seriesKey} is anomalous`,
    labels: { ...anomaly.labels, series: anomaly.seriesKey, detector: anomaly.detector },
    annotations: { reason: anomaly.reason, score: figure(anomaly.score), value: figure(anomaly.value), expected: figure(anomaly.expected), lower: figure(anomaly.lower), upper: figure(anomaly.upper) },
    startsAt: anomaly.startsAt,
    ...(anomaly.endsAt === undefined ? {} : { endsAt: anomaly.endsAt }),
  });
}
