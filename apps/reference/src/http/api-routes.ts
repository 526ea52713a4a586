import type { Clock } from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../storage/database.js';
import { logStats, logVolumeHistogram, searchLogs, SEVERITY_FLOOR, type LogQuery } from '../storage/log-store.js';
import { metricSeries } from '../storage/metric-store.js';
import { getTrace, searchTraces, traceDurationHistogram, type TraceQuery } from '../storage/span-store.js';
import { serviceSummaries } from '../storage/service-stats.js';
import { SELF_SERVICE } from '../telemetry/self-service.js';
import { inScope, type ScopeOf } from '../access/service-owners.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
const LIMIT = { type: 'integer', min: 1, max: 1_000 } as const;

/** The read API under `/api/v1`: services, traces and logs (each search with its histogram) and metric series. */
export function registerApiRoutes(app: FastifyInstance, options: { db: Database; clock: Clock; scopeOf: ScopeOf }): void {
  const { db, clock, scopeOf } = options;

  app.get('/api/v1/services', async (request) => {
    const q = parseQuery(request.query, { since: { type: 'time' } }, clock.now());
    const scope = await scopeOf(request);
    return { services: await serviceSummaries(db, { since: q.since ?? clock.now() - 3_600_000, ...(scope === undefined ? {} : { services: scope }) }) };
  });

  // The trace search and its duration histogram take the same filters; the app's own traces
  // (service `sightline`) are left out unless `includeSelf=true` or the search names that service.
  const traceFilters = {
    service: { type: 'string' },
    since: { type: 'time' },
    until: { type: 'time' },
    errorsOnly: { type: 'boolean' },
    includeSelf: { type: 'boolean' },
    minDurationMs: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
  } as const;
  const traceQuery = async (q: { service?: string; since?: number; until?: number; errorsOnly?: boolean; includeSelf?: boolean; minDurationMs?: number }, request: FastifyRequest): Promise<Omit<TraceQuery, 'limit'>> => {
    const { includeSelf, ...filters } = q;
    const scope = await scopeOf(request);
    return {
      ...definedOnly(filters),
      ...(scope === undefined ? {} : { services: scope }),
      ...(includeSelf === true || filters.service === SELF_SERVICE ? {} : { excludeService: SELF_SERVICE }),
    };
  };

  app.get('/api/v1/traces', async (request) => {
    const q = parseQuery(request.query, { ...traceFilters, limit: LIMIT, before: { type: 'time' } }, clock.now());
    const { limit: given, before, ...filters } = q;
    const limit = given ?? 50;
    const traces = await searchTraces(db, { ...(await traceQuery(filters, request)), ...(before === undefined ? {} : { before }), limit });
    const last = traces[traces.length - 1];
    return { traces, nextBefore: traces.length === limit && last !== undefined ? last.start_ms : null };
  });

  app.get('/api/v1/traces/histogram', async (request) => {
    const q = parseQuery(request.query, traceFilters, clock.now());
    return traceDurationHistogram(db, await traceQuery(q, request));
  });

  app.get<{ Params: { traceId: string } }>('/api/v1/traces/:traceId', async (request) => {
    const traceId = request.params.traceId.toLowerCase();
    if (!TRACE_ID.test(traceId)) throw new HttpError(400, 'TRACE_ID_INVALID', `traceId ${JSON.stringify(request.params.traceId)} must be 32 hex characters`);
    const spans = await getTrace(db, traceId);
    // A trace is visible when any of its services is: a caller sees the callee spans it caused.
    const scope = await scopeOf(request);
    if (spans.length === 0 || !spans.some((s) => inScope(scope, s.service))) throw new HttpError(404, 'TRACE_NOT_FOUND', `No spans stored for trace ${traceId}`);
    return { traceId, spans };
  });

  // The log search and its volume histogram take the same filters.
  const logFilters = {
    service: { type: 'string' },
    level: { type: 'string', oneOf: Object.keys(SEVERITY_FLOOR) },
    since: { type: 'time' },
    until: { type: 'time' },
    traceId: { type: 'string', pattern: TRACE_ID },
    text: { type: 'string' },
  } as const;
  const logQuery = async (q: { service?: string; level?: string; since?: number; until?: number; traceId?: string; text?: string }, request: FastifyRequest): Promise<Omit<LogQuery, 'limit' | 'beforeId'>> => {
    const { level, ...rest } = q;
    const scope = await scopeOf(request);
    return {
      ...definedOnly(rest),
      ...(scope === undefined ? {} : { services: scope }),
      ...(level === undefined ? {} : { level: level as keyof typeof SEVERITY_FLOOR }),
    };
  };

  app.get('/api/v1/logs', async (request) => {
    const q = parseQuery(request.query, { ...logFilters, limit: LIMIT, before: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER } }, clock.now());
    const { before, limit: given, ...filters } = q;
    const limit = given ?? 100;
    const logs = await searchLogs(db, { ...(await logQuery(filters, request)), ...(before === undefined ? {} : { beforeId: before }), limit });
    const last = logs[logs.length - 1];
    return { logs, nextBefore: logs.length === limit && last !== undefined ? last.id : null };
  });

  app.get('/api/v1/logs/histogram', async (request) => {
    const now = clock.now();
    const q = parseQuery(request.query, logFilters, now);
    return logVolumeHistogram(db, await logQuery(q, request), now);
  });

  app.get('/api/v1/logs/stats', async (request) => {
    const q = parseQuery(request.query, { since: { type: 'time' } }, clock.now());
    return logStats(db, q.since ?? clock.now() - 3_600_000, await scopeOf(request));
  });

  app.get('/api/v1/metrics/series', async (request) => {
    const q = parseQuery(request.query, { name: { type: 'string' }, service: { type: 'string' }, since: { type: 'time' }, limit: { type: 'integer', min: 1, max: 10_000 } }, clock.now());
    if (q.name === undefined || q.service === undefined) throw new HttpError(400, 'QUERY_INVALID', 'name and service are required');
    if (!inScope(await scopeOf(request), q.service)) return { points: [] };
    return { points: await metricSeries(db, q.name, q.service, q.since ?? clock.now() - 3_600_000, q.limit ?? 1_000) };
  });
}

/** Drops undefined values so optional fields stay absent (exactOptionalPropertyTypes). */
function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
