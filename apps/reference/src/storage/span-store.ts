import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database, Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';
import { ROLLUP_MERGE, ROLLUP_UPSERT, rollupRows } from './service-stats.js';
import { copyField, copyJson } from './copy-text.js';
import type { TraceSummary } from '../http/api-types.js';

/**
 * Stores spans and folds the ones that are new into `trace_summaries` (one row per trace: start,
 * end, root, counts, services) and `service_rollups` (per service and minute, see
 * service-stats.ts), in one transaction, so a retried batch adds nothing, trace search never
 * groups spans and the service views never scan them.
 *
 * The spans go in by COPY, PostgreSQL's bulk path (about half the server's work of an INSERT
 * expanding a JSON parameter), and are folded here, in the process, into a few dozen summary and
 * rollup rows. COPY cannot skip rows already stored, so a batch holding a span stored before (an
 * exporter's retry) is stored again by an INSERT that skips them, and only the spans that
 * statement really inserted are folded. Summary and rollup rows are merged in key order so
 * concurrent batches lock alike. Deleting spans updates the summaries through a trigger (see
 * migration 13).
 *
 * Given a database, runs its own transaction (and a second one for a retried batch); given a
 * transaction, joins it, retrying under a savepoint.
 */
export async function insertSpans(db: Queryable & Partial<Pick<Database, 'transaction'>>, spans: readonly SpanRow[]): Promise<void> {
  if (spans.length === 0) return;
  if (db.transaction === undefined) {
    await insertInTransaction(db, spans);
    return;
  }
  try {
    await db.transaction((tx) => copyAndFold(tx, spans));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await db.transaction((tx) => insertNewAndFold(tx, spans));
  }
}

/** {@link insertSpans} inside the caller's transaction: a savepoint takes the place of a second transaction. */
async function insertInTransaction(tx: Queryable, spans: readonly SpanRow[]): Promise<void> {
  await tx.exec('savepoint insert_spans');
  try {
    await copyAndFold(tx, spans);
    await tx.exec('release savepoint insert_spans');
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await tx.exec('rollback to savepoint insert_spans');
    await insertNewAndFold(tx, spans);
  }
}

/** Stores every span of the batch by COPY; fails with a unique violation when one is stored already. */
async function copyAndFold(tx: Queryable, spans: readonly SpanRow[]): Promise<void> {
  await tx.copyIn(`spans (${SPAN_COLUMNS})`, spansAsCopyText(spans));
  await fold(tx, spans);
}

/** Stores the spans not stored yet, and folds only those. */
async function insertNewAndFold(tx: Queryable, spans: readonly SpanRow[]): Promise<void> {
  const inserted = await tx.query<SpanKey>(
    `insert into spans (${SPAN_COLUMNS})
     select ${SPAN_COLUMNS}
     from jsonb_to_recordset($1::jsonb) as r(trace_id text, span_id text, parent_span_id text, service text,
       name text, kind smallint, start_ms double precision, duration_ms double precision, status_code smallint,
       status_message text, attributes jsonb, resource jsonb, events jsonb, links jsonb, scope text)
     on conflict (trace_id, span_id, start_ms) do nothing
     returning trace_id, span_id, start_ms`,
    [JSON.stringify(spans)],
  );
  // A span sent twice in one batch is inserted once: each returned key takes one span.
  const fresh = new Set(inserted.map(spanKey));
  await fold(tx, spans.filter((span) => fresh.delete(spanKey(span))));
}

async function fold(tx: Queryable, inserted: readonly SpanRow[]): Promise<void> {
  if (inserted.length === 0) return;
  await tx.query(FOLD_INTO_SUMMARIES_AND_ROLLUPS, [JSON.stringify(traceSummaryRows(inserted)), JSON.stringify(rollupRows(inserted)), JSON.stringify(serviceVersionRows(inserted))]);
}

const SPAN_COLUMNS = `trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
  status_code, status_message, attributes, resource, events, links, scope`;

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
}

type SpanKey = Pick<SpanRow, 'trace_id' | 'span_id' | 'start_ms'>;

function spanKey(span: SpanKey): string {
  return `${span.trace_id}/${span.span_id}/${Number(span.start_ms)}`;
}

/** Spans per chunk of COPY text: the server parses one while the next is made. */
const COPY_CHUNK_SPANS = 1024;

function* spansAsCopyText(spans: readonly SpanRow[]): Generator<string> {
  // The spans of one OTLP resource share its attributes object: its JSON is made once.
  const resources = new Map<SpanRow['resource'], string>();
  for (let from = 0; from < spans.length; from += COPY_CHUNK_SPANS) {
    let text = '';
    for (const s of spans.slice(from, from + COPY_CHUNK_SPANS)) {
      let resource = resources.get(s.resource);
      if (resource === undefined) resources.set(s.resource, (resource = copyJson(s.resource)));
      text += `${copyField(s.trace_id)}\t${copyField(s.span_id)}\t${copyField(s.parent_span_id)}\t${copyField(s.service)}\t${copyField(s.name)}\t${copyField(s.kind)}\t${copyField(s.start_ms)}\t${copyField(s.duration_ms)}\t${copyField(s.status_code)}\t${copyField(s.status_message)}\t${copyJson(s.attributes)}\t${resource}\t${copyList(s.events)}\t${copyList(s.links)}\t${copyField(s.scope)}\n`;
    }
    yield text;
  }
}

