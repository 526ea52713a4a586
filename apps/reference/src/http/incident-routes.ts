import type { Clock } from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import { incidentTimeline } from '../incidents/incident-timeline.js';
import { groupIncidents, incidentMarkdown, type Incident } from '../incidents/incidents.js';
import type { Database } from '../storage/database.js';
import { inScope, type ScopeOf } from '../access/service-owners.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

/**
 * Incidents: `GET /api/v1/incidents?since` (alerts grouped by service and overlapping time, and
 * across services by shared trace ids), `GET /api/v1/incidents/:id` (with its timeline: alerts,
 * anomalies, deploys, chaos runs, first error logs), `GET /api/v1/incidents/:id/markdown` (a post-mortem draft).
 */
export function registerIncidentRoutes(app: FastifyInstance, options: { db: Database; alerts: AlertPipeline; clock: Clock; scopeOf: ScopeOf }): void {
  const { db, alerts, clock } = options;
  // A team reader sees the incidents that involve one of its services (all of each, for context).
  const load = async (request: FastifyRequest, sinceMs: number): Promise<Incident[]> => {
    const recent = await alerts.listAlerts({ limit: 1_000 });
    const scope = await options.scopeOf(request);
    return groupIncidents(recent.filter((a) => (a.endsAt ?? clock.now()) >= sinceMs), clock.now()).filter((i) => i.services.some((s) => inScope(scope, s)));
  };
  const find = async (request: FastifyRequest, id: string): Promise<Incident> => {
    const incident = (await load(request, clock.now() - 30 * 86_400_000)).find((i) => i.id === id);
    if (incident === undefined) throw new HttpError(404, 'INCIDENT_NOT_FOUND', `No incident ${id} in the last 30 days`);
    return incident;
  };
  const timelineOf = (incident: Incident) => incidentTimeline(db, incident, clock.now());

  app.get('/api/v1/incidents', async (request) => {
    const q = parseQuery(request.query, { since: { type: 'time' } }, clock.now());
    const incidents = await load(request, q.since ?? clock.now() - 86_400_000);
    return { incidents: incidents.map(({ alerts: list, ...rest }) => ({ ...rest, alertCount: list.length })) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (request) => {
    const incident = await find(request, request.params.id);
    return { incident, timeline: await timelineOf(incident) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id/markdown', async (request, reply) => {
    const incident = await find(request, request.params.id);
    return reply.type('text/markdown; charset=utf-8').send(incidentMarkdown(incident, await timelineOf(incident)));
  });
}
