// Reads at scale: fills a throwaway PostgreSQL database (DATABASE_URL names the server) with
// `--spans N` spans (default 200 000; the target is 10 000 000) by generate_series, migrates it
// (trace summaries, day partitions and service rollups are built from the existing rows, each
// timed), then times, in the same run, median of `--runs`:
// - each trace search the API serves (newest, by service, errors only, by duration) with the old
//   query (group every matching trace's spans, then limit) and with searchTraces (trace_summaries);
// - the service list, overview and service map as the API answers them (HTTP, an app on the
//   database) against the old span queries they replaced, for the last hour and the last day
//   (`--views-only` leaves the trace searches out).
//   DATABASE_URL=postgres://postgres@localhost:5432/postgres pnpm exec tsx bench/read.bench.ts --spans 10000000
// Traces have 10 spans over 20 services (a tenth only the app's own `sightline`), 1% failed spans,
// spread over 24 h; the migration that adds trace_summaries runs after the fill, so its backfill
// is timed too.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type Queryable } from '../src/storage/database.js';
import { MIGRATIONS, migrate } from '../src/storage/migrations.js';
import { createApp } from '../src/app.js';
import { FAILED_SPAN, refreshRollups } from '../src/storage/service-stats.js';
import { insertSpans, searchTraces, type TraceQuery } from '../src/storage/span-store.js';
import { SqlFilter } from '../src/storage/sql-filter.js';
import { SELF_SERVICE } from '../src/telemetry/self-service.js';

const { values } = parseArgs({ options: { spans: { type: 'string', default: '200000' }, runs: { type: 'string', default: '7' }, keep: { type: 'boolean', default: false }, 'views-only': { type: 'boolean', default: false } } });
const SPANS = Number(values.spans);
const RUNS = Number(values.runs);
const SPANS_PER_TRACE = 10;
const DAY_MS = 86_400_000;
const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('DATABASE_URL must name a PostgreSQL server (a database is created and dropped there)');
if (!Number.isInteger(SPANS) || SPANS < SPANS_PER_TRACE) throw new Error(`--spans must be an integer >= ${SPANS_PER_TRACE}`);

/** The search before trace_summaries: every matching trace's spans grouped, then the limit. */
async function searchTracesBySpans(db: Queryable, query: TraceQuery): Promise<unknown[]> {
  const filter = new SqlFilter()
    .addIf('service = ?', query.service)
    .addIf('service <> ?', query.excludeService)
    .addIf('start_ms >= ?', query.since)
    .addIf('start_ms < ?', query.before);
  const having = [
    ...(query.errorsOnly === true ? ['count(*) filter (where s.status_code = 2) > 0'] : []),
    ...(query.minDurationMs === undefined ? [] : [`max(s.start_ms + s.duration_ms) - min(s.start_ms) >= ${filter.param(query.minDurationMs)}`]),
  ];
  const limit = filter.param(query.limit);
  return db.query(
    `with matching as (select distinct trace_id from spans ${filter.where()})
     select s.trace_id,
       (array_agg(s.service order by (s.parent_span_id is null) desc, s.start_ms))[1] as root_service,
       (array_agg(s.name order by (s.parent_span_id is null) desc, s.start_ms))[1] as root_name,
       min(s.start_ms) as start_ms, max(s.start_ms + s.duration_ms) - min(s.start_ms) as duration_ms,
       count(*)::int as span_count, count(*) filter (where s.status_code = 2)::int as error_count
     from spans s join matching m on m.trace_id = s.trace_id
     group by s.trace_id ${having.length === 0 ? '' : `having ${having.join(' and ')}`}
     order by start_ms desc limit ${limit}`,
    filter.params,
  );
}

