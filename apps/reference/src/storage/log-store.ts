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

/** The `where` clause of a log search (everything but the page cursor). */
function logFilter(query: Omit<LogQuery, 'limit' | 'beforeId'>): SqlFilter {
  return new SqlFilter()
    .addIf('service = ?', query.service)
    .addIf('service = any(?)', query.services)
    .addIf('severity_number >= ?', query.level === undefined ? undefined : SEVERITY_FLOOR[query.level])
    .addIf('time_ms >= ?', query.since)
    .addIf('time_ms < ?', query.until)
    .addIf('trace_id = ?', query.traceId)
    .addIf(`body ilike '%' || ? || '%'`, query.text?.replace(/[\\%_]/g, (c) => `\\${c}`));
}

/** Log records matching every given filter, newest first. */
export async function searchLogs(db: Queryable, query: LogQuery): Promise<StoredLog[]> {
  const filter = logFilter(query).addIf('id < ?', query.beforeId);
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

/** One bucket of a log volume histogram: records in [t, t + stepMs), and how many are error or fatal. */
export interface VolumeBucket {
  /** Bucket start, epoch ms. */
  t: number;
  count: number;
  /** Records of severity error or fatal (severity number 17 and above). */
  errors: number;
}

/** Log volume over time for one search: every bucket from `from` to `to`, empty ones included. */
export interface VolumeHistogram {
  /** Window start (the search's `since`, or its oldest record), epoch ms. */
  from: number;
  /** Window end (the search's `until`, or now), epoch ms. */
  to: number;
  /** Bucket width, ms. */
  stepMs: number;
  /** Records matched (the sum of the bucket counts). */
  total: number;
  buckets: VolumeBucket[];
}

/** Bucket widths the volume histogram picks from (ms): the first giving at most `MAX_VOLUME_BUCKETS`. */
const VOLUME_STEPS_MS = [1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000];
/** At most this many bars: enough to see a burst in an hour at minute resolution. */
const MAX_VOLUME_BUCKETS = 120;

/**
 * Counts the records matching `query` per time bucket over the whole search (not one page): the
 * window is [since, until) — an absent `since` starts at the oldest matching record, an absent
 * `until` ends at `nowMs` — cut into buckets of a round width aligned to epoch multiples of it.
 */
export async function logVolumeHistogram(db: Queryable, query: Omit<LogQuery, 'limit' | 'beforeId'>, nowMs: number): Promise<VolumeHistogram> {
  const filter = logFilter(query);
  let from = query.since;
  const to = query.until ?? nowMs;
  if (from === undefined) {
    const [oldest] = await db.query<{ min: number | null }>(`select min(time_ms) as min from logs ${filter.where()}`, filter.params);
    if (oldest?.min === null || oldest?.min === undefined) return { from: to, to, stepMs: VOLUME_STEPS_MS[0]!, total: 0, buckets: [] };
    from = Number(oldest.min);
  }
  const width = Math.max(to - from, 1);
  const stepMs = VOLUME_STEPS_MS.find((s) => width / s <= MAX_VOLUME_BUCKETS) ?? Math.ceil(width / MAX_VOLUME_BUCKETS);
  const step = filter.param(stepMs);
  const rows = await db.query<{ t: number; n: number; errors: number }>(
    `select floor(time_ms / ${step}::double precision) * ${step}::double precision as t, count(*)::int as n,
       count(*) filter (where severity_number >= 17)::int as errors
     from logs ${filter.where()} group by 1 order by 1`,
    filter.params,
  );
  const found = new Map(rows.map((r) => [Number(r.t), r]));
  const buckets: VolumeBucket[] = [];
  let total = 0;
  const first = Math.floor(from / stepMs) * stepMs;
  // Records stamped after `to` (a clock ahead of ours) still get their bucket.
  const end = Math.max(to, Number(rows[rows.length - 1]?.t ?? 0) + stepMs);
  for (let t = first; t < end || t === first; t += stepMs) {
    const row = found.get(t);
    const count = row === undefined ? 0 : Number(row.n);
    total += count;
    buckets.push({ t, count, errors: row === undefined ? 0 : Number(row.errors) });
  }
  return { from, to, stepMs, total, buckets };
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