/** Most spans have no events and no links. */
function copyList(list: readonly unknown[] | undefined): string {
  return list?.length === 0 ? '[]' : copyJson(list);
}

/** A `trace_summaries` row for the spans of one trace in a batch. */
interface TraceSummaryRow {
  trace_id: string;
  start_ms: number;
  end_ms: number;
  last_start_ms: number;
  root_service: string;
  root_name: string;
  root_start_ms: number;
  has_root: boolean;
  span_count: number;
  error_count: number;
  services: string[];
}

/**
 * One summary row per trace of a batch: first start, last end, latest start, the root (the
 * earliest span without a parent, else the earliest span), span and error-status counts, services.
 */
function traceSummaryRows(spans: readonly SpanRow[]): TraceSummaryRow[] {
  const rows = new Map<string, TraceSummaryRow & { serviceSet: Set<string> }>();
  for (const span of spans) {
    const end = span.start_ms + span.duration_ms;
    const isRoot = span.parent_span_id === null;
    const row = rows.get(span.trace_id);
    if (row === undefined) {
      rows.set(span.trace_id, {
        trace_id: span.trace_id, start_ms: span.start_ms, end_ms: end, last_start_ms: span.start_ms,
        root_service: span.service, root_name: span.name, root_start_ms: span.start_ms, has_root: isRoot,
        span_count: 1, error_count: span.status_code === 2 ? 1 : 0, services: [], serviceSet: new Set([span.service]),
      });
      continue;
    }
    row.start_ms = Math.min(row.start_ms, span.start_ms);
    row.end_ms = Math.max(row.end_ms, end);
    row.last_start_ms = Math.max(row.last_start_ms, span.start_ms);
    if ((isRoot && !row.has_root) || (isRoot === row.has_root && span.start_ms < row.root_start_ms)) {
      row.root_service = span.service;
      row.root_name = span.name;
      row.root_start_ms = span.start_ms;
      row.has_root = isRoot;
    }
    row.span_count++;
    if (span.status_code === 2) row.error_count++;
    row.serviceSet.add(span.service);
  }
  return [...rows.values()].map(({ serviceSet, ...row }) => ({ ...row, services: [...serviceSet] }));
}

/** Whether a batch's root candidate replaces the stored one: a parentless span beats a child, then earlier wins. */
const NEW_ROOT_WINS = `((excluded.has_root and not t.has_root) or (excluded.has_root = t.has_root and excluded.root_start_ms < t.root_start_ms))`;

/** A `service_versions` row: when spans of a service at one version started, first and last. */
interface ServiceVersionRow {
  service: string;
  version: string;
  first_ms: number;
  last_ms: number;
}

/** The versions (resource `service.version`: a string, number or boolean) of a batch's spans, per service. */
function serviceVersionRows(spans: readonly SpanRow[]): ServiceVersionRow[] {
  const rows = new Map<string, ServiceVersionRow>();
  for (const span of spans) {
    const value = span.resource['service.version'];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    const version = String(value);
    const key = `${span.service}\u0000${version}`;
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { service: span.service, version, first_ms: span.start_ms, last_ms: span.start_ms });
    else {
      row.first_ms = Math.min(row.first_ms, span.start_ms);
      row.last_ms = Math.max(row.last_ms, span.start_ms);
    }
  }
  return [...rows.values()];
}

/**
 * Merges a batch's summary rows ($1), rollup rows ($2) and service versions ($3), each a JSON
 * array, into the stored ones.
 */
const FOLD_INTO_SUMMARIES_AND_ROLLUPS = `with versions as (
     insert into service_versions as v (service, version, first_ms, last_ms)
     select service, version, first_ms, last_ms
     from jsonb_to_recordset($3::jsonb) as r(service text, version text, first_ms double precision, last_ms double precision)
     order by service, version
     on conflict (service, version) do update set
       first_ms = least(v.first_ms, excluded.first_ms),
       last_ms = greatest(v.last_ms, excluded.last_ms)
   ),
   summaries as (
     insert into trace_summaries as t (trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms,
       has_root, span_count, error_count, services)
     select trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms,
       has_root, span_count, error_count, array(select distinct s from unnest(services) as s order by s)
     from jsonb_to_recordset($1::jsonb) as r(trace_id text, start_ms double precision, end_ms double precision,
       last_start_ms double precision, root_service text, root_name text, root_start_ms double precision,
       has_root boolean, span_count integer, error_count integer, services text[])
     order by trace_id
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
   ${ROLLUP_UPSERT}
   select minute_ms, service, spans, entry_requests, entry_errors, entry_durations, root_requests, root_errors, root_durations
   from jsonb_to_recordset($2::jsonb) as r(minute_ms double precision, service text, spans integer, entry_requests integer,
     entry_errors integer, entry_durations jsonb, root_requests integer, root_errors integer, root_durations jsonb)
   order by minute_ms, service
   ${ROLLUP_MERGE}`;

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