/** The service list's query before the rollups: every span of the window, grouped by service. */
async function serviceSummariesBySpans(db: Queryable, since: number): Promise<unknown[]> {
  return db.query(
    `select service, count(*)::int as spans,
       count(*) filter (where kind in (2, 5))::int as entry_n,
       count(*) filter (where kind in (2, 5) and ${FAILED_SPAN})::int as entry_errors,
       percentile_cont(0.95) within group (order by duration_ms) filter (where kind in (2, 5)) as entry_p95,
       count(*) filter (where parent_span_id is null)::int as root_n,
       count(*) filter (where parent_span_id is null and ${FAILED_SPAN})::int as root_errors,
       percentile_cont(0.95) within group (order by duration_ms) filter (where parent_span_id is null) as root_p95
     from spans where start_ms >= $1 group by service order by service`,
    [since],
  );
}

/** The overview before the rollups: the service list and every minute of each service's sparklines. */
async function overviewBySpans(db: Queryable, since: number): Promise<unknown[]> {
  const services = await serviceSummariesBySpans(db, since);
  const names = JSON.stringify(services.slice(0, 50).map((s) => (s as { service: string }).service));
  return db.query(
    `select service, name, time_ms, case when name = $1 then sum(value) else max(value) end as value
     from metric_points
     where name in ($1, $2) and service in (select jsonb_array_elements_text($3::jsonb)) and time_ms >= $4
     group by service, name, time_ms order by time_ms`,
    ['sightline.request.rate', 'sightline.request.duration.p95', names, since],
  );
}

