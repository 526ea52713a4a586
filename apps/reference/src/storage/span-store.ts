import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

/**
 * Inserts spans in one statement: the rows travel as one JSON parameter and are expanded by
 * `jsonb_to_recordset`, which keeps a 512-span batch to a single round trip on both PostgreSQL
 * and PGlite. Re-sent spans (exporter retries) are ignored by their primary key.
 */
export async function insertSpans(db: Queryable, spans: readonly SpanRow[]): Promise<void> {
  if (spans.length === 0) return;
  await db.query(
    `insert into spans (trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
       status_code, status_message, attributes, resource, events, links, scope)
     select trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
       status_code, status_message, attributes, resource, events, links, scope
     from jsonb_to_recordset($1::jsonb) as r(trace_id text, span_id text, parent_span_id text, service text,
       name text, kind smallint, start_ms double precision, duration_ms double precision, status_code smallint,
       status_message text, attributes jsonb, resource jsonb, events jsonb, links jsonb, scope text)
     on conflict (trace_id, span_id) do nothing`,
    [JSON.stringify(spans)],
  );
}

const SPAN_COLUMNS = `trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
  status_code, status_message, attributes, resource, events, links, scope`;

/** Every span of a trace, oldest first. */
export async function getTrace(db: Queryable, traceId: string): Promise<SpanRow[]> {
  return db.query<SpanRow>(`select ${SPAN_COLUMNS} from spans where trace_id = $1 order by start_ms, span_id`, [traceId]);
}

/** Filters for {@link searchTraces}. Times are epoch ms. */
export interface TraceQuery {
  service?: string;
  /** Only traces with a span of one of these services (a reader's scope). */
  services?: readonly string[];
  since?: number;
  until?: number;
  errorsOnly?: boolean;
  limit: number;
  /** `start_ms` of the last trace of the previous page (keyset pagination). */
  before?: number;
}

/** One row per trace: its root (or earliest) span, newest first. */
export interface TraceSummary {
  trace_id: string;
  root_service: string;
  root_name: string;
  start_ms: number;
  duration_ms: number;
  span_count: number;
  error_count: number;
}

export async function searchTraces(db: Queryable, query: TraceQuery): Promise<TraceSummary[]> {
  const filter = new SqlFilter()
    .addIf('service = ?', query.service)
    .addIf('service = any(?)', query.services)
    .addIf('start_ms >= ?', query.since)
    .addIf('start_ms < ?', query.until)
    .addIf('start_ms < ?', query.before);
  const limit = filter.param(query.limit);
  const rows = await db.query<TraceSummary>(
    `with matching as (
       select distinct trace_id from spans ${filter.where()}
     )
     select s.trace_id,
       (array_agg(s.service order by (s.parent_span_id is null) desc, s.start_ms))[1] as root_service,
       (array_agg(s.name order by (s.parent_span_id is null) desc, s.start_ms))[1] as root_name,
       min(s.start_ms) as start_ms,
       max(s.start_ms + s.duration_ms) - min(s.start_ms) as duration_ms,
       count(*)::int as span_count,
       count(*) filter (where s.status_code = 2)::int as error_count
     from spans s join matching m on m.trace_id = s.trace_id
     group by s.trace_id
     ${query.errorsOnly === true ? 'having count(*) filter (where s.status_code = 2) > 0' : ''}
     order by start_ms desc
     limit ${limit}`,
    filter.params,
  );
  return rows;
}

/** Services seen in spans since `sinceMs`, with request and error counts and p95 duration. */
export interface ServiceSummary {
  service: string;
  spans: number;
  errors: number;
  p95_ms: number;
}

export async function listServices(db: Queryable, sinceMs: number, services?: readonly string[]): Promise<ServiceSummary[]> {
  const filter = new SqlFilter().add('start_ms >= ?', sinceMs).addIf('service = any(?)', services);
  return db.query<ServiceSummary>(
    `select service, count(*)::int as spans, count(*) filter (where status_code = 2)::int as errors,
       coalesce(percentile_cont(0.95) within group (order by duration_ms), 0) as p95_ms
     from spans ${filter.where()} group by service order by service`,
    filter.params,
  );
}

/**
 * Up to `limit` traces of `service` with an error span in [from, to], most recent first: the
 * exemplars an alert on that service is stored with.
 */
export async function errorTraceIds(db: Queryable, service: string, from: number, to: number, limit = 5): Promise<string[]> {
  const rows = await db.query<{ trace_id: string }>(
    `select trace_id from spans where service = $1 and status_code = 2 and start_ms >= $2 and start_ms <= $3
     group by trace_id order by max(start_ms) desc limit $4`,
    [service, from, to, limit],
  );
  return rows.map((r) => r.trace_id);
}
