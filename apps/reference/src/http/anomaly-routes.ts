import { SEVERITIES, isAtLeastSeverity, type Clock, type Severity } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import { searchAnomalies } from '../storage/anomaly-store.js';
import type { Database } from '../storage/database.js';
import type { ScopeOf } from '../access/service-owners.js';
import { parseQuery } from './query-params.js';

/** `GET /api/v1/anomalies?since&severity&service&limit&before` — newest first. */
export function registerAnomalyRoutes(app: FastifyInstance, options: { db: Database; clock: Clock; scopeOf: ScopeOf }): void {
  app.get('/api/v1/anomalies', async (request) => {
    const q = parseQuery(
      request.query,
      {
        since: { type: 'time' },
        severity: { type: 'string', oneOf: SEVERITIES },
        service: { type: 'string' },
        limit: { type: 'integer', min: 1, max: 1_000 },
        before: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER },
      },
      options.clock.now(),
    );
    const limit = q.limit ?? 100;
    const minimum = q.severity as Severity | undefined;
    const scope = await options.scopeOf(request);
    const anomalies = await searchAnomalies(options.db, {
      limit,
      ...(scope === undefined ? {} : { services: scope }),
      ...(q.since === undefined ? {} : { since: q.since }),
      ...(minimum === undefined ? {} : { severities: SEVERITIES.filter((s) => isAtLeastSeverity(s, minimum)) }),
      ...(q.service === undefined ? {} : { service: q.service }),
      ...(q.before === undefined ? {} : { beforeId: q.before }),
    });
    const last = anomalies[anomalies.length - 1];
    return { anomalies, nextBefore: anomalies.length === limit && last !== undefined ? last.id : null };
  });
}
