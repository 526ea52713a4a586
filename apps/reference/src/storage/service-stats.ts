import type { Database, Queryable } from './database.js';
import { DurationHistogram, bucketOf, type BucketCounts } from './duration-histogram.js';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { isEntryKind, spanFailed } from '../signals/span-outcome.js';
import { SqlFilter } from './sql-filter.js';

/**
 * Per-service numbers over a window — the service list, the overview and the service map — read
 * from rollups instead of the spans, so their cost follows minutes × services rather than the
 * number of spans stored:
 * - `service_rollups` (spans, requests, failed requests and request durations per service and
 *   minute) is filled by the statement that stores the spans (see insertSpans), so it is exact
 *   and a re-sent span adds nothing;
 * - `service_edges` (calls between services per minute) needs both ends of a call, which arrive
 *   in different batches from different processes, so the leader recomputes the recent minutes
 *   from the spans every {@link ROLLUP_REFRESH_INTERVAL_MS} ({@link refreshRollups});
 * - the same refresh sums closed hours of both into `service_rollups_hourly` and
 *   `service_edges_hourly`, so a day's window reads 24 rows per service, not 1,440.
 * A window is read from whole hours where they are computed, whole minutes around them, and the
 * spans themselves for its partial first minute and for the minutes not computed yet: the numbers
 * are those of the spans in the window, not of whole minutes.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A failed request, in SQL: error status, or an HTTP 5xx answer (`spanFailed` in signals/span-outcome.ts). */
export const FAILED_SPAN = `(status_code = 2 or case when jsonb_typeof(attributes->'http.response.status_code') = 'number'
  then (attributes->>'http.response.status_code')::double precision >= 500 else false end)`;

/**
 * Rollup rows (minute, service, counts and duration buckets) aggregated from `source`, a relation
 * of spans with columns service, kind, parent_span_id, start_ms, duration_ms and failed (boolean).
 * Entry spans (SERVER, CONSUMER) and root spans are counted apart: which of them are a service's
 * requests is decided over the whole window (see {@link ServiceSummary}).
 */
export function rollupAggregate(source: string): string {
  return `select minute_ms, service, sum(spans)::int as spans,
      sum(entry_n)::int as entry_requests, sum(entry_errors)::int as entry_errors,
      coalesce(jsonb_object_agg(bucket, entry_n) filter (where entry_n > 0), '{}'::jsonb) as entry_durations,
      sum(root_n)::int as root_requests, sum(root_errors)::int as root_errors,
      coalesce(jsonb_object_agg(bucket, root_n) filter (where root_n > 0), '{}'::jsonb) as root_durations
    from (
      select floor(start_ms / ${MINUTE_MS}) * ${MINUTE_MS} as minute_ms, service, sightline_duration_bucket(duration_ms) as bucket,
        count(*) as spans,
        count(*) filter (where kind in (2, 5)) as entry_n, count(*) filter (where kind in (2, 5) and failed) as entry_errors,
        count(*) filter (where parent_span_id is null) as root_n, count(*) filter (where parent_span_id is null and failed) as root_errors
      from ${source} group by 1, 2, 3
    ) by_bucket
    group by minute_ms, service order by minute_ms, service`;
}

/** A `service_rollups` row: one service's spans starting in one minute (durations: counts by bucket, see duration-histogram.ts). */
export interface MinuteRollup {
  minute_ms: number;
  service: string;
  spans: number;
  entry_requests: number;
  entry_errors: number;
  entry_durations: Record<string, number>;
  root_requests: number;
  root_errors: number;
  root_durations: Record<string, number>;
}

/**
 * The rollup rows of a batch of newly stored spans, as {@link rollupAggregate} computes them from
 * stored spans: insertSpans folds a batch here, in the process, instead of sending every span's
 * columns back to the database to be grouped there.
 */
