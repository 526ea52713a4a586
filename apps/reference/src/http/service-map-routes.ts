import type { Clock } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/database.js';
import { inScope, type ScopeOf } from '../access/service-owners.js';
import { serviceEdges, serviceSummaries } from '../storage/service-stats.js';
import { parseQuery } from './query-params.js';

/** A call from one service to another, as the spans show it. */
export interface ServiceEdge {
  from: string;
  to: string;
  /** Calls in the window (child spans whose parent is in the other service). */
  calls: number;
  /** Calls per second over the window. */
  rate: number;
  /** Share of calls whose callee span failed, 0..1. */
  errorRatio: number;
  /** p95 of the callee span's duration, ms. */
  p95_ms: number;
}

/**
 * `GET /api/v1/service-map?since=1h` — who calls whom, derived from spans (through the per-minute
 * edge rollups, see service-stats.ts): an edge for every parent/child span pair in different services (an HTTP client span and the server span it
 * caused, a producer and its consumer), with calls, rate, error ratio and p95 of the callee.
 * Nodes are the services seen in the window with their span and request counts and the share of
 * their requests (entry spans, as the overview counts them) that failed.
 */
export function registerServiceMapRoutes(app: FastifyInstance, options: { db: Database; clock: Clock; scopeOf: ScopeOf }): void {
  app.get('/api/v1/service-map', async (request) => {
    const now = options.clock.now();
    const q = parseQuery(request.query, { since: { type: 'time' } }, now);
    const since = Math.min(q.since ?? now - 3_600_000, now - 1);
    const windowSeconds = Math.max((now - since) / 1_000, 1);
    const edges = await serviceEdges(options.db, since);
    // A node's error ratio is per request (entry spans), as on the overview, not per span.
    const nodes = await serviceSummaries(options.db, { since });
    // A scoped reader sees its services and the calls they make or receive, not the rest of the map.
    const scope = await options.scopeOf(request);
    const visibleEdges = edges.filter((e) => inScope(scope, e.caller) || inScope(scope, e.callee));
    const visible = new Set(visibleEdges.flatMap((e) => [e.caller, e.callee]));
    return {
      since,
      nodes: nodes.filter((n) => inScope(scope, n.service) || visible.has(n.service)).map((n) => ({ service: n.service, spans: n.spans, requests: n.requests, errorRatio: n.requests === 0 ? 0 : n.errors / n.requests })),
      edges: visibleEdges.map((e): ServiceEdge => ({ from: e.caller, to: e.callee, calls: e.calls, rate: e.calls / windowSeconds, errorRatio: e.calls === 0 ? 0 : e.errors / e.calls, p95_ms: Number(e.p95_ms) })),
    };
  });
}
