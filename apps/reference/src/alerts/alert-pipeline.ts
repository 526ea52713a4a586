import { SightlineError, type Alert, type Clock, type Labels, type Severity } from '@sightline/core';
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.js';
import { SqlFilter } from '../storage/sql-filter.js';
import { groupKeyOf, type AlertNotification, type NotificationSink } from './alert-sinks.js';
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
}

/** One step of an escalation policy. */
export interface EscalationStep {
  afterMs: number;
  sinks: readonly string[];
}

/** What `submit` did with an alert. */
export type SubmitOutcome = 'opened' | 'updated' | 'resolved' | 'ignored';

/** An alert as stored, with whether a silence muted it. */
export interface StoredAlert extends Alert {
  silenced: boolean;
  updatedAt: number;
  /** Who acknowledged this occurrence (someone is on it), and when; absent until then. */
  acknowledgedBy?: string;
  acknowledgedAt?: number;
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
}

const DEFAULT_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 300_000, maxAttempts: 12 };

/**
 * The one path every alert takes (SLO burn, anomaly, cost): dedup by fingerprint (one firing
 * occurrence at a time), resolve when the condition clears, silences, and at-least-once
 * delivery to every sink through an outbox table written in the same transaction as the change.
 */
export class AlertPipeline {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #sinks: Map<string, NotificationSink>;
  readonly #retry: RetryPolicy;
  readonly #leaseMs: number;
  readonly #escalation: readonly EscalationStep[];
  readonly #exemplars: AlertPipelineOptions['exemplars'];
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
          await tx.query('update alerts set annotations = $2, severity = $3, title = $4, updated_at = $5 where id = $1', [open.id, JSON.stringify(annotations), alert.severity, alert.title, now]);
          return 'updated';
        }
        const silenced = await this.#isSilenced(tx, alert.labels, now);
        const traceIds = alert.annotations.traceIds === undefined ? await this.#exemplars?.(alert, tx) : undefined;
        return this.#open(tx, traceIds === undefined || traceIds.length === 0 ? alert : { ...alert, annotations: { ...alert.annotations, traceIds: traceIds.join(',') } }, silenced, now);
      }
      if (open === undefined) return 'ignored';
      const endsAt = alert.endsAt ?? now;
      await tx.query(`update alerts set status = 'resolved', ends_at = $2, updated_at = $3 where id = $1`, [open.id, endsAt, now]);
      if (!open.silenced) await this.#enqueue(tx, { ...toAlert(open), status: 'resolved', endsAt }, now);
      return 'resolved';
    });
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

  async listAlerts(query: { status?: Alert['status']; limit: number; beforeUpdatedAt?: number }): Promise<StoredAlert[]> {
    const filter = new SqlFilter().addIf('status = ?', query.status).addIf('updated_at < ?', query.beforeUpdatedAt);
    const rows = await this.#db.query<AlertRow>(`select * from alerts ${filter.where()} order by updated_at desc limit ${filter.param(query.limit)}`, filter.params);
    return rows.map(toStoredAlert);
  }

  /**
   * Records that `by` is on a firing alert and stops its escalation. Acknowledging does not mute
   * it (that is a silence): the sinks already told still hear when it resolves. Returns
   * undefined when no firing alert has that id.
   */
  async acknowledge(id: string, by: string): Promise<StoredAlert | undefined> {
    const now = this.#clock.now();
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query<AlertRow>(
        `update alerts set acknowledged_by = $2, acknowledged_at = $3, updated_at = $3 where id = $1 and status = 'firing' returning *`,
        [id, by, now],
      );
      if (rows[0] === undefined) return undefined;
      // Someone is on it: the escalation stops here.
      await this.#cancelEscalation(tx, id, 'acknowledged', now);
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

  async #enqueue(tx: Queryable, alert: Alert, now: number): Promise<void> {
    const notification: AlertNotification = { version: '1', status: alert.status, groupKey: groupKeyOf(alert), alert };
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
