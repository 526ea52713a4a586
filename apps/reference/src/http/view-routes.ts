import type { Clock } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { Silence } from '../alerts/silence.js';
import type { Database } from '../storage/database.js';
import { SqlFilter } from '../storage/sql-filter.js';
import { serviceSummaries } from '../storage/service-stats.js';
import { DERIVED_METRIC } from '../signals/request-series.js';
import type { ScopeOf } from '../access/service-owners.js';
import { parseQuery } from './query-params.js';
import type { ServiceOverview, SparkPoint } from './api-types.js';

// The overview's row shapes are the page's too: declared once, in the shared API types.
export type { ServiceOverview, SparkPoint } from './api-types.js';

/** A sparkline's step for a window, ms: a minute, or a whole number of minutes making at most 120 points. */
function sparklineStep(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / 120 / 60_000)) * 60_000;
}

/** One watched series with its points over the window and the anomalies found in it. */
export interface AnomalyTimeline {
  seriesKey: string;
  labels: Record<string, string>;
  points: SparkPoint[];
  anomalies: { id: number; startsAt: number; endsAt: number | null; score: number; severity: string; reason: string }[];
}

/**
 * Read endpoints shaped for the web page's views, so each view needs one paginated call:
 * `GET /api/v1/views/overview?since&limit&after` — services (by name, `after` is the last name of
 * the previous page, `nextAfter` the cursor for the next) with request rate, error ratio and p95
 * (requests counted by their entry spans) and sparklines;
 * `GET /api/v1/views/anomalies?since&limit&after&series` — series with anomalies in the window (by series
 * key, `after` is the last key of the previous page), each with its points and anomalies;
 * `GET /api/v1/views/silences?active&limit&before` — silences newest first, paginated by the
 * `nextBefore` cursor (`<startsAt>:<id>`, opaque to callers).
 */