export function rollupRows(spans: readonly SpanRow[]): MinuteRollup[] {
  const rows = new Map<string, MinuteRollup>();
  for (const span of spans) {
    const minute = Math.floor(span.start_ms / MINUTE_MS) * MINUTE_MS;
    const key = `${minute}\u0000${span.service}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { minute_ms: minute, service: span.service, spans: 0, entry_requests: 0, entry_errors: 0, entry_durations: {}, root_requests: 0, root_errors: 0, root_durations: {} };
      rows.set(key, row);
    }
    row.spans++;
    const entry = isEntryKind(span.kind);
    const root = span.parent_span_id === null;
    if (!entry && !root) continue;
    const failed = spanFailed(span);
    const bucket = bucketOf(span.duration_ms);
    if (entry) {
      row.entry_requests++;
      if (failed) row.entry_errors++;
      row.entry_durations[bucket] = (row.entry_durations[bucket] ?? 0) + 1;
    }
    if (root) {
      row.root_requests++;
      if (failed) row.root_errors++;
      row.root_durations[bucket] = (row.root_durations[bucket] ?? 0) + 1;
    }
  }
  return [...rows.values()];
}


/** Adds rollup rows (from {@link rollupAggregate} or {@link rollupRows}) to the stored ones. */
export const ROLLUP_UPSERT = `insert into service_rollups as r (minute_ms, service, spans, entry_requests, entry_errors,
    entry_durations, root_requests, root_errors, root_durations)`;
export const ROLLUP_MERGE = `on conflict (minute_ms, service) do update set
    spans = r.spans + excluded.spans,
    entry_requests = r.entry_requests + excluded.entry_requests,
    entry_errors = r.entry_errors + excluded.entry_errors,
    entry_durations = sightline_histogram_merge(r.entry_durations, excluded.entry_durations),
    root_requests = r.root_requests + excluded.root_requests,
    root_errors = r.root_errors + excluded.root_errors,
    root_durations = sightline_histogram_merge(r.root_durations, excluded.root_durations)`;

/** Spans of [from, to) as {@link rollupAggregate} reads them. */
function spansBetween(filter: SqlFilter, from: number, to: number, column = ''): string {
  return `(select service, kind, parent_span_id, start_ms, duration_ms, ${FAILED_SPAN} as failed from spans
    where start_ms >= ${filter.param(from)} and start_ms < ${filter.param(to)}${column}) s`;
}

/**
 * What a service served: its requests counted once each, by their entry span. The entry spans of a
 * service are its SERVER and CONSUMER spans; a service that has none in the window (a batch job, a
 * load generator) is counted by its root spans instead. Inner spans (INTERNAL, CLIENT, PRODUCER
 * children) are part of a request, not requests: counting them would dilute the error ratio by
 * every successful child of a failed request.
 */
export interface ServiceSummary {
  service: string;
  /** Every span of the service in the window. */
  spans: number;
  /** Entry spans: requests served. */
  requests: number;
  /** Failed requests: error status, or an HTTP 5xx answer (as the derived series and SLOs count them). */
  errors: number;
  /** p95 duration of the requests, ms, within 1 % (0 without requests). */
  p95_ms: number;
}

/** Filters for {@link serviceSummaries}. Times are epoch ms. */
export interface ServiceSummaryQuery {
  since: number;
  /** Only these services (a reader's scope). */
  services?: readonly string[];
  /** Services named after this one (keyset pagination by name). */
  after?: string;
  limit?: number;
}

/** A rollup row as the reads sum it (any minute or hour). */
type RollupRow = Omit<MinuteRollup, 'minute_ms'>;

/** Per service with spans since `query.since`, by name: spans, requests, failed requests and request p95. */
export async function serviceSummaries(db: Queryable, query: ServiceSummaryQuery): Promise<ServiceSummary[]> {
  const plan = readPlan(query.since, await rollupsComputedUntil(db));
  const filter = new SqlFilter();
  const services = query.services === undefined ? '' : ` and service = any(${filter.param(query.services)})`;
  const after = query.after === undefined ? '' : ` and service > ${filter.param(query.after)}`;
  const limit = query.limit === undefined ? '' : `limit ${filter.param(query.limit)}`;
  const columns = 'service, spans, entry_requests, entry_errors, entry_durations, root_requests, root_errors, root_durations';
  // Every minute row is stored at ingest, so after the hours only the partial first minute needs the spans.
  const minutes = plan.hours === undefined ? [plan.minutesFrom, Infinity] : [plan.minutesFrom, plan.hours[0], plan.hours[1], Infinity];
  const stored = [
    ...(plan.hours === undefined ? [] : [`select ${columns} from service_rollups_hourly where hour_ms >= ${filter.param(plan.hours[0])} and hour_ms < ${filter.param(plan.hours[1])}${services}${after}`]),
    ...pairs(minutes).map(([from, to]) => `select ${columns} from service_rollups where ${range('minute_ms', filter, from, to)}${services}${after}`),
  ];
  const rows = await db.query<RollupRow>(
    `with partial as (${rollupAggregate(spansBetween(filter, query.since, plan.minutesFrom, services + after))}),
     stored as (${stored.join(' union all ')}),
     chosen as (select service from partial union select service from stored order by service ${limit})
     select ${columns} from partial where service in (select service from chosen)
     union all select ${columns} from stored where service in (select service from chosen)`,
    filter.params,
  );
  return [...sumByService(rows).values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)).map((s) => {
    const byEntry = s.entry_requests > 0;
    return {
      service: s.service,
      spans: s.spans,
      requests: byEntry ? s.entry_requests : s.root_requests,
      errors: byEntry ? s.entry_errors : s.root_errors,
      p95_ms: (byEntry ? s.entryDurations : s.rootDurations).percentile(0.95),
    };
  });
}

/**
 * Where each part of a window since `since` is read from, given that rollups are computed up to
 * `computedUntil`: `hours` — whole hours from the hourly tables (none when the window holds no
 * computed whole hour); whole minutes from `minutesFrom` on (skipping `hours`) from the minute
 * tables; before `minutesFrom`, the window's partial first minute, from the spans.
 */
function readPlan(since: number, computedUntil: number): { minutesFrom: number; hours?: [number, number] } {
  const minutesFrom = Math.ceil(since / MINUTE_MS) * MINUTE_MS;
  const hoursFrom = Math.ceil(since / HOUR_MS) * HOUR_MS;
  const hoursTo = Math.floor(computedUntil / HOUR_MS) * HOUR_MS;
  return hoursTo > hoursFrom ? { minutesFrom, hours: [hoursFrom, hoursTo] } : { minutesFrom };
}

/** [a, b], [c, d] … from a flat list of bounds, leaving out empty ranges. */
function pairs(bounds: readonly number[]): [number, number][] {
  const result: [number, number][] = [];
  for (let i = 0; i + 1 < bounds.length; i += 2) if (bounds[i]! < bounds[i + 1]!) result.push([bounds[i]!, bounds[i + 1]!]);
  return result;
}

/** `column` in [from, to) as SQL (no upper bound for Infinity). */
function range(column: string, filter: SqlFilter, from: number, to: number): string {
  return `${column} >= ${filter.param(from)}${to === Infinity ? '' : ` and ${column} < ${filter.param(to)}`}`;
}

type ServiceTotals = Omit<RollupRow, 'entry_durations' | 'root_durations'> & { entryDurations: DurationHistogram; rootDurations: DurationHistogram };

function sumByService(rows: readonly RollupRow[]): Map<string, ServiceTotals> {
  const totals = new Map<string, ServiceTotals>();
  for (const row of rows) {
    let total = totals.get(row.service);
    if (total === undefined) {
      total = { service: row.service, spans: 0, entry_requests: 0, entry_errors: 0, root_requests: 0, root_errors: 0, entryDurations: new DurationHistogram(), rootDurations: new DurationHistogram() };
      totals.set(row.service, total);
    }
    total.spans += Number(row.spans);
    total.entry_requests += Number(row.entry_requests);
    total.entry_errors += Number(row.entry_errors);
    total.root_requests += Number(row.root_requests);
    total.root_errors += Number(row.root_errors);
    total.entryDurations.addCounts(row.entry_durations);
    total.rootDurations.addCounts(row.root_durations);
  }
  return totals;
}

/** Calls from one service to another over a window, as the spans show them. */
export interface EdgeTotals {
  caller: string;
  callee: string;
  /** Child spans in the window whose parent span is in the other service. */
  calls: number;
  /** Calls whose callee span failed (error status). */
  errors: number;
  /** p95 of the callee spans' durations, ms, within 1 %. */
  p95_ms: number;
}

/**
 * Edge rows (minute, caller, callee, calls, errors, callee duration buckets) for the child spans
 * that `childWhere` selects (a condition on `child`): every parent/child pair in different services.
 */
function edgeAggregate(childWhere: string): string {
  return `select minute_ms, caller, callee, sum(n)::int as calls, sum(errors)::int as errors,
      jsonb_object_agg(bucket, n) as durations
    from (
      select floor(child.start_ms / ${MINUTE_MS}) * ${MINUTE_MS} as minute_ms, parent.service as caller, child.service as callee,
        sightline_duration_bucket(child.duration_ms) as bucket, count(*) as n, count(*) filter (where child.status_code = 2) as errors
      from spans child join spans parent on parent.trace_id = child.trace_id and parent.span_id = child.parent_span_id
      where (${childWhere}) and parent.service <> child.service
      group by 1, 2, 3, 4
    ) by_bucket
    group by minute_ms, caller, callee`;
}

/** How far back the leader's rollups (`service_edges`, the hourly tables) are complete: every minute before it is computed. */
async function rollupsComputedUntil(db: Queryable): Promise<number> {
  const rows = await db.query<{ until_ms: number }>(`select until_ms from rollup_progress where name = 'rollups'`);
  return Number(rows[0]?.until_ms ?? 0);
}

/** Calls between services since `since` (epoch ms): computed hours and minutes from the edge tables, the rest from the spans. */
export async function serviceEdges(db: Queryable, since: number): Promise<EdgeTotals[]> {
  const computedUntil = await rollupsComputedUntil(db);
  const plan = readPlan(since, computedUntil);
  const filter = new SqlFilter();
  const columns = 'caller, callee, calls, errors, durations';
  const minutes = Math.max(computedUntil, plan.minutesFrom);
  const fromSpans = [[since, plan.minutesFrom], [minutes, Infinity]] as const;
  const stored = [
    ...(plan.hours === undefined ? [] : [`select ${columns} from service_edges_hourly where hour_ms >= ${filter.param(plan.hours[0])} and hour_ms < ${filter.param(plan.hours[1])}`]),
    ...pairs(plan.hours === undefined ? [plan.minutesFrom, minutes] : [plan.minutesFrom, plan.hours[0], plan.hours[1], minutes])
      .map(([from, to]) => `select ${columns} from service_edges where ${range('minute_ms', filter, from, to)}`),
  ];
  const live = fromSpans.filter(([from, to]) => from < to).map(([from, to]) => `(${range('child.start_ms', filter, from, to)})`).join(' or ');
  const rows = await db.query<{ caller: string; callee: string; calls: number; errors: number; durations: BucketCounts }>(
    [`select ${columns} from (${edgeAggregate(live)}) live`, ...stored].join(' union all '),
    filter.params,
  );
  const edges = new Map<string, { caller: string; callee: string; calls: number; errors: number; durations: DurationHistogram }>();
  for (const row of rows) {
    const key = JSON.stringify([row.caller, row.callee]);
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { caller: row.caller, callee: row.callee, calls: 0, errors: 0, durations: new DurationHistogram() };
      edges.set(key, edge);
    }
    edge.calls += Number(row.calls);
    edge.errors += Number(row.errors);
    edge.durations.addCounts(row.durations);
  }
  return [...edges.values()]
    .sort((a, b) => (a.caller === b.caller ? (a.callee < b.callee ? -1 : 1) : a.caller < b.caller ? -1 : 1))
    .map((e) => ({ caller: e.caller, callee: e.callee, calls: e.calls, errors: e.errors, p95_ms: e.durations.percentile(0.95) }));
}

/** How often the leader refreshes the rollups it computes. */
export const ROLLUP_REFRESH_INTERVAL_MS = 30_000;
/**
 * Minutes are recomputed until this long after they close, so a call whose spans arrive up to
 * this late is still counted; a span later than that is in its trace and the minute rollups but
 * not in the map, nor in the hour it fell in.
 */
export const LATE_ARRIVAL_MS = 10 * MINUTE_MS;
/** At most this much history is computed per refresh, so catching up after downtime never blocks for long. */
const CATCH_UP_MS = 6 * HOUR_MS;

/**
 * Summarises the block ranges of the span partitions that filled since the last call, so the
 * block-range index on `spans.start_ms` (migration 17) skips them. PostgreSQL's autovacuum does it
 * too as ranges fill (`autosummarize`); PGlite has no autovacuum, and this keeps it from reading a
 * whole day's partition for a minute of spans.
 */
async function summarizeNewSpanRanges(db: Queryable): Promise<void> {
  await db.query(`select brin_summarize_new_values(inhrelid) from pg_inherits where inhparent = 'spans_start'::regclass`);
}

/**
 * Recomputes, in one transaction, `service_edges` for the minutes from where the last refresh
 * stopped (at least the last {@link LATE_ARRIVAL_MS}) up to `nowMs` (the current minute as far as
 * it goes), and the hourly tables for the closed hours among them, replacing what was there.
 * Returns the time up to which the rollups are now complete: less than `nowMs` while catching up.
 * Runs on the leader only (replicas would repeat the same work).
 */
export async function refreshRollups(db: Database, nowMs: number): Promise<number> {
  const currentMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const computedUntil = await rollupsComputedUntil(db);
  let from = Math.floor(Math.min(computedUntil, currentMinute - LATE_ARRIVAL_MS) / MINUTE_MS) * MINUTE_MS;
  if (computedUntil === 0) {
    // The summaries hold each trace's first span start, by index (spans have only a block-range one).
    const first = await db.query<{ start_ms: number | null }>('select min(start_ms) as start_ms from trace_summaries');
    if (first[0]?.start_ms === null || first[0]?.start_ms === undefined) return computedUntil;
    from = Math.floor(Number(first[0].start_ms) / MINUTE_MS) * MINUTE_MS;
  }
  // Up to now, the current minute included as far as it goes: a view then reads from the spans only
  // what started since this refresh, not up to a minute and a half of them.
  const to = Math.min(nowMs, from + CATCH_UP_MS);
  if (to <= from) return computedUntil;
  await summarizeNewSpanRanges(db);
  const hours = [Math.floor(from / HOUR_MS) * HOUR_MS, Math.floor(to / HOUR_MS) * HOUR_MS];
  await db.transaction(async (tx) => {
    await tx.query('delete from service_edges where minute_ms >= $1 and minute_ms < $2', [from, to]);
    await tx.query(`insert into service_edges (minute_ms, caller, callee, calls, errors, durations) ${edgeAggregate('child.start_ms >= $1 and child.start_ms < $2')}`, [from, to]);
    await tx.query('delete from service_rollups_hourly where hour_ms >= $1 and hour_ms < $2', hours);
    await tx.query(
      `insert into service_rollups_hourly (hour_ms, service, spans, entry_requests, entry_errors, entry_durations, root_requests, root_errors, root_durations)
       select floor(minute_ms / ${HOUR_MS}) * ${HOUR_MS}, service, sum(spans), sum(entry_requests), sum(entry_errors), sightline_histogram_sum(entry_durations),
         sum(root_requests), sum(root_errors), sightline_histogram_sum(root_durations)
       from service_rollups where minute_ms >= $1 and minute_ms < $2 group by 1, 2`,
      hours,
    );
    await tx.query('delete from service_edges_hourly where hour_ms >= $1 and hour_ms < $2', hours);
    await tx.query(
      `insert into service_edges_hourly (hour_ms, caller, callee, calls, errors, durations)
       select floor(minute_ms / ${HOUR_MS}) * ${HOUR_MS}, caller, callee, sum(calls), sum(errors), sightline_histogram_sum(durations)
       from service_edges where minute_ms >= $1 and minute_ms < $2 group by 1, 2, 3`,
      hours,
    );
    await tx.query(
      `insert into rollup_progress (name, until_ms) values ('rollups', $1)
       on conflict (name) do update set until_ms = greatest(rollup_progress.until_ms, excluded.until_ms)`,
      [to],
    );
  });
  return Math.max(computedUntil, to);
}
