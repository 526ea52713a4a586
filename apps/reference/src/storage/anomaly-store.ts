import type { Anomaly, Severity } from '@sightline/core';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

/** An anomaly as stored, with its row id. */
export interface StoredAnomaly extends Anomaly {
  id: number;
}

interface AnomalyRow {
  id: string | number;
  series_key: string;
  detector: string;
  starts_at: number;
  ends_at: number | null;
  score: number;
  severity: Severity;
  value: number;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  reason: string;
  labels: Record<string, string>;
}

/**
 * Records an anomaly: a new one opens a row; an update of the still-open anomaly of the same
 * series and detector extends it (peak score, end time) instead of adding a duplicate.
 */
export async function upsertAnomaly(db: Queryable, anomaly: Anomaly): Promise<void> {
  // Update the open row of this series and detector if there is one; insert only when there is not.
  await db.query(
    `with updated as (
       update anomalies set
         ends_at = $5,
         severity = case when $6 >= score then $7 else severity end,
         value = case when $6 >= score then $8 else value end,
         score = greatest(score, $6),
         expected = $9, lower = $10, upper = $11, reason = $12
       where series_key = $1 and detector = $2 and ends_at is null
       returning id)
     insert into anomalies (series_key, detector, service, starts_at, ends_at, score, severity, value, expected, lower, upper, reason, labels)
     select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 where not exists (select 1 from updated)`,
    [
      anomaly.seriesKey,
      anomaly.detector,
      anomaly.labels?.service ?? null,
      anomaly.startsAt,
      anomaly.endsAt ?? null,
      anomaly.score,
      anomaly.severity,
      anomaly.value,
      anomaly.expected ?? null,
      anomaly.lower ?? null,
      anomaly.upper ?? null,
      anomaly.reason,
      JSON.stringify(anomaly.labels ?? {}),
    ],
  );
}

export interface AnomalyQuery {
  since?: number;
  /** Minimum severity, as a list of the severities that qualify. */
  severities?: readonly Severity[];
  service?: string;
  /** Only anomalies of these services (a reader's scope). */
  services?: readonly string[];
  limit: number;
  beforeId?: number;
}

/** Anomalies newest first. */
export async function searchAnomalies(db: Queryable, query: AnomalyQuery): Promise<StoredAnomaly[]> {
  const filter = new SqlFilter()
    .addIf('starts_at >= ?', query.since)
    .addIf('severity = any(?::text[])', query.severities === undefined ? undefined : [...query.severities])
    .addIf('service = ?', query.service)
    .addIf('service = any(?)', query.services)
    .addIf('id < ?', query.beforeId);
  const rows = await db.query<AnomalyRow>(`select * from anomalies ${filter.where()} order by id desc limit ${filter.param(query.limit)}`, filter.params);
  return rows.map((r) => ({
    id: Number(r.id),
    seriesKey: r.series_key,
    detector: r.detector,
    startsAt: r.starts_at,
    ...(r.ends_at === null ? {} : { endsAt: r.ends_at }),
    score: r.score,
    severity: r.severity,
    value: r.value,
    ...(r.expected === null ? {} : { expected: r.expected }),
    ...(r.lower === null ? {} : { lower: r.lower }),
    ...(r.upper === null ? {} : { upper: r.upper }),
    reason: r.reason,
    labels: r.labels,
  }));
}
