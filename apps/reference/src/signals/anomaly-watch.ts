import { anomalyToAlert, DefaultDetector, DetectorRegistry, type AnomalyEvent } from '@sightline/anomaly';
import type { Clock } from '@sightline/core';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import { upsertAnomaly } from '../storage/anomaly-store.js';
import type { Database } from '../storage/database.js';
import { DERIVED_METRIC, REPLICA_GRACE_MS } from './request-series.js';
import { HandOffQueue, LeaderHandOff } from '../cluster/leader-handoff.js';

/** One point of a series to watch: a derived request series or an ingested gauge. */
export interface WatchedPoint {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly timestamp: number;
  readonly value: number;
}

const WATCHED_POINTS = new LeaderHandOff<WatchedPoint>('anomaly-points');

/**
 * Noise floors per series kind, so a quiet series does not alarm on tiny wiggles: a standard
 * deviation below the floor counts as the floor.
 */
const MIN_STD_DEV: Readonly<Record<string, number>> = {
  [DERIVED_METRIC.request_rate]: 0.5, // requests per second
  [DERIVED_METRIC.error_ratio]: 0.02,
  [DERIVED_METRIC.latency_p95]: 10, // ms
};

const STORED_NAMES: Readonly<Record<string, string>> = DERIVED_METRIC;

/**
 * The name a watched series is stored under: a derived series (`latency_p95`) by its metric name
 * (`sightline.request.duration.p95`), so an anomaly's series key finds its points in
 * `metric_points` (the anomalies page draws them); an ingested gauge by its own name.
 */
function storedName(name: string): string {
  return Object.hasOwn(STORED_NAMES, name) ? STORED_NAMES[name]! : name;
}

/**
 * Runs the package's default detector per series (a z-score over the last hour of one-minute
 * points, its spread floored by the series' long-run scale, and the daily-pattern detector's
 * learned hours of the day), stores each anomaly and raises it as an alert through the pipeline; the
 * alert resolves when the anomaly ends. The registry's tracker already makes one excursion one
 * anomaly, so the detector's own event gate is off (it would end the anomaly at the first held
 * repeat).
 *
 * With several replicas (`shared`) only the leader detects, over every replica's points: followers
 * hand their points to it through the database ({@link flush}), and the leader holds every point
 * for {@link REPLICA_GRACE_MS} so that the replicas' points of a series reach its detector in time
 * order (a point arriving later than that is out of order, and refused and counted as such).
 */
export class AnomalyWatch {
  readonly #registry: DetectorRegistry;
  readonly #db: Database;
  readonly #alerts: AlertPipeline;
  readonly #onError: (error: unknown) => void;
  #rejected = 0;
  readonly #pending = new Set<Promise<void>>();
  /** The last record queued per series key. */
  readonly #tails = new Map<string, Promise<void>>();
  readonly #clock: Clock;
  readonly #shared: boolean;
  #leading = true;
  /** Leader, shared: points held until the followers' points of the same time have arrived. */
  #held: WatchedPoint[] = [];
  /** Follower: points not handed off yet. */
  readonly #toHandOff = new HandOffQueue(WATCHED_POINTS);

  constructor(options: { db: Database; alerts: AlertPipeline; clock: Clock; onError: (error: unknown) => void; maxSeries?: number; shared?: boolean }) {
    this.#db = options.db;
    this.#alerts = options.alerts;
    this.#onError = options.onError;
    this.#clock = options.clock;
    this.#shared = options.shared ?? false;
    this.#registry = new DetectorRegistry({
      clock: options.clock,
      maxSeries: options.maxSeries ?? 10_000,
      idleMs: 6 * 3_600_000,
      create: (key) => new DefaultDetector({ level: { window: 60, warmup: 15, threshold: 4, minStdDev: MIN_STD_DEV[key.slice(0, key.indexOf('{'))] ?? 0 }, eventGate: false }),
    });
  }

  /** Points refused by a detector (out of order, not finite). */
  get rejected(): number {
    return this.#rejected;
  }

  /** Leading (detecting) or following (handing off); a replica stepping down hands off what it held. */
  setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (!leading) this.#toHandOff.push(this.#held.splice(0));
  }

  /**
   * Scores each point; anomalies are stored and alerted in the background (see `settled`). With
   * several replicas a follower keeps the points for the leader, and the leader holds them (see
   * {@link flush}).
   */
  observe(points: readonly WatchedPoint[]): Promise<void> {
    if (!this.#leading) this.#toHandOff.push(points);
    else if (this.#shared) this.#held.push(...points);
    else return this.#score(points);
    return Promise.resolve();
  }

  /**
   * Called on a timer: a follower hands off its points; a shared leader takes the followers' points
   * and scores, oldest first, every point held for {@link REPLICA_GRACE_MS}.
   */
  async flush(): Promise<void> {
    if (!this.#leading) return this.#toHandOff.send(this.#db);
    if (!this.#shared) return;
    this.#held.push(...(await WATCHED_POINTS.take(this.#db)));
    const releaseBefore = this.#clock.now() - REPLICA_GRACE_MS;
    const due = this.#held.filter((p) => p.timestamp <= releaseBefore).sort((a, b) => a.timestamp - b.timestamp);
    this.#held = this.#held.filter((p) => p.timestamp > releaseBefore);
    await this.#score(due);
  }

  #score(points: readonly WatchedPoint[]): Promise<void> {
    const work: Promise<void>[] = [];
    for (const point of points) {
      const key = seriesKey(storedName(point.name), point.labels);
      try {
        const { event } = this.#registry.update(key, { timestamp: point.timestamp, value: point.value }, point.labels);
        if (event !== undefined) work.push(this.#inOrder(key, () => this.#record(event, point)));
      } catch {
        this.#rejected++;
      }
    }
    const done = Promise.all(work).then(() => undefined);
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
    return done;
  }

  /** Resolves when every anomaly observed so far is stored and alerted (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.#pending);
  }

  /** Forgets series idle for six hours. */
  evictIdle(): number {
    return this.#registry.evictIdle();
  }

  /**
   * Runs `task` after the series' earlier records: one batch can hold an anomaly's start, updates
   * and end, and on a database pool they would otherwise race (an end stored before its start, or
   * two open rows refused by the one-open-anomaly index).
   */
  #inOrder(key: string, task: () => Promise<void>): Promise<void> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(task).catch(this.#onError);
    this.#tails.set(key, next);
    void next.finally(() => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    });
    return next;
  }

  async #record(event: AnomalyEvent, point: WatchedPoint): Promise<void> {
    const { anomaly } = event;
    await upsertAnomaly(this.#db, anomaly);
    const title = `${point.name} is anomalous for ${point.labels.service ?? anomaly.seriesKey}${point.labels.operation ? ` ${point.labels.operation}` : ''}`;
    await this.#alerts.submit(anomalyToAlert(anomaly, { title }));
  }
}

/** `name{k="v",...}` with labels sorted, the Prometheus way. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}
