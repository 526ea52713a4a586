import type { Queryable } from './database.js';

/** How long each signal is kept, in ms. */
export interface RetentionPolicy {
  spans: number;
  logs: number;
  metrics: number;
  /** Resolved alerts (and their delivery records); firing alerts are never deleted. */
  alerts: number;
}

/** Deletes what is older than its retention at `nowMs`; returns the rows deleted per signal. */
export async function enforceRetention(db: Queryable, policy: RetentionPolicy, nowMs: number): Promise<Record<keyof RetentionPolicy, number>> {
  const count = async (sql: string, cutoff: number) => (await db.query(`${sql} returning 1`, [cutoff])).length;
  const alertCutoff = nowMs - policy.alerts;
  await db.query(`delete from alert_deliveries where alert_id in (select id from alerts where status = 'resolved' and ends_at < $1)`, [alertCutoff]);
  return {
    spans: await count('delete from spans where start_ms < $1', nowMs - policy.spans),
    logs: await count('delete from logs where time_ms < $1', nowMs - policy.logs),
    metrics: await count('delete from metric_points where time_ms < $1', nowMs - policy.metrics),
    alerts: await count(`delete from alerts where status = 'resolved' and ends_at < $1`, alertCutoff),
  };
}
