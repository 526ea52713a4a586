import { SightlineError, type Alert, type Clock, type Labels, type Severity } from '@sightline/core';
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.js';
import { SqlFilter } from '../storage/sql-filter.js';
import { groupKeyOf, type AlertNotification, type NotificationSink } from './alert-sinks.js';
import type { LiveValues, LiveValuesReader } from './live-values.js';
import { silences, type Silence, type SilenceInput } from './silence.js';

/** Retry schedule for failed deliveries: exponential from `initialMs`, capped at `maxMs`. */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  /** After this many failed attempts the delivery is marked failed and no longer retried. */
  maxAttempts: number;
}

export interface AlertPipelineOptions {
  db: Database;
  clock: Clock;
  sinks: readonly NotificationSink[];
  retry?: RetryPolicy;
  /** How long a claimed delivery is reserved for one dispatcher before another may retry it. */
  leaseMs?: number;
  /**
   * Escalation: which sinks hear of a firing alert, and after how long unacknowledged. Steps with
   * `afterMs > 0` are cancelled when the alert is acknowledged or resolves first. Default: every
   * sink at once.
   */
  escalation?: readonly EscalationStep[];
  /**
   * Trace ids that illustrate an alert (e.g. its service's recent error traces), looked up when it
   * opens and stored as the `traceIds` annotation: incidents join alerts that share them.
   */
  exemplars?: (alert: Alert, db: Queryable) => Promise<readonly string[]>;
  /**
   * Resolve hold-down, ms (default 5 minutes, Alertmanager's `resolve_timeout`): a resolved
   * condition stays the same firing alert until it has been clear this long, so a condition
   * oscillating at its threshold continues one alert (its id, its acknowledgement) instead of
   * opening a new one at each crossing. Sinks hear of the resolution when the hold-down ends, with
   * `endsAt` the instant the condition cleared. 0 resolves at once.
   */
  resolveHoldDownMs?: number;
}

/** Default resolve hold-down: 5 minutes. */
export const DEFAULT_RESOLVE_HOLD_DOWN_MS = 5 * 60_000;

/** One step of an escalation policy. */
export interface EscalationStep {
  afterMs: number;
  sinks: readonly string[];
}

/**
 * What `submit` did with an alert: `opened` a new one; `updated` the firing one of that
 * fingerprint; `resumed` one whose condition had cleared within the hold-down (the same alert
 * goes on); `clearing`: the condition cleared, the alert resolves when the hold-down ends;
 * `resolved` at once (hold-down 0, or already over); `ignored`: nothing firing to resolve.
 */
export type SubmitOutcome = 'opened' | 'updated' | 'resumed' | 'clearing' | 'resolved' | 'ignored';

/** An alert as stored, with whether a silence muted it. */
export interface StoredAlert extends Alert {
  silenced: boolean;
  updatedAt: number;
  /** Who acknowledged this occurrence (someone is on it), and when; absent until then. */
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  /** While firing: when its condition cleared (epoch ms); it resolves at `resolvesAt` unless it comes back. */
  clearedAt?: number;
  resolvesAt?: number;
  /** How many times the condition came back within the hold-down (absent when never). */
  flaps?: number;
}

interface AlertRow {
  id: string;
  fingerprint: string;
  source: string;
  severity: Severity;
  title: string;
  labels: Labels;
  annotations: Labels;
  status: Alert['status'];
  starts_at: number;
  ends_at: number | null;
  updated_at: number;
  silenced: boolean;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  cleared_at: number | null;
  resolves_at: number | null;
  flaps: number;
}

const DEFAULT_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 300_000, maxAttempts: 12 };

/**
 * The one path every alert takes (SLO burn, anomaly, cost): identity by fingerprint (one firing
 * occurrence at a time, as Alertmanager identifies alerts by their labels), resolve when the
 * condition has stayed clear for the hold-down (a flapping condition continues one alert and its
 * acknowledgement), silences, live values beside the stored alert, and at-least-once delivery to
 * every sink through an outbox table written in the same transaction as the change (with
 * periodic re-sends to sinks that want them).
 */
