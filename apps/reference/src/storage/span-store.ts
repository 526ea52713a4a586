import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';
import { FAILED_SPAN, ROLLUP_MERGE, ROLLUP_UPSERT, rollupAggregate } from './service-stats.js';
import type { TraceSummary } from '../http/api-types.js';

/**
 * Inserts spans in one statement: the rows travel as one JSON parameter and are expanded by
 * `jsonb_to_recordset`, which keeps a 512-span batch to a single round trip on both PostgreSQL
 * and PGlite. Re-sent spans (exporter retries) are ignored by their primary key.
 *
 * The same statement folds the spans it actually inserted into `trace_summaries` (one row per
 * trace: start, end, root, counts, services) and into `service_rollups` (per service and minute,
 * see service-stats.ts), so a retried batch adds nothing, trace search never groups spans and the
 * service views never scan them. Rows are merged in key order so concurrent batches lock alike.
 * Deleting spans updates the summaries through a trigger (see migration 13).
 */
export async function insertSpans(db: Queryable, spans: readonly SpanRow[]): Promise<void> {
  if (spans.length === 0) return;
  await db.query(
    `with inserted as (
       insert into spans (trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
         status_code, status_message, attributes, resource, events, links, scope)
       select trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
         status_code, status_message, attributes, resource, events, links, scope
       from jsonb_to_recordset($1::jsonb) as r(trace_id text, span_id text, parent_span_id text, service text,
         name text, kind smallint, start_ms double precision, duration_ms double precision, status_code smallint,
         status_message text, attributes jsonb, resource jsonb, events jsonb, links jsonb, scope text)
       on conflict (trace_id, span_id, start_ms) do nothing
       returning trace_id, parent_span_id, service, name, kind, start_ms, duration_ms, status_code, ${FAILED_SPAN} as failed
     ),
     summaries as (
     insert into trace_summaries as t (trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms,
       has_root, span_count, error_count, services)
     select trace_id, min(start_ms), max(start_ms + duration_ms), max(start_ms),
       (array_agg(service order by (parent_span_id is null) desc, start_ms))[1],
       (array_agg(name order by (parent_span_id is null) desc, start_ms))[1],
       (array_agg(start_ms order by (parent_span_id is null) desc, start_ms))[1],
       bool_or(parent_span_id is null), count(*)::int, (count(*) filter (where status_code = 2))::int,
       array_agg(distinct service order by service)
     from inserted group by trace_id order by trace_id
     on conflict (trace_id) do update set
       start_ms = least(t.start_ms, excluded.start_ms),
       end_ms = greatest(t.end_ms, excluded.end_ms),
       last_start_ms = greatest(t.last_start_ms, excluded.last_start_ms),
       root_service = case when ${NEW_ROOT_WINS} then excluded.root_service else t.root_service end,
       root_name = case when ${NEW_ROOT_WINS} then excluded.root_name else t.root_name end,
       root_start_ms = case when ${NEW_ROOT_WINS} then excluded.root_start_ms else t.root_start_ms end,
       has_root = t.has_root or excluded.has_root,
       span_count = t.span_count + excluded.span_count,
       error_count = t.error_count + excluded.error_count,
       services = array(select distinct s from unnest(t.services || excluded.services) as s order by s)
     )
     ${ROLLUP_UPSERT} ${rollupAggregate('inserted')} ${ROLLUP_MERGE}`,
    [JSON.stringify(spans)],
  );
}

/** Whether a batch's root candidate replaces the stored one: a parentless span beats a child, then earlier wins. */
const NEW_ROOT_WINS = `((excluded.has_root and not t.has_root) or (excluded.has_root = t.has_root and excluded.root_start_ms < t.root_start_ms))`;

const SPAN_COLUMNS = `trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
  status_code, status_message, attributes, resource, events, links, scope`;

/** Every span of a trace, oldest first. */
export async function getTrace(db: Queryable, traceId: string): Promise<SpanRow[]> {
  return db.query<SpanRow>(`select ${SPAN_COLUMNS} from spans where trace_id = $1 order by start_ms, span_id`, [traceId]);
}

/** Filters for {@link searchTraces} and {@link traceDurationHistogram}. Times are epoch ms. */
export interface TraceQuery {
  service?: string;
  /** Only traces with a span of one of these services (a reader's scope). */
  services?: readonly string[];
  /**
   * Leaves out traces whose matching spans all belong to this service (the app's own telemetry):
   * a trace counts only through a span of another service.
   */
  excludeService?: string;
  since?: number;
  until?: number;
  errorsOnly?: boolean;
  /** Only traces lasting at least this long (first span start to last span end), ms. */
  minDurationMs?: number;
  limit: number;
  /** `start_ms` of the last trace of the previous page (keyset pagination). */
  before?: number;
}

// A row of the trace list is what the page reads: declared once, in the shared API types.
export type { TraceSummary } from '../http/api-types.js';

