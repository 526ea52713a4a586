import type { Clock } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import { alertLinks } from '../alerts/alert-links.js';
import { parseSilenceInput } from '../alerts/silence.js';
import { LOCAL_PRINCIPAL } from '../access/access-control.js';
import { inScope, type ScopeOf } from '../access/service-owners.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

/**
 * `/api/v1/alerts` and `/api/v1/silences`. Each listed alert carries `links` (its cause, example
 * traces and their logs, as page paths) and, while firing, `live` values when its source has them.
 * `?fingerprint=` lists the occurrences of one alert identity.
 */
export function registerAlertRoutes(app: FastifyInstance, options: { pipeline: AlertPipeline; clock: Clock; scopeOf: ScopeOf }): void {
  const { pipeline, clock, scopeOf } = options;

  app.get('/api/v1/alerts', async (request) => {
    const q = parseQuery(
      request.query,
      { status: { type: 'string', oneOf: ['firing', 'resolved'] }, limit: { type: 'integer', min: 1, max: 1_000 }, before: { type: 'time' }, fingerprint: { type: 'string', pattern: /^[0-9a-f]{1,64}$/ } },
      clock.now(),
    );
    const limit = q.limit ?? 100;
    const alerts = await pipeline.listAlerts({
      limit,
      ...(q.status === undefined ? {} : { status: q.status as 'firing' | 'resolved' }),
      ...(q.before === undefined ? {} : { beforeUpdatedAt: q.before }),
      ...(q.fingerprint === undefined ? {} : { fingerprint: q.fingerprint }),
    });
    const last = alerts[alerts.length - 1];
    // Paging follows the unfiltered list, so a scoped page may hold fewer than `limit` alerts.
    const scope = await scopeOf(request);
    return {
      alerts: alerts.filter((a) => inScope(scope, a.labels.service)).map((a) => {
        const live = pipeline.liveValuesOf(a);
        return { ...a, links: alertLinks(a), ...(live === undefined ? {} : { live }) };
      }),
      nextBefore: alerts.length === limit && last !== undefined ? last.updatedAt : null,
    };
  });

  // With tokens the acknowledgement names the token's principal; in local mode (one shared
  // identity) the caller says who is on it.
  app.post<{ Params: { id: string } }>('/api/v1/alerts/:id/ack', async (request) => {
    const by = (request.body as { by?: unknown } | null)?.by;
    const principal = request.principal;
    let who: string;
    if (principal !== undefined && principal !== LOCAL_PRINCIPAL) {
      if (by !== undefined && by !== principal.id) throw new HttpError(400, 'ACK_INVALID', `Acknowledgements are signed by your token's principal (${principal.id}); leave out "by"`);
      who = principal.id;
    } else {
      if (typeof by !== 'string' || by.trim() === '' || by.length > 200) throw new HttpError(400, 'ACK_INVALID', 'Expected { "by": "<who is on it>" } (1-200 characters)');
      who = by.trim();
    }
    const alert = await pipeline.acknowledge(request.params.id, who);
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
