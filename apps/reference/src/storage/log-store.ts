import type { LogRow } from '../ingest/otlp-logs.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

/** Inserts log records in one statement (see insertSpans for why JSON + jsonb_to_recordset). */
export async function insertLogs(db: Queryable, logs: readonly LogRow[]): Promise<void> {
  if (logs.length === 0) return;
  await db.query(
    `insert into logs (time_ms, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource)
     select time_ms, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource
     from jsonb_to_recordset($1::jsonb) as r(time_ms double precision, service text, severity_number smallint,
       severity_text text, body text, trace_id text, span_id text, attributes jsonb, resource jsonb)`,
    [JSON.stringify(logs)],
  );
}

/** OTLP severity ranges: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal. */
export const SEVERITY_FLOOR: Readonly<Record<string, number>> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

export interface LogQuery {
  service?: string;
  /** Only logs of these services (a reader's scope). */
  services?: readonly string[];
  /** Minimum level: `error` matches error and fatal. */
  level?: keyof typeof SEVERITY_FLOOR;
  since?: number;
  until?: number;
  traceId?: string;
  /** Case-insensitive substring of the body. */
  text?: string;
  limit: number;
  /** `id` of the last record of the previous page. */
  beforeId?: number;
}

export interface StoredLog extends LogRow {
  id: number;
}

/** Log records matching every given filter, newest first. */
export async function searchLogs(db: Queryable, query: LogQuery): Promise<StoredLog[]> {
  const filter = new SqlFilter()
    .addIf('service = ?', query.service)
    .addIf('service = any(?)', query.services)
    .addIf('severity_number >= ?', query.level === undefined ? undefined : SEVERITY_FLOOR[query.level])
    .addIf('time_ms >= ?', query.since)
    .addIf('time_ms < ?', query.until)
    .addIf('trace_id = ?', query.traceId)
    .addIf(`body ilike '%' || ? || '%'`, query.text?.replace(/[\\%_]/g, (c) => `\\${c}`))
    .addIf('id < ?', query.beforeId);
  const limit = filter.param(query.limit);
  const rows = await db.query<StoredLog & { id: string | number }>(
    `select id, time_ms, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource
     from logs ${filter.where()}
     order by id desc limit ${limit}`,
    filter.params,
  );
  // bigserial arrives as a string from node-postgres.
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export interface LogStats {
  total: number;
  byLevel: Record<string, number>;
  byService: Record<string, number>;
}

/** Counts by level band and by service since `sinceMs`. */
export async function logStats(db: Queryable, sinceMs: number, services?: readonly string[]): Promise<LogStats> {
  const filter = new SqlFilter().add('time_ms >= ?', sinceMs).addIf('service = any(?)', services);
  const rows = await db.query<{ service: string; band: string; n: number }>(
    `select service,
       case when severity_number >= 21 then 'fatal' when severity_number >= 17 then 'error'
            when severity_number >= 13 then 'warn' when severity_number >= 9 then 'info'
            when severity_number >= 5 then 'debug' when severity_number >= 1 then 'trace' else 'unspecified' end as band,
       count(*)::int as n
     from logs ${filter.where()} group by 1, 2`,
    filter.params,
  );
  const stats: LogStats = { total: 0, byLevel: {}, byService: {} };
  for (const { service, band, n } of rows) {
    stats.total += n;
    stats.byLevel[band] = (stats.byLevel[band] ?? 0) + n;
    stats.byService[service] = (stats.byService[service] ?? 0) + n;
  }
  return stats;
}
