import type { Clock } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import { parseSilenceInput } from '../alerts/silence.js';
import { inScope, type ScopeOf } from '../access/service-owners.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

/** `/api/v1/alerts` and `/api/v1/silences`. */
export function registerAlertRoutes(app: FastifyInstance, options: { pipeline: AlertPipeline; clock: Clock; scopeOf: ScopeOf }): void {
  const { pipeline, clock, scopeOf } = options;

  app.get('/api/v1/alerts', async (request) => {
    const q = parseQuery(
      request.query,
      { status: { type: 'string', oneOf: ['firing', 'resolved'] }, limit: { type: 'integer', min: 1, max: 1_000 }, before: { type: 'time' } },
      clock.now(),
    );
    const limit = q.limit ?? 100;
    const alerts = await pipeline.listAlerts({
      limit,
      ...(q.status === undefined ? {} : { status: q.status as 'firing' | 'resolved' }),
      ...(q.before === undefined ? {} : { beforeUpdatedAt: q.before }),
    });
    const last = alerts[alerts.length - 1];
    // Paging follows the unfiltered list, so a scoped page may hold fewer than `limit` alerts.
    const scope = await scopeOf(request);
    return { alerts: alerts.filter((a) => inScope(scope, a.labels.service)), nextBefore: alerts.length === limit && last !== undefined ? last.updatedAt : null };
  });

  app.post<{ Params: { id: string } }>('/api/v1/alerts/:id/ack', async (request) => {
    const by = (request.body as { by?: unknown } | null)?.by;
    if (typeof by !== 'string' || by.trim() === '' || by.length > 200) throw new HttpError(400, 'ACK_INVALID', 'Expected { "by": "<who is on it>" } (1-200 characters)');
    const alert = await pipeline.acknowledge(request.params.id, by.trim());
    if (alert === undefined) throw new HttpError(404, 'ALERT_NOT_FOUND', `No firing alert ${request.params.id}`);
    return alert;
  });

  app.get('/api/v1/silences', async (request) => {
    const q = parseQuery(request.query, { active: { type: 'boolean' } }, clock.now());
    return { silences: await pipeline.listSilences(q.active ?? true) };
  });

  app.post('/api/v1/silences', async (request, reply) => {
    const silence = await pipeline.createSilence(parseSilenceInput(request.body, clock.now()));
    return reply.code(201).send(silence);
  });

  app.delete<{ Params: { id: string } }>('/api/v1/silences/:id', async (request, reply) => {
    if (!(await pipeline.expireSilence(request.params.id))) throw new HttpError(404, 'SILENCE_NOT_FOUND', `No active silence ${request.params.id}`);
    return reply.code(204).send();
  });
}
