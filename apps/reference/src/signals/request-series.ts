import type { Clock } from '@sightline/core';
import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database } from '../storage/database.js';
import { insertMetricPoints } from '../storage/metric-store.js';
import { DerivedSeries, type DerivedPoint } from './derived-series.js';
import { requestOutcome, type RequestOutcome } from './span-outcome.js';

/** Metric name under which each derived series is stored (queryable like any ingested metric). */
export const DERIVED_METRIC = {
  request_rate: 'sightline.request.rate',
  error_ratio: 'sightline.request.error_ratio',
  latency_p95: 'sightline.request.duration.p95',
} as const;

/** OTel SpanKind numbers as OTLP sends them. */
const SERVER = 2;
const CONSUMER = 5;
/** Services remembered as having entry spans; beyond it root spans of new services are not counted. */
const MAX_ENTRY_SERVICES = 10_000;

/**
 * Derives per-minute request rate, error ratio and p95 latency per service and operation from
 * ingested spans, stores them as metric points, and hands them to `onPoints` (anomaly detection).
 * A request counts once, by its entry span: a SERVER or CONSUMER span; for a service never seen
 * with one (a batch job, a load generator), its root spans — the overview counts the same way.
 */
export class RequestSeries {
  readonly #series = new DerivedSeries();
  /** Services seen with SERVER or CONSUMER spans: their root spans of other kinds are not requests. */
  readonly #entryServices = new Set<string>();
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #onPoints: (points: readonly DerivedPoint[]) => void;
  readonly #onError: (error: unknown) => void;
  readonly #writes = new Set<Promise<void>>();

  constructor(options: { db: Database; clock: Clock; onPoints?: (points: readonly DerivedPoint[]) => void; onError: (error: unknown) => void }) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#onPoints = options.onPoints ?? (() => undefined);
    this.#onError = options.onError;
  }

  /** Feeds stored spans; points of minutes that closed are stored in the background. */
  observe(spans: readonly SpanRow[]): void {
    const closed: DerivedPoint[] = [];
    for (const span of spans) {
      if ((span.kind === SERVER || span.kind === CONSUMER) && this.#entryServices.size < MAX_ENTRY_SERVICES) this.#entryServices.add(span.service);
    }
    for (const span of spans) {
      const outcome = requestOutcome(span) ?? this.#rootOutcome(span);
      if (outcome !== undefined) closed.push(...this.#series.add(outcome));
    }
    this.#emit(closed);
  }

  /** A root span of a service without entry spans, judged as if it were one (same operation and error rules). */
  #rootOutcome(span: SpanRow): RequestOutcome | undefined {
    if (span.parent_span_id !== null || this.#entryServices.has(span.service) || this.#entryServices.size >= MAX_ENTRY_SERVICES) return undefined;
    return requestOutcome({ ...span, kind: SERVER });
  }

  /** Closes minutes of keys that went quiet (called on a timer). */
  flush(): void {
    this.#emit(this.#series.flushBefore(this.#clock.now()));
  }

  #emit(points: DerivedPoint[]): void {
    if (points.length === 0) return;
    this.#onPoints(points);
    const rows = points.map((p) => ({
      name: DERIVED_METRIC[p.name],
      service: p.labels.service,
      kind: 'gauge' as const,
      labels: { operation: p.labels.operation },
      time_ms: p.timestamp,
      value: p.value,
      histogram: null,
      temporality: null,
    }));
    const write = insertMetricPoints(this.#db, rows)
      .catch(this.#onError)
      .finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }

  /** Resolves when every write started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#writes]);
  }
}
