import { resolveAlert, type Clock } from '@sightline/core';
import { SloEngine, meetsThreshold, parseSloSpec, serializeSloSpec, type SloEventCounter, type SloSpec, type SloStatus, type SloTracker } from '@sightline/slo';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import type { MetricRow } from '../ingest/otlp-metrics.js';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { requestOutcome } from '../signals/span-outcome.js';
import type { Database, Queryable } from '../storage/database.js';
import { LeaderHandOff } from '../cluster/leader-handoff.js';

/** A follower's events of one SLO in one second, handed to the leader. */
interface HandedOffEvents {
  name: string;
  at_ms: number;
  good: number;
  total: number;
}

const SLO_EVENTS = new LeaderHandOff<HandedOffEvents>('slo-events');

/** Where a stored SLO came from: the SLO file (re-read at each start) or the API. */
export type SloSource = 'file' | 'api';

/**
 * The app's SLOs: specs from the SLO file and the API kept in the `slos` table, evaluated by
 * `@sightline/slo` from ingested spans (each SERVER/CONSUMER span is one event of the SLOs of its
 * service, and of its operation when the SLI names one), burn-rate alerts submitted to the alert
 * pipeline, and the evaluator's buckets saved in `slo_state` so a restart keeps every window.
 *
 * With several replicas each one ingests a share of the traffic, and only the leader evaluates. A
 * follower records its events as usual (its own answers stay immediate) and also hands them to the
 * leader through the database ({@link handOff}, every evaluation interval; cluster/leader-handoff.ts), then takes the
 * leader's saved buckets in place of its own. The leader takes every handed-off event into its
 * buckets and saves them in one transaction before evaluating, so its burn rates count all the
 * traffic and each event is counted once.
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
  /** Whether this process evaluates (the leader, or a process alone); see {@link setLeading}. */
  #leading = true;
  /** Each SLO's spec as stored (JSON), to notice another replica's changes (see #syncSpecs). */
  readonly #storedSpecs = new Map<string, string>();
  /** A follower's events not handed off yet, per SLO and second. */
  #pending = new Map<string, HandedOffEvents>();

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
      this.#storedSpecs.set(row.name, JSON.stringify(row.spec));
    }
    this.#index();
  }

  /** Creates or replaces an SLO over the API; `SLO_SPEC_INVALID` (a 400) when the spec is bad. */
  async put(input: unknown): Promise<{ spec: SloSpec; created: boolean }> {
    const spec = parseSloSpec(input, 'SLO');
    const created = !this.#sources.has(spec.name);
    const [stored] = await this.#db.query<{ spec: unknown }>(
      `insert into slos (name, spec, source, updated_at) values ($1, $2::jsonb, 'api', $3)
       on conflict (name) do update set spec = excluded.spec, source = 'api', updated_at = excluded.updated_at
       returning spec`,
      [spec.name, JSON.stringify(serializeSloSpec(spec)), this.#clock.now()],
    );
    this.engine.upsert(spec);
    this.#sources.set(spec.name, 'api');
    this.#storedSpecs.set(spec.name, JSON.stringify(stored!.spec));
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
    this.#storedSpecs.delete(name);
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
        this.#counted(tracker.spec.name, good ? 1 : 0, 1, outcome.timestamp);
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
      this.#counted(tracker.spec.name, kept, total, time);
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
    this.#counted(name, good, total, at);
    return true;
  }

  /** After an event is recorded: counted for `/metrics`, and kept for the leader when following. */
  #counted(name: string, good: number, total: number, at: number): void {
    this.counter?.count(name, good, total);
    if (this.#leading) return;
    const second = Math.floor(at / 1_000) * 1_000;
    const key = `${name}\u0000${second}`;
    const pending = this.#pending.get(key);
    if (pending === undefined) this.#pending.set(key, { name, at_ms: second, good, total });
    else {
      pending.good += good;
      pending.total += total;
    }
  }

  /**
   * Leading (evaluating) or following. A process becoming the leader first takes the buckets the
   * last leader saved; the events it recorded as a follower and has not handed off yet reach its
   * buckets through the hand-off table at its first evaluation.
   */
  async setLeading(leading: boolean): Promise<void> {
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (leading) await this.#takeSavedState();
  }

  /**
   * A follower's turn: hands its new events to the leader, then takes the leader's saved buckets
   * (which hold the events handed off before) in place of its own. Nothing when leading.
   */
  async handOff(): Promise<void> {
    if (this.#leading) return;
    await this.#flushPending();
    await this.#syncSpecs();
    await this.#takeSavedState();
  }

  /**
   * Takes the SLOs another replica created, replaced or deleted over the API (each writes
   * `slos`), so the leader evaluates them and every replica answers for them. A deleted SLO's
   * firing alerts are resolved by the leader.
   */
  async #syncSpecs(): Promise<void> {
    const rows = await this.#db.query<{ name: string; spec: unknown; source: SloSource }>('select name, spec, source from slos');
    let changed = false;
    for (const row of rows) {
      const stored = JSON.stringify(row.spec);
      if (this.#storedSpecs.get(row.name) === stored) continue;
      this.engine.upsert(parseSloSpec(row.spec, `stored SLO ${row.name}`));
      this.#sources.set(row.name, row.source);
      this.#storedSpecs.set(row.name, stored);
      changed = true;
    }
    const names = new Set(rows.map((row) => row.name));
    for (const name of [...this.#sources.keys()]) {
      if (names.has(name)) continue;
      const resolved = this.engine.remove(name);
      this.#sources.delete(name);
      this.#storedSpecs.delete(name);
      changed = true;
      if (this.#leading) for (const alert of resolved) await this.#alerts.submit(alert);
    }
    if (changed) this.#index();
  }

  async #flushPending(): Promise<void> {
    if (this.#pending.size === 0) return;
    const rows = [...this.#pending.values()];
    this.#pending = new Map();
    try {
      await SLO_EVENTS.send(this.#db, rows);
    } catch (error) {
      // Kept for the next turn, added to what arrived since.
      for (const row of rows) {
        const key = `${row.name}\u0000${row.at_ms}`;
        const later = this.#pending.get(key);
        this.#pending.set(key, later === undefined ? row : { ...row, good: row.good + later.good, total: row.total + later.total });
      }
      throw error;
    }
  }

  /** Replaces every tracker's buckets with those saved in `slo_state` (by the leader). */
  async #takeSavedState(): Promise<void> {
    const rows = await this.#db.query<{ name: string; state: Parameters<SloTracker['restore']>[0] }>(`select name, state from slo_state`);
    for (const row of rows) this.engine.get(row.name)?.restore(row.state);
  }

  /**
   * The leader's turn before evaluating: every event handed off by the followers (and by itself
   * while it followed) goes into its buckets, and the buckets are saved, in one transaction, so an
   * event is counted once whether or not the transaction commits.
   */
  async #takeHandedOff(): Promise<void> {
    await this.#flushPending();
    await this.#syncSpecs();
    const before = [...this.engine.trackers()].map((tracker) => [tracker, tracker.snapshot()] as const);
    try {
      await this.#db.transaction(async (tx) => {
        for (const row of await SLO_EVENTS.take(tx)) this.engine.get(row.name)?.record(row.good, row.total, row.at_ms);
        await this.#saveState(tx);
      });
    } catch (error) {
      for (const [tracker, snapshot] of before) tracker.restore(snapshot);
      throw error;
    }
  }

  /**
   * Evaluates every SLO and submits the alerts that started or stopped firing. The first run
   * after a start also resolves SLO alerts left firing by the previous process that no longer hold.
   */
  async evaluate(at = this.#clock.now()): Promise<void> {
    await this.#takeHandedOff();
    const { raised, resolved } = this.engine.evaluate(at);
    for (const alert of [...raised, ...resolved]) await this.#alerts.submit(alert);
    if (!this.#reconciled) {
      this.#reconciled = true;
      const firing = new Set(this.engine.firing().map((a) => a.fingerprint));
      const stored = await this.#alerts.listAlerts({ status: 'firing', limit: 1_000 });
      for (const alert of stored) if (alert.source === 'slo' && !firing.has(alert.fingerprint)) await this.#alerts.submit(resolveAlert(alert, at));
    }
  }

  /** Saves every evaluator's buckets (each evaluation does; and on close). */
  saveState(): Promise<void> {
    return this.#saveState(this.#db);
  }

  /** One statement for every SLO: the leader saves at each evaluation. */
  async #saveState(db: Queryable): Promise<void> {
    const states = [...this.engine.trackers()].map((tracker) => ({ name: tracker.spec.name, state: tracker.snapshot() }));
    if (states.length === 0) return;
    await db.query(
      `insert into slo_state (name, state, saved_at)
       select name, state, $2 from jsonb_to_recordset($1::jsonb) as r(name text, state jsonb) order by name
       on conflict (name) do update set state = excluded.state, saved_at = excluded.saved_at`,
      [JSON.stringify(states), this.#clock.now()],
    );
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
