import type { Clock } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import { groupIncidents, incidentMarkdown, type Incident, type TimelineEvent } from '../incidents/incidents.js';
import { searchAnomalies } from '../storage/anomaly-store.js';
import type { Database } from '../storage/database.js';
import { searchLogs } from '../storage/log-store.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

/**
 * Incidents: `GET /api/v1/incidents?since` (alerts grouped by service and overlapping time),
 * `GET /api/v1/incidents/:id` (with a timeline of the alerts, the service's anomalies and its
 * first error logs), `GET /api/v1/incidents/:id/markdown` (a post-mortem draft).
 */
export function registerIncidentRoutes(app: FastifyInstance, options: { db: Database; alerts: AlertPipeline; clock: Clock }): void {
  const { db, alerts, clock } = options;
  const load = async (sinceMs: number): Promise<Incident[]> => {
    const recent = await alerts.listAlerts({ limit: 1_000 });
    return groupIncidents(recent.filter((a) => (a.endsAt ?? clock.now()) >= sinceMs), clock.now());
  };
  const find = async (id: string): Promise<Incident> => {
    const incident = (await load(clock.now() - 30 * 86_400_000)).find((i) => i.id === id);
    if (incident === undefined) throw new HttpError(404, 'INCIDENT_NOT_FOUND', `No incident ${id} in the last 30 days`);
    return incident;
  };
  const timelineOf = async (incident: Incident): Promise<TimelineEvent[]> => {
    const from = incident.startsAt - 10 * 60_000;
    const to = incident.endsAt ?? clock.now();
    const events: TimelineEvent[] = [];
    for (const a of incident.alerts) {
      events.push({ at: a.startsAt, kind: 'alert-fired', text: `${a.severity} ${a.title}` });
      if (a.acknowledgedAt !== undefined) events.push({ at: a.acknowledgedAt, kind: 'alert-acknowledged', text: `${a.title}, by ${a.acknowledgedBy}` });
      if (a.endsAt !== undefined) events.push({ at: a.endsAt, kind: 'alert-resolved', text: a.title });
    }
    for (const anomaly of await searchAnomalies(db, { since: from, service: incident.service, limit: 50 })) {
      if (anomaly.startsAt <= to) events.push({ at: anomaly.startsAt, kind: 'anomaly', text: `${anomaly.seriesKey} (score ${anomaly.score.toFixed(2)}): ${anomaly.reason}` });
    }
    // The first error logs tell how it started; the newest-first search is reversed.
    const errors = await searchLogs(db, { service: incident.service, level: 'error', since: from, until: to + 1, limit: 200 });
    for (const log of errors.reverse().slice(0, 10)) events.push({ at: log.time_ms, kind: 'error-log', text: log.body, ...(log.trace_id === null ? {} : { traceId: log.trace_id }) });
    return events.sort((a, b) => a.at - b.at);
  };

  app.get('/api/v1/incidents', async (request) => {
    const q = parseQuery(request.query, { since: { type: 'time' } }, clock.now());
    const incidents = await load(q.since ?? clock.now() - 86_400_000);
    return { incidents: incidents.map(({ alerts: list, ...rest }) => ({ ...rest, alertCount: list.length })) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (request) => {
    const incident = await find(request.params.id);
    return { incident, timeline: await timelineOf(incident) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id/markdown', async (request, reply) => {
    const incident = await find(request.params.id);
    return reply.type('text/markdown; charset=utf-8').send(incidentMarkdown(incident, await timelineOf(incident)));
  });
}
