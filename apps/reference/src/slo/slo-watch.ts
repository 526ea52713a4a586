import { resolveAlert, type Clock } from '@sightline/core';
import { SloEngine, meetsThreshold, parseSloSpec, serializeSloSpec, type SloEventCounter, type SloSpec, type SloStatus, type SloTracker } from '@sightline/slo';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import type { MetricRow } from '../ingest/otlp-metrics.js';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { requestOutcome } from '../signals/span-outcome.js';
import type { Database } from '../storage/database.js';

/** Where a stored SLO came from: the SLO file (re-read at each start) or the API. */
export type SloSource = 'file' | 'api';

/**
 * The app's SLOs: specs from the SLO file and the API kept in the `slos` table, evaluated by
 * `@sightline/slo` from ingested spans (each SERVER/CONSUMER span is one event of the SLOs of its
 * service, and of its operation when the SLI names one), burn-rate alerts submitted to the alert
 * pipeline, and the evaluator's buckets saved in `slo_state` so a restart keeps every window.
 */
export class SloWatch {
  readonly engine: SloEngine;
  /** Counts SLI events for `/metrics` (`sightline_slo_sli_events_total`), when set. */
  counter: SloEventCounter | undefined;
  readonly #db: Database;
  readonly #alerts: AlertPipeline;
  readonly #clock: Clock;
  readonly #sources = new Map<string, SloSource>();
  /** Trackers by service, so a span finds its SLOs without scanning them all. */
  #byService = new Map<string, SloTracker[]>();
  #reconciled = false;
  /** Last cumulative value per counter series, to turn OTLP cumulative sums into increments. */
  readonly #lastCounter = new Map<string, number>();

  constructor(options: { db: Database; alerts: AlertPipeline; clock: Clock }) {
    this.#db = options.db;
    this.#alerts = options.alerts;
    this.#clock = options.clock;
    this.engine = new SloEngine({ clock: options.clock });
  }