/** The service map's calls before the rollups: every child span of the window joined to its parent. */
async function serviceEdgesBySpans(db: Queryable, since: number): Promise<unknown[]> {
  return db.query(
    `select parent.service as caller, child.service as callee, count(*)::int as calls,
       count(*) filter (where child.status_code = 2)::int as errors,
       coalesce(percentile_cont(0.95) within group (order by child.duration_ms), 0) as p95_ms
     from spans child join spans parent on parent.trace_id = child.trace_id and parent.span_id = child.parent_span_id
     where child.start_ms >= $1 and parent.service <> child.service
     group by parent.service, child.service order by parent.service, child.service`,
    [since],
  );
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

const name = `sightline_read_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create database ${name}`);
const target = new URL(url);
target.pathname = `/${name}`;
const db = await openDatabase({ databaseUrl: target.toString() });
try {
  await migrate(db, MIGRATIONS.filter((m) => m.version < 13));
  const now = Date.now();
  const traces = Math.floor(SPANS / SPANS_PER_TRACE);
  let t0 = performance.now();
  // Span i of trace t: the root first (no parent), then children of it; services rotate per trace.
  // Written in time order, as ingest appends them (the block-range index on start relies on it).
  await db.exec(`insert into spans (trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
      status_code, status_message, attributes, resource, events, links, scope)
    select lpad(to_hex(t), 32, '0'), lpad(to_hex(i + 1), 16, '0'),
      case when i = 0 then null else lpad(to_hex(1), 16, '0') end,
      case when t % 10 = 0 then '${SELF_SERVICE}' else 'svc-' || ((t + i) % 20) end,
      case when i = 0 then 'GET /route/' || (t % 50) else 'op ' || i end,
      case when i = 0 then 2 else 3 end,
      ${now - DAY_MS} + t::double precision * ${DAY_MS / traces} + i,
      case when i = 0 then 20 + (t % 997) else 5 + (i % 7) end,
      case when (t * 7 + i) % 100 = 0 then 2 else 0 end, null, '{}'::jsonb, '{}'::jsonb, '[]'::jsonb, '[]'::jsonb, null
    from generate_series(0, ${traces - 1}) as t, generate_series(0, ${SPANS_PER_TRACE - 1}) as i
    order by t, i`);
  const fillMs = performance.now() - t0;
  // The overview's sparklines: a request rate and p95 point per service and minute, as derived series.
  await db.exec(`insert into metric_points (name, service, kind, labels, time_ms, value)
    select metric, 'svc-' || s, 'gauge', '{"operation":"GET /route/1"}'::jsonb, ${Math.floor(now / 60_000) * 60_000 - DAY_MS} + m * 60000.0, 1
    from generate_series(0, 19) as s, generate_series(0, 1439) as m, unnest(array['sightline.request.rate', 'sightline.request.duration.p95']) as metric`);
  const migrationMs: Record<string, number> = {};
  for (const migration of MIGRATIONS.filter((m) => m.version >= 13)) {
    t0 = performance.now();
    await migrate(db, MIGRATIONS.filter((m) => m.version <= migration.version));
    migrationMs[migration.name] = performance.now() - t0;
  }
  await db.exec('analyze');
  // The leader computes the service map's calls per minute, up to six hours per refresh.
  t0 = performance.now();
  let refreshes = 0;
  while ((await refreshRollups(db, now)) < Math.floor(now / 60_000) * 60_000) refreshes++;
  refreshes++;
  const edgesMs = performance.now() - t0;
  await db.exec('analyze');
  // A live batch through the ingest path, so the summaries it maintains are part of the run.
  await insertSpans(db, [{ trace_id: 'f'.repeat(32), span_id: 'f'.repeat(16), parent_span_id: null, service: 'svc-1', name: 'live', kind: 2, start_ms: now, duration_ms: 3, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null } as never]);

  const base = { excludeService: SELF_SERVICE, limit: 50 } as const;
  const searches: Record<string, TraceQuery> = {
    newest: base,
    'newest, last hour': { ...base, since: now - 3_600_000 },
    'by service': { ...base, service: 'svc-7' },
    'errors only': { ...base, errorsOnly: true },
    'by duration (>= 1 s)': { ...base, minDurationMs: 1_000 },
    'page 2 (before)': { ...base, before: now - DAY_MS / 2 },
  };
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`${SPANS.toLocaleString('en')} spans (${traces.toLocaleString('en')} traces) filled in ${seconds(fillMs)}; migrations on them: ${Object.entries(migrationMs).map(([m, ms]) => `${m} ${seconds(ms)}`).join(', ')}; service edges computed in ${seconds(edgesMs)} (${refreshes} refreshes); median of ${RUNS} runs:`);
  console.log('| search | old (group spans) ms | trace_summaries ms |\n|---|---:|---:|');
  for (const [label, query] of values['views-only'] === true ? [] : Object.entries(searches)) {
    const newMs = await median(() => searchTraces(db, query));
    const oldMs = await median(() => searchTracesBySpans(db, query));
    console.log(`| ${label} | ${oldMs.toFixed(1)} | ${newMs.toFixed(1)} |`);
  }

  const app = await createApp({ storage: { databaseUrl: target.toString() }, log: () => undefined });
  try {
    const url = await app.listen(0);
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      return response.json();
    };
    console.log('\n| view (API) | window | old (span queries) ms | rollups (HTTP answer) ms |\n|---|---|---:|---:|');
    for (const [window, ms] of [['1 h', 3_600_000], ['24 h', DAY_MS]] as const) {
      const since = now - ms;
      const sinceParam = `since=${window === '1 h' ? '1h' : '24h'}`;
      const views = [
        ['service list', `/api/v1/services?${sinceParam}`, () => serviceSummariesBySpans(db, since)],
        ['overview', `/api/v1/views/overview?${sinceParam}`, () => overviewBySpans(db, since)],
        ['service map', `/api/v1/service-map?${sinceParam}`, () => Promise.all([serviceEdgesBySpans(db, since), serviceSummariesBySpans(db, since)])],
      ] as const;
      for (const [label, path, old] of views) {
        // Each pool connection's first query on the partitioned tables loads their catalog entries:
        // a running server has done that long before, so the timed runs start warm.
        for (let i = 0; i < 8; i++) await get(path);
        const newMs = await median(() => get(path));
        const oldMs = await median(old);
        console.log(`| ${label} | ${window} | ${oldMs.toFixed(1)} | ${newMs.toFixed(1)} |`);
      }
    }
  } finally {
    await app.close();
  }
} finally {
  await db.close();
  if (values.keep !== true) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