export class AlertPipeline {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #sinks: Map<string, NotificationSink>;
  readonly #retry: RetryPolicy;
  readonly #leaseMs: number;
  readonly #escalation: readonly EscalationStep[];
  readonly #exemplars: AlertPipelineOptions['exemplars'];
  readonly #holdDownMs: number;
  readonly #live = new Map<string, LiveValuesReader>();
  #timer: NodeJS.Timeout | undefined;
  #dispatching: Promise<unknown> | undefined;

  constructor(options: AlertPipelineOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#sinks = new Map(options.sinks.map((s) => [s.name, s]));
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#escalation = options.escalation ?? [{ afterMs: 0, sinks: [...this.#sinks.keys()] }];
    this.#exemplars = options.exemplars;
    this.#holdDownMs = options.resolveHoldDownMs ?? DEFAULT_RESOLVE_HOLD_DOWN_MS;
    if (!(Number.isFinite(this.#holdDownMs) && this.#holdDownMs >= 0)) throw new SightlineError('ALERT_HOLD_DOWN_INVALID', `resolveHoldDownMs must be a duration >= 0 in ms, got ${String(options.resolveHoldDownMs)}`);
    for (const step of this.#escalation) {
      for (const sink of step.sinks) if (!this.#sinks.has(sink)) throw new SightlineError('ALERT_ESCALATION_INVALID', `Escalation names sink ${JSON.stringify(sink)}, which is not configured`);
    }
  }

  /** Records an alert state change and queues its notifications. */
  async submit(alert: Alert): Promise<SubmitOutcome> {
    const now = this.#clock.now();
    return this.#db.transaction(async (tx) => {
      const open = (await tx.query<AlertRow>(`select * from alerts where fingerprint = $1 and status = 'firing'`, [alert.fingerprint]))[0];
      if (alert.status === 'firing') {
        if (open !== undefined) {
          // The exemplar traces found when it opened stay: they tie the alert to its incident.
          const annotations = { ...(open.annotations.traceIds === undefined ? {} : { traceIds: open.annotations.traceIds }), ...alert.annotations };
          const resumed = open.cleared_at !== null;
          // Back within the hold-down: the same alert goes on (id, acknowledgement, escalation); no
          // sink was told it resolved, so none is told it fired again.
          await tx.query(
            `update alerts set annotations = $2, severity = $3, title = $4, updated_at = $5, cleared_at = null, resolves_at = null, flaps = flaps + $6 where id = $1`,
            [open.id, JSON.stringify(annotations), alert.severity, alert.title, now, resumed ? 1 : 0],
          );
          return resumed ? 'resumed' : 'updated';
        }
        const silenced = await this.#isSilenced(tx, alert.labels, now);
        const traceIds = alert.annotations.traceIds === undefined ? await this.#exemplars?.(alert, tx) : undefined;
        return this.#open(tx, traceIds === undefined || traceIds.length === 0 ? alert : { ...alert, annotations: { ...alert.annotations, traceIds: traceIds.join(',') } }, silenced, now);
      }
      if (open === undefined) return 'ignored';
      // A second resolve during the hold-down keeps the first clear instant (the alert's end).
      const endsAt = Math.max(open.starts_at, open.cleared_at ?? alert.endsAt ?? now);
      // The hold-down runs from when the condition cleared: a source reporting an old end (replayed
      // data) is not held past it.
      const resolvesAt = endsAt + this.#holdDownMs;
      if (this.#holdDownMs > 0 && resolvesAt > now) {
        await tx.query('update alerts set cleared_at = $2, resolves_at = $3, updated_at = $4 where id = $1', [open.id, endsAt, resolvesAt, now]);
        return 'clearing';
      }
      await this.#resolve(tx, open, endsAt, now);
      return 'resolved';
    });
  }

  /**
   * Resolves the alerts whose hold-down has ended (their condition stayed clear), and queues the
   * resolutions. Runs at the start of every `dispatchDue`; returns how many resolved.
   */
  async resolveHeld(): Promise<number> {
    const now = this.#clock.now();
    return this.#db.transaction(async (tx) => {
      const due = await tx.query<AlertRow>(`select * from alerts where status = 'firing' and resolves_at is not null and resolves_at <= $1 order by resolves_at for update skip locked`, [now]);
      for (const row of due) await this.#resolve(tx, row, Number(row.cleared_at ?? row.resolves_at), now);
      return due.length;
    });
  }