  /**
   * Stores the file's specs (replacing earlier file specs; API specs are kept unless the file
   * names them too), then loads every stored spec and its saved state into the evaluator.
   */
  async load(fileSpecs: readonly SloSpec[]): Promise<void> {
    const now = this.#clock.now();
    await this.#db.transaction(async (tx) => {
      await tx.query(`delete from slos where source = 'file'`);
      for (const spec of fileSpecs) {
        await tx.query(
          `insert into slos (name, spec, source, updated_at) values ($1, $2::jsonb, 'file', $3)
           on conflict (name) do update set spec = excluded.spec, source = 'file', updated_at = excluded.updated_at`,
          [spec.name, JSON.stringify(serializeSloSpec(spec)), now],
        );
      }
    });
    const rows = await this.#db.query<{ name: string; spec: unknown; source: SloSource; state: Parameters<SloTracker['restore']>[0] | null }>(
      `select s.name, s.spec, s.source, st.state from slos s left join slo_state st on st.name = s.name order by s.name`,
    );
    for (const row of rows) {
      const tracker = this.engine.upsert(parseSloSpec(row.spec, `stored SLO ${row.name}`));
      if (row.state !== null) tracker.restore(row.state);
      this.#sources.set(row.name, row.source);
    }
    this.#index();
  }

  /** Creates or replaces an SLO over the API; `SLO_SPEC_INVALID` (a 400) when the spec is bad. */
  async put(input: unknown): Promise<{ spec: SloSpec; created: boolean }> {
    const spec = parseSloSpec(input, 'SLO');
    const created = !this.#sources.has(spec.name);
    await this.#db.query(
      `insert into slos (name, spec, source, updated_at) values ($1, $2::jsonb, 'api', $3)
       on conflict (name) do update set spec = excluded.spec, source = 'api', updated_at = excluded.updated_at`,
      [spec.name, JSON.stringify(serializeSloSpec(spec)), this.#clock.now()],
    );
    this.engine.upsert(spec);
    this.#sources.set(spec.name, 'api');
    this.#index();
    return { spec, created };
  }

  /** Deletes an SLO and resolves its firing alerts; false when there was none. */
  async remove(name: string): Promise<boolean> {
    if (!this.#sources.has(name)) return false;
    await this.#db.transaction(async (tx) => {
      await tx.query(`delete from slos where name = $1`, [name]);
      await tx.query(`delete from slo_state where name = $1`, [name]);
    });
    this.#sources.delete(name);
    for (const alert of this.engine.remove(name)) await this.#alerts.submit(alert);
    this.#index();
    return true;
  }

  source(name: string): SloSource | undefined {
    return this.#sources.get(name);
  }

  specs(): SloSpec[] {
    return [...this.engine.trackers()].map((t) => t.spec);
  }

  status(name: string, at = this.#clock.now()): SloStatus | undefined {
    return this.engine.get(name)?.status(at);
  }

  /** Feeds stored spans: each request span is one event of its service's SLOs. */
  observe(spans: readonly SpanRow[]): void {
    if (this.#byService.size === 0) return;
    for (const span of spans) {
      const trackers = this.#byService.get(span.service);
      if (trackers === undefined) continue;
      const outcome = requestOutcome(span);
      if (outcome === undefined) continue;
      for (const tracker of trackers) {
        const sli = tracker.spec.sli;
        if ('operation' in sli && sli.operation !== undefined && sli.operation !== outcome.operation) continue;
        let good: boolean;
        if (sli.kind === 'availability') good = !outcome.isError;
        else if (sli.kind === 'latency') good = meetsThreshold(outcome.durationMs, sli.op, sli.thresholdMs);
        else continue;
        tracker.recordOutcome(good, outcome.timestamp);
        this.counter?.count(tracker.spec.name, good ? 1 : 0, 1);
      }
    }
  }

  /**
   * Feeds stored metric points to ratio SLIs that name their counters (`goodMetric`,
   * `totalMetric`) for the SLO's service: each export's increase of both counters (summed over
   * their label sets) is one record. Delta sums are increments as they are. Cumulative sums become increments against the last value
   * seen; a drop is a counter reset (the new value is the increase); the first value seen
   * counts whole, as a counter that just started.
   */
  observeMetrics(points: readonly MetricRow[]): void {
    const increments = new Map<string, { tracker: SloTracker; time: number; good: number; total: number }>();
    for (const point of points) {
      if (point.kind !== 'sum') continue;
      for (const tracker of this.#byService.get(point.service) ?? []) {
        const sli = tracker.spec.sli;
        if (sli.kind !== 'ratio' || (sli.goodMetric !== point.name && sli.totalMetric !== point.name)) continue;
        const series = `${point.service}\u0000${point.name}\u0000${JSON.stringify(point.labels)}`;
        const last = this.#lastCounter.get(series);
        if (!this.#lastCounterSeen(series, point.value)) continue;
        const increase = point.temporality === 'delta' || last === undefined || point.value < last ? point.value : point.value - last;
        const key = `${tracker.spec.name}\u0000${point.time_ms}`;
        const acc = increments.get(key) ?? { tracker, time: point.time_ms, good: 0, total: 0 };
        if (point.name === sli.goodMetric) acc.good += increase;
        if (point.name === sli.totalMetric) acc.total += increase;
        increments.set(key, acc);
      }
    }
    for (const { tracker, time, good, total } of increments.values()) {
      if (total <= 0) continue;
      // Good can only exceed total by a label set missing from one export: never count above total.
      const kept = Math.min(good, total);
      tracker.record(kept, total, time);
      this.counter?.count(tracker.spec.name, kept, total);
    }
  }

  #lastCounterSeen(series: string, value: number): boolean {
    if (!Number.isFinite(value) || value < 0) return false;
    this.#lastCounter.set(series, value);
    return true;
  }

  /** Records good/total events for SLIs spans cannot give (ratio, freshness): the events API. */
  record(name: string, good: number, total: number, at = this.#clock.now()): boolean {
    const tracker = this.engine.get(name);
    if (tracker === undefined) return false;
    tracker.record(good, total, at);
    this.counter?.count(name, good, total);
    return true;
  }

  /**
   * Evaluates every SLO and submits the alerts that started or stopped firing. The first run
   * after a start also resolves SLO alerts left firing by the previous process that no longer hold.
   */
  async evaluate(at = this.#clock.now()): Promise<void> {
    const { raised, resolved } = this.engine.evaluate(at);
    for (const alert of [...raised, ...resolved]) await this.#alerts.submit(alert);
    if (!this.#reconciled) {
      this.#reconciled = true;
      const firing = new Set(this.engine.firing().map((a) => a.fingerprint));
      const stored = await this.#alerts.listAlerts({ status: 'firing', limit: 1_000 });
      for (const alert of stored) if (alert.source === 'slo' && !firing.has(alert.fingerprint)) await this.#alerts.submit(resolveAlert(alert, at));
    }
  }

  /** Saves every evaluator's buckets (called periodically and on close). */
  async saveState(): Promise<void> {
    const now = this.#clock.now();
    for (const tracker of this.engine.trackers()) {
      await this.#db.query(
        `insert into slo_state (name, state, saved_at) values ($1, $2::jsonb, $3)
         on conflict (name) do update set state = excluded.state, saved_at = excluded.saved_at`,
        [tracker.spec.name, JSON.stringify(tracker.snapshot()), now],
      );
    }
  }

  #index(): void {
    const byService = new Map<string, SloTracker[]>();
    for (const tracker of this.engine.trackers()) {
      const list = byService.get(tracker.spec.service) ?? [];
      list.push(tracker);
      byService.set(tracker.spec.service, list);
    }
    this.#byService = byService;
  }
}
