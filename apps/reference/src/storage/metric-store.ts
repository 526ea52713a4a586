import type { MetricRow } from '../ingest/otlp-metrics.js';
import type { Queryable } from './database.js';

/** Inserts metric points in one statement. */
export async function insertMetricPoints(db: Queryable, points: readonly MetricRow[]): Promise<void> {
  if (points.length === 0) return;
  await db.query(
    `insert into metric_points (name, service, kind, labels, time_ms, value, histogram)
     select name, service, kind, labels, time_ms, value, histogram
     from jsonb_to_recordset($1::jsonb) as r(name text, service text, kind text, labels jsonb,
       time_ms double precision, value double precision, histogram jsonb)`,
    [JSON.stringify(points)],
  );
}

export interface MetricSeriesPoint {
  time_ms: number;
  value: number;
  labels: Record<string, unknown>;
}

/** Points of one metric of one service since `sinceMs`, oldest first. */
export async function metricSeries(db: Queryable, name: string, service: string, sinceMs: number, limit: number): Promise<MetricSeriesPoint[]> {
  return db.query<MetricSeriesPoint>(
    `select time_ms, value, labels from metric_points where name = $1 and service = $2 and time_ms >= $3
     order by time_ms limit $4`,
    [name, service, sinceMs, limit],
  );
}
