import type { Severity } from './severity.js';

/** String labels identifying a series or an alert (Prometheus-style). */
export type Labels = Readonly<Record<string, string>>;

/** One observation of a metric. */
export interface TimeSeriesPoint {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly value: number;
  readonly labels?: Labels;
}

/**
 * Something a detector found unusual: one anomaly spans consecutive anomalous points
 * (`startsAt`..`endsAt`; `endsAt` absent while it is still going on).
 */
export interface Anomaly {
  /** Identifies the series (e.g. `http.latency.p95{service="checkout"}`). */
  readonly seriesKey: string;
  /** Name of the detector that raised it. */
  readonly detector: string;
  /** Epoch ms of the first anomalous point. */
  readonly startsAt: number;
  /** Epoch ms of the last anomalous point, once the anomaly has ended. */
  readonly endsAt?: number;
  /** Peak score, 0..1. */
  readonly score: number;
  readonly severity: Severity;
  /** The observed value at the peak. */
  readonly value: number;
  /** What the detector expected at the peak, with the band it tolerated. */
  readonly expected?: number;
  readonly lower?: number;
  readonly upper?: number;
  /** Human-readable explanation. */
  readonly reason: string;
  readonly labels?: Labels;
}