export function registerViewRoutes(app: FastifyInstance, options: { db: Database; clock: Clock; scopeOf: ScopeOf }): void {
  const { db, clock, scopeOf } = options;

  app.get('/api/v1/views/overview', async (request) => {
    const now = clock.now();
    const q = parseQuery(request.query, { since: { type: 'time' }, limit: { type: 'integer', min: 1, max: 500 }, after: { type: 'string' } }, now);
    const since = Math.min(q.since ?? now - 3_600_000, now - 1);
    const limit = q.limit ?? 50;
    const scope = await scopeOf(request);
    const rows = await serviceSummaries(db, { since, limit, ...(q.after === undefined ? {} : { after: q.after }), ...(scope === undefined ? {} : { services: scope }) });
    const names = JSON.stringify(rows.map((r) => r.service));
    const points = rows.length === 0
      ? []
      : await db.query<{ service: string; name: string; time_ms: number; value: number }>(
          // Per minute, or per step of a 120th of longer windows (a sparkline has no room for more):
          // a step's rate is the mean of its minutes' (operations summed), its p95 the highest.
          `select service, name, floor(time_ms / $5) * $5 as time_ms,
             case when name = $1 then sum(value) / ($5 / 60000.0) else max(value) end as value
           from metric_points
           where name in ($1, $2) and service in (select jsonb_array_elements_text($3::jsonb)) and time_ms >= $4
           group by service, name, 3 order by 3`,
          [DERIVED_METRIC.request_rate, DERIVED_METRIC.latency_p95, names, since, sparklineStep(now - since)],
        );
    const windowSeconds = Math.max((now - since) / 1_000, 1);
    const services: ServiceOverview[] = rows.map((r) => ({
      service: r.service,
      spans: r.spans,
      requests: r.requests,
      errors: r.errors,
      rate: r.requests / windowSeconds,
      errorRatio: r.requests === 0 ? 0 : r.errors / r.requests,
      p95_ms: r.p95_ms,
      rateSeries: [],
      p95Series: [],
    }));
    const byName = new Map(services.map((s) => [s.service, s]));
    for (const p of points) {
      const service = byName.get(p.service);
      if (service === undefined) continue;
      (p.name === DERIVED_METRIC.request_rate ? service.rateSeries : service.p95Series).push({ t: Number(p.time_ms), v: Number(p.value) });
    }
    const last = rows[rows.length - 1];
    return { services, nextAfter: rows.length === limit && last !== undefined ? last.service : null };
  });

  app.get('/api/v1/views/anomalies', async (request) => {
    const now = clock.now();
    const q = parseQuery(request.query, { since: { type: 'time' }, limit: { type: 'integer', min: 1, max: 50 }, after: { type: 'string' }, series: { type: 'string' } }, now);
    const since = Math.min(q.since ?? now - 6 * 3_600_000, now - 1);
    const limit = q.limit ?? 10;
    // `series` (a series key, as an anomaly alert's `series` label holds it) narrows to one timeline.
    const series = await db.query<{ series_key: string; labels: Record<string, string> }>(
      `select series_key, (array_agg(labels order by id desc))[1] as labels from anomalies
       where (ends_at is null or ends_at >= $1) and series_key > $2 and ($4::text[] is null or service = any($4::text[]))
         and ($5::text is null or series_key = $5)
       group by series_key order by series_key limit $3`,
      [since, q.after ?? '', limit, (await scopeOf(request)) ?? null, q.series ?? null],
    );
    const timelines: AnomalyTimeline[] = [];
    for (const { series_key: key, labels } of series) {
      const anomalies = await db.query<{ id: number; starts_at: number; ends_at: number | null; score: number; severity: string; reason: string }>(
        `select id, starts_at, ends_at, score, severity, reason from anomalies
         where series_key = $1 and (ends_at is null or ends_at >= $2) order by starts_at`,
        [key, since],
      );
      // Derived series are stored with the service as a column and the other labels as jsonb.
      const { service = '', ...rest } = labels;
      const points = await db.query<{ time_ms: number; value: number }>(
        `select time_ms, value from metric_points where name = $1 and service = $2 and labels = $3::jsonb and time_ms >= $4 order by time_ms limit 2000`,
        [key.slice(0, key.indexOf('{')), service, JSON.stringify(rest), since],
      );
      timelines.push({
        seriesKey: key,
        labels,
        points: points.map((p) => ({ t: Number(p.time_ms), v: Number(p.value) })),
        anomalies: anomalies.map((a) => ({ id: Number(a.id), startsAt: Number(a.starts_at), endsAt: a.ends_at === null ? null : Number(a.ends_at), score: Number(a.score), severity: a.severity, reason: a.reason })),
      });
    }
    const last = series[series.length - 1];
    return { since, now, series: timelines, nextAfter: series.length === limit && last !== undefined ? last.series_key : null };
  });

  app.get('/api/v1/views/silences', async (request) => {
    const q = parseQuery(request.query, { active: { type: 'boolean' }, limit: { type: 'integer', min: 1, max: 500 }, before: { type: 'string', pattern: SILENCE_CURSOR } }, clock.now());
    const limit = q.limit ?? 50;
    const filter = new SqlFilter();
    if (q.active ?? true) filter.add('ends_at > ?', clock.now());
    if (q.before !== undefined) {
      const [startsAt = '', id = ''] = q.before.split(/:(.*)/s);
      const startsAtMarker = filter.param(Number(startsAt));
      filter.add(`(starts_at, id) < (${startsAtMarker}::double precision, ?::text)`, id);
    }
    const rows = await db.query<{ id: string; matchers: Record<string, string>; comment: string; created_by: string; starts_at: number; ends_at: number }>(
      `select id, matchers, comment, created_by, starts_at, ends_at from silences ${filter.where()}
       order by starts_at desc, id desc limit ${filter.param(limit)}`,
      filter.params,
    );
    const silences: Silence[] = rows.map((r) => ({ id: r.id, matchers: r.matchers, comment: r.comment, createdBy: r.created_by, startsAt: Number(r.starts_at), endsAt: Number(r.ends_at) }));
    const last = silences[silences.length - 1];
    return { silences, nextBefore: silences.length === limit && last !== undefined ? `${last.startsAt}:${last.id}` : null };
  });
}

const SILENCE_CURSOR = /^\d+(\.\d+)?:.+$/s;
