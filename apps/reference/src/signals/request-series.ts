import type { Clock } from '@sightline/core';
import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database } from '../storage/database.js';
import { insertMetricPoints } from '../storage/metric-store.js';
import { HandOffQueue, LeaderHandOff } from '../cluster/leader-handoff.js';
import { DerivedSeries, mergeMinutes, pointsOf, type ClosedMinute, type DerivedPoint } from './derived-series.js';
import { isEntryKind, requestOutcome, SPAN_KIND_SERVER, type RequestOutcome } from './span-outcome.js';

/** Metric name under which each derived series is stored (queryable like any ingested metric). */
export const DERIVED_METRIC = {
  request_rate: 'sightline.request.rate',
  error_ratio: 'sightline.request.error_ratio',
  latency_p95: 'sightline.request.duration.p95',
} as const;

/** Services remembered as having entry spans; beyond it root spans of new services are not counted. */
const MAX_ENTRY_SERVICES = 10_000;
/**
 * With several replicas, how long after a minute ends the leader waits for the followers' shares
 * of it: a follower closes a minute within one flush interval (15 s) of its end and hands it off
 * at its next flush.
 */
export const REPLICA_GRACE_MS = 45_000;

const REQUEST_MINUTES = new LeaderHandOff<ClosedMinute>('request-minutes');

/**
 * Derives per-minute request rate, error ratio and p95 latency per service and operation from
 * ingested spans, stores them as metric points, and hands them to `onPoints` (anomaly detection).
 * A request counts once, by its entry span: a SERVER or CONSUMER span; for a service never seen
 * with one (a batch job, a load generator), its root spans — the overview counts the same way.
 *
 * With several replicas (`shared`) each sees a share of the requests: a follower hands its closed
 * minutes to the leader through the database ({@link flush}), and the leader adds them to its own
 * and emits a minute once {@link REPLICA_GRACE_MS} have passed since it ended, so each minute of a
 * series is one point over all the traffic. A share arriving after its minute was emitted is
 * dropped and counted (`lateShares`).
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
  readonly #shared: boolean;
  #leading = true;
  /** Leader, shared: closed minutes (by service, operation, minute) waiting for the followers' shares. */
  #waiting = new Map<string, ClosedMinute>();
  /** Follower: closed minutes not handed off yet. */
  readonly #toHandOff = new HandOffQueue(REQUEST_MINUTES);
  /** When the leader last emitted: minutes due then are emitted already. */
  #lastEmitAt = -Infinity;
  #lateShares = 0;

  constructor(options: { db: Database; clock: Clock; onPoints?: (points: readonly DerivedPoint[]) => void; onError: (error: unknown) => void; shared?: boolean }) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#onPoints = options.onPoints ?? (() => undefined);
    this.#onError = options.onError;
    this.#shared = options.shared ?? false;
  }

  /** Followers' shares of minutes taken after those minutes were emitted (dropped). */
  get lateShares(): number {
    return this.#lateShares;
  }

  /** Leading (emitting) or following (handing off); a replica stepping down hands off what it was waiting on. */
  setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (!leading) {
      this.#toHandOff.push([...this.#waiting.values()]);
      this.#waiting = new Map();
    }
  }

  /** Feeds stored spans; points of minutes that closed are stored in the background. */
  observe(spans: readonly SpanRow[]): void {
    const closed: ClosedMinute[] = [];
    for (const span of spans) {
      if (isEntryKind(span.kind) && this.#entryServices.size < MAX_ENTRY_SERVICES) this.#entryServices.add(span.service);
    }
    for (const span of spans) {
      const outcome = requestOutcome(span) ?? this.#rootOutcome(span);
      if (outcome !== undefined) closed.push(...this.#series.add(outcome));
    }
    this.#closed(closed);
  }

  /** A root span of a service without entry spans, judged as if it were one (same operation and error rules). */
  #rootOutcome(span: SpanRow): RequestOutcome | undefined {
    if (span.parent_span_id !== null || this.#entryServices.has(span.service) || this.#entryServices.size >= MAX_ENTRY_SERVICES) return undefined;
    return requestOutcome({ ...span, kind: SPAN_KIND_SERVER });
  }

  /**
   * Closes minutes of keys that went quiet (called on a timer). Then a follower hands off its
   * closed minutes, and a shared leader takes the followers' shares and emits the minutes due.
   * Alone, a minute is emitted as it closes, before anything is awaited.
   */
  async flush(): Promise<void> {
    this.#closed(this.#series.flushBefore(this.#clock.now()));
    if (!this.#leading) return this.#toHandOff.send(this.#db);
    if (this.#shared) await this.#takeSharesAndEmit();
  }

  #closed(minutes: readonly ClosedMinute[]): void {
    if (minutes.length === 0) return;
    if (!this.#leading) this.#toHandOff.push(minutes);
    else if (!this.#shared) this.#emit(minutes.flatMap(pointsOf));
    else for (const minute of minutes) addShare(this.#waiting, minute);
  }

  /**
   * Takes the followers' shares and emits every minute {@link REPLICA_GRACE_MS} past its end. The
   * shares are deleted and the points stored in one transaction; only after it commits do the
   * minutes leave the waiting room, so a failed round takes and emits nothing.
   */
  async #takeSharesAndEmit(): Promise<void> {
    const now = this.#clock.now();
    const waiting = new Map(this.#waiting);
    const due: ClosedMinute[] = [];
    await this.#db.transaction(async (tx) => {
      for (const share of await REQUEST_MINUTES.take(tx)) {
        if (minuteEnd(share) + REPLICA_GRACE_MS <= this.#lastEmitAt) this.#lateShares++;
        else addShare(waiting, share);
      }
      for (const [key, minute] of waiting) {
        if (minuteEnd(minute) + REPLICA_GRACE_MS > now) continue;
        due.push(minute);
        waiting.delete(key);
      }
      await insertMetricPoints(tx, due.flatMap(pointsOf).map(asMetricRow));
    });
    this.#waiting = waiting;
    this.#lastEmitAt = now;
    if (due.length > 0) this.#onPoints(due.flatMap(pointsOf));
  }

  #emit(points: DerivedPoint[]): void {
    if (points.length === 0) return;
    this.#onPoints(points);
    const write = insertMetricPoints(this.#db, points.map(asMetricRow))
      .catch(this.#onError)
      .finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }

  /** Resolves when every write started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#writes]);
  }
}

function asMetricRow(p: DerivedPoint) {
  return { name: DERIVED_METRIC[p.name], service: p.labels.service, kind: 'gauge' as const, labels: { operation: p.labels.operation }, time_ms: p.timestamp, value: p.value, histogram: null, temporality: null };
}

function minuteEnd(minute: ClosedMinute): number {
  return (minute.minute + 1) * 60_000;
}

/** Adds a share of a minute to the one waiting for the same service, operation and minute. */
function addShare(waiting: Map<string, ClosedMinute>, share: ClosedMinute): void {
  const key = `${share.service}\u0000${share.operation}\u0000${share.minute}`;
  const found = waiting.get(key);
  waiting.set(key, found === undefined ? share : mergeMinutes(found, share));
}