  async #resolve(tx: Queryable, open: AlertRow, endsAt: number, now: number): Promise<void> {
    await tx.query(`update alerts set status = 'resolved', ends_at = $2, updated_at = $3, cleared_at = null, resolves_at = null where id = $1`, [open.id, endsAt, now]);
    if (!open.silenced) await this.#enqueue(tx, { ...toAlert(open), status: 'resolved', endsAt }, now);
  }

  /**
   * Reads live values for the alerts of `source` (e.g. an SLO's burn rates now) with `reader`:
   * shown beside the alert and sent with re-sends. Replaces an earlier reader of that source.
   */
  useLiveValues(source: string, reader: LiveValuesReader): void {
    this.#live.set(source, reader);
  }

  /** The live values of a firing alert, when its source has a reader and it has values. */
  liveValuesOf(alert: Alert): LiveValues | undefined {
    if (alert.status !== 'firing') return undefined;
    return this.#live.get(alert.source)?.(alert, this.#clock.now());
  }

  /** Inserts a newly firing alert and queues its notifications unless silenced. */
  async #open(tx: Queryable, alert: Alert, silenced: boolean, now: number): Promise<SubmitOutcome> {
    const inserted = await tx.query(
      `insert into alerts (id, fingerprint, source, severity, title, labels, annotations, status, starts_at, ends_at, updated_at, silenced)
       values ($1, $2, $3, $4, $5, $6, $7, 'firing', $8, null, $9, $10) on conflict (id) do nothing returning id`,
      [alert.id, alert.fingerprint, alert.source, alert.severity, alert.title, JSON.stringify(alert.labels), JSON.stringify(alert.annotations), alert.startsAt, now, silenced],
    );
    if (inserted.length === 0) return 'ignored';
    if (!silenced) await this.#enqueue(tx, alert, now);
    return 'opened';
  }

  /**
   * Sends every delivery that is due: claims a batch (so replicas never send the same one
   * concurrently), sends it, and records success or schedules the retry.
   */
  async dispatchDue(): Promise<{ delivered: number; retrying: number; failed: number }> {
    await this.resolveHeld();
    await this.#queueResends();
    const now = this.#clock.now();
    const claimed = await this.#db.query<{ id: string | number; sink: string; payload: AlertNotification; attempts: number }>(
      `update alert_deliveries set next_attempt_at = $1 + $2
       where id in (select id from alert_deliveries where delivered_at is null and failed_at is null and next_attempt_at <= $1
                    order by next_attempt_at limit 100 for update skip locked)
       returning id, sink, payload, attempts`,
      [now, this.#leaseMs],
    );
    const counts = { delivered: 0, retrying: 0, failed: 0 };
    for (const delivery of claimed) {
      const sink = this.#sinks.get(delivery.sink);
      try {
        if (sink === undefined) throw new SightlineError('ALERT_SINK_UNKNOWN', `No sink named ${delivery.sink} is configured`);
        await sink.send(delivery.payload);
        await this.#db.query('update alert_deliveries set delivered_at = $2, attempts = attempts + 1 where id = $1', [delivery.id, this.#clock.now()]);
        counts.delivered++;
      } catch (error) {
        const attempts = delivery.attempts + 1;
        const message = (error as Error).message;
        if (attempts >= this.#retry.maxAttempts || sink === undefined) {
          await this.#db.query('update alert_deliveries set attempts = $2, failed_at = $3, last_error = $4 where id = $1', [delivery.id, attempts, this.#clock.now(), message]);
          counts.failed++;
        } else {
          const backoff = Math.min(this.#retry.maxMs, this.#retry.initialMs * 2 ** (attempts - 1));
          await this.#db.query('update alert_deliveries set attempts = $2, next_attempt_at = $3, last_error = $4 where id = $1', [delivery.id, attempts, this.#clock.now() + backoff, message]);
          counts.retrying++;
        }
      }
    }
    return counts;
  }

  /**
   * Queues a fresh `firing` notification, with the alert as it is now and its live values, to
   * every sink with a `resendIntervalMs` that was told of a still firing, unsilenced alert and has
   * heard nothing of it for that long — as Prometheus re-sends firing alerts to Alertmanager.
   */
  async #queueResends(): Promise<void> {
    const now = this.#clock.now();
    for (const sink of this.#sinks.values()) {
      if (sink.resendIntervalMs === undefined) continue;
      const due = await this.#db.query<AlertRow>(
        `select a.* from alerts a
         where a.status = 'firing' and not a.silenced
           and exists (select 1 from alert_deliveries d where d.alert_id = a.id and d.sink = $1
                       and (d.delivered_at is not null or d.failed_at is not null) and (d.last_error is null or d.last_error not like 'cancelled:%'))
           and not exists (select 1 from alert_deliveries d where d.alert_id = a.id and d.sink = $1 and (d.last_error is null or d.last_error not like 'cancelled:%')
                           and ((d.delivered_at is null and d.failed_at is null) or coalesce(d.delivered_at, d.failed_at) > $2))
         order by a.starts_at limit 500`,
        [sink.name, now - sink.resendIntervalMs],
      );
      for (const row of due) {
        const alert = toAlert(row);
        await this.#db.query('insert into alert_deliveries (alert_id, sink, payload, next_attempt_at) values ($1, $2, $3, $4)', [alert.id, sink.name, JSON.stringify(this.#notification(alert)), now]);
      }
    }
  }

  /** Deliveries not yet delivered nor given up (for `/metrics` and tests). */
  async pendingDeliveries(): Promise<number> {
    const rows = await this.#db.query<{ n: number }>('select count(*)::int as n from alert_deliveries where delivered_at is null and failed_at is null');
    return rows[0]?.n ?? 0;
  }

  /** Dispatches every `intervalMs` until `close()`. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#dispatching !== undefined) return;
      this.#dispatching = this.dispatchDue()
        .catch(onError)
        .finally(() => (this.#dispatching = undefined));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops dispatching and waits for a dispatch in progress. Idempotent. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#dispatching;
  }

  /** Alerts newest change first; `fingerprint` narrows to the occurrences of one alert identity. */
  async listAlerts(query: { status?: Alert['status']; limit: number; beforeUpdatedAt?: number; fingerprint?: string }): Promise<StoredAlert[]> {
    const filter = new SqlFilter().addIf('status = ?', query.status).addIf('updated_at < ?', query.beforeUpdatedAt).addIf('fingerprint = ?', query.fingerprint);
    const rows = await this.#db.query<AlertRow>(`select * from alerts ${filter.where()} order by updated_at desc limit ${filter.param(query.limit)}`, filter.params);
    return rows.map(toStoredAlert);
  }

  /**
   * Records that `by` is on a firing alert and stops its escalation. Acknowledging does not mute
   * it (that is a silence): the sinks already told still hear when it resolves. The
   * acknowledgement lasts the alert's life, re-fires within the hold-down included. `id` is the
   * alert's id or its fingerprint. Returns undefined when no firing alert has that id.
   */
  async acknowledge(id: string, by: string): Promise<StoredAlert | undefined> {
    const now = this.#clock.now();
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query<AlertRow>(
        `update alerts set acknowledged_by = $2, acknowledged_at = $3, updated_at = $3 where (id = $1 or fingerprint = $1) and status = 'firing' returning *`,
        [id, by, now],
      );
      if (rows[0] === undefined) return undefined;
      // Someone is on it: the escalation stops here.
      await this.#cancelEscalation(tx, rows[0].id, 'acknowledged', now);
      return toStoredAlert(rows[0]);
    });
  }

  async createSilence(input: SilenceInput): Promise<Silence> {
    const silence: Silence = { id: randomUUID(), startsAt: input.startsAt ?? this.#clock.now(), ...input };
    await this.#db.query('insert into silences (id, matchers, comment, created_by, starts_at, ends_at) values ($1, $2, $3, $4, $5, $6)', [
      silence.id,
      JSON.stringify(silence.matchers),
      silence.comment,
      silence.createdBy,
      silence.startsAt,
      silence.endsAt,
    ]);
    return silence;
  }

  /** Ends a silence now; returns false when there is no such active silence. */
  async expireSilence(id: string): Promise<boolean> {
    const now = this.#clock.now();
    const rows = await this.#db.query('update silences set ends_at = $2 where id = $1 and ends_at > $2 returning id', [id, now]);
    return rows.length > 0;
  }

  async listSilences(activeOnly: boolean): Promise<Silence[]> {
    const rows = await this.#db.query<{ id: string; matchers: Record<string, string>; comment: string; created_by: string; starts_at: number; ends_at: number }>(
      `select * from silences ${activeOnly ? 'where ends_at > $1' : 'where $1 = $1'} order by starts_at desc`,
      [this.#clock.now()],
    );
    return rows.map((r) => ({ id: r.id, matchers: r.matchers, comment: r.comment, createdBy: r.created_by, startsAt: r.starts_at, endsAt: r.ends_at }));
  }

  async #isSilenced(tx: Queryable, labels: Labels, now: number): Promise<boolean> {
    const rows = await tx.query<{ id: string; matchers: Record<string, string>; starts_at: number; ends_at: number }>('select id, matchers, starts_at, ends_at from silences where ends_at > $1', [now]);
    return rows.some((r) => silences({ id: r.id, matchers: r.matchers, comment: '', createdBy: '', startsAt: r.starts_at, endsAt: r.ends_at }, labels, now));
  }

  #notification(alert: Alert): AlertNotification {
    const live = this.liveValuesOf(alert);
    return { version: '1', status: alert.status, groupKey: groupKeyOf(alert), alert, ...(live === undefined ? {} : { live }) };
  }

  async #enqueue(tx: Queryable, alert: Alert, now: number): Promise<void> {
    const notification = this.#notification(alert);
    if (alert.status === 'firing') {
      for (const step of this.#escalation) {
        for (const sink of step.sinks) {
          await tx.query('insert into alert_deliveries (alert_id, sink, payload, next_attempt_at, escalation) values ($1, $2, $3, $4, $5)', [alert.id, sink, JSON.stringify(notification), now + step.afterMs, step.afterMs > 0]);
        }
      }
      return;
    }
    // Resolved: later escalation steps are moot; tell every sink that was (or is being) told it fired.
    await this.#cancelEscalation(tx, alert.id, 'resolved', now);
    const told = await tx.query<{ sink: string }>(`select distinct sink from alert_deliveries where alert_id = $1 and (last_error is null or last_error not like 'cancelled:%') order by sink`, [alert.id]);
    for (const { sink } of told) {
      await tx.query('insert into alert_deliveries (alert_id, sink, payload, next_attempt_at) values ($1, $2, $3, $4)', [alert.id, sink, JSON.stringify(notification), now]);
    }
  }

  async #cancelEscalation(tx: Queryable, alertId: string, why: string, now: number): Promise<void> {
    await tx.query(
      `update alert_deliveries set failed_at = $2, last_error = $3 where alert_id = $1 and escalation and delivered_at is null and failed_at is null`,
      [alertId, now, `cancelled: ${why} before this escalation step`],
    );
  }

}

function toStoredAlert(row: AlertRow): StoredAlert {
  return {
    ...toAlert(row),
    silenced: row.silenced,
    updatedAt: row.updated_at,
    ...(row.acknowledged_by === null || row.acknowledged_by === undefined ? {} : { acknowledgedBy: row.acknowledged_by, acknowledgedAt: Number(row.acknowledged_at) }),
    ...(row.cleared_at === null || row.cleared_at === undefined ? {} : { clearedAt: Number(row.cleared_at), resolvesAt: Number(row.resolves_at) }),
    ...(row.flaps > 0 ? { flaps: row.flaps } : {}),
  };
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    source: row.source,
    severity: row.severity,
    title: row.title,
    labels: row.labels,
    annotations: row.annotations,
    status: row.status,
    startsAt: row.starts_at,
    ...(row.ends_at === null ? {} : { endsAt: row.ends_at }),
  };
}