/**
 * The longest a trace is assumed to last (first to last span start) when a search has `since`:
 * it bounds the index range a windowed search scans. A trace lasting longer is still found while
 * its start is within this of `since`.
 */
const TRACE_SPAN_BOUND_MS = 86_400_000;

/**
 * The `where` clause choosing the trace summaries that `query` matches, or undefined when none can.
 * A trace matches through its services: it has a span of `service`, of a service in `services`
 * other than `excludeService`, and its spans' starts overlap [since, until). A search naming a
 * service outside the scope, or the excluded service itself, matches nothing.
 */
function summaryFilter(query: Omit<TraceQuery, 'limit'>): SqlFilter | undefined {
  const { service, excludeService } = query;
  const scope = query.services?.filter((s) => s !== excludeService);
  const filter = new SqlFilter();
  if (service !== undefined) {
    if (service === excludeService || (scope !== undefined && !scope.includes(service))) return undefined;
    filter.add('services @> array[?::text]', service);
  } else if (scope !== undefined) {
    if (scope.length === 0) return undefined;
    filter.add('services && ?::text[]', scope);
  } else if (excludeService !== undefined) {
    filter.add('not (services <@ array[?::text])', excludeService);
  }
  if (query.since !== undefined) {
    filter.add('last_start_ms >= ?', query.since).add('start_ms >= ?', query.since - TRACE_SPAN_BOUND_MS);
  }
  return filter
    .addIf('start_ms < ?', query.until)
    .addIf('start_ms < ?', query.before)
    .addIf('duration_ms >= ?', query.minDurationMs)
    .addIf('error_count > ?', query.errorsOnly === true ? 0 : undefined);
}

/**
 * Traces matching `query`, newest first, `query.limit` of them: read from `trace_summaries` by
 * index (start, errors, services, duration) with the limit applied before anything else, so the
 * cost follows the page size rather than the number of stored spans.
 */
export async function searchTraces(db: Queryable, query: TraceQuery): Promise<TraceSummary[]> {
  const filter = summaryFilter(query);
  if (filter === undefined) return [];
  const limit = filter.param(query.limit);
  return db.query<TraceSummary>(
    `select trace_id, root_service, root_name, start_ms, duration_ms, span_count, error_count
     from trace_summaries ${filter.where()}
     order by start_ms desc
     limit ${limit}`,
    filter.params,
  );
}

/** Histogram buckets per tenfold of duration: bounds 1, 1.78, 3.16, 5.62, 10 ms… */
const DURATION_BUCKETS_PER_DECADE = 4;

/** One bucket of a duration histogram: traces lasting [fromMs, toMs), and how many of them failed. */
export interface DurationBucket {
  fromMs: number;
  toMs: number;
  count: number;
  errors: number;
}

/** The distribution of trace durations (ms) over every trace a search matches. */
export interface DurationHistogram {
  /** Traces matched (the sum of the bucket counts). */
  total: number;
  /** Log-scaled, contiguous from the shortest trace's bucket to the longest's (empty ones included). */
  buckets: DurationBucket[];
}

/**
 * How long the traces matching `query` took (as the list shows them: first span start to last
 * span end), counted in log-scaled buckets, {@link DURATION_BUCKETS_PER_DECADE} per tenfold, over
 * the whole search rather than one page (`limit` and `before` do not apply). Durations under 1 µs
 * fall in the 1 µs bucket.
 */
export async function traceDurationHistogram(db: Queryable, query: Omit<TraceQuery, 'limit' | 'before'>): Promise<DurationHistogram> {
  const filter = summaryFilter(query);
  if (filter === undefined) return { total: 0, buckets: [] };
  const perDecade = filter.param(DURATION_BUCKETS_PER_DECADE);
  // The 1e-9 keeps exact bounds (100 ms) in the bucket they open despite log10 rounding.
  const rows = await db.query<{ bucket: number; n: number; errors: number }>(
    `select floor(log(greatest(duration_ms, 0.001)) * ${perDecade}::int + 1e-9)::int as bucket,
       count(*)::int as n, count(*) filter (where error_count > 0)::int as errors
     from trace_summaries ${filter.where()} group by 1 order by 1`,
    filter.params,
  );
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return { total: 0, buckets: [] };
  const found = new Map(rows.map((r) => [Number(r.bucket), r]));
  const buckets: DurationBucket[] = [];
  let total = 0;
  for (let i = Number(first.bucket); i <= Number(last.bucket); i++) {
    const row = found.get(i);
    const count = row === undefined ? 0 : Number(row.n);
    total += count;
    buckets.push({ fromMs: durationBound(i), toMs: durationBound(i + 1), count, errors: row === undefined ? 0 : Number(row.errors) });
  }
  return { total, buckets };
}

/** The lower bound (ms) of duration bucket `i`: 10^(i / DURATION_BUCKETS_PER_DECADE), to 4 significant digits. */
function durationBound(i: number): number {
  return Number((10 ** (i / DURATION_BUCKETS_PER_DECADE)).toPrecision(4));
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
