import type { Database } from '../storage/database.js';
import { searchAnomalies } from '../storage/anomaly-store.js';
import { searchLogs } from '../storage/log-store.js';
import type { Incident, TimelineEvent } from './incidents.js';

/** How far before the first alert the timeline looks: what changed just before matters most. */
const LEAD_MS = 10 * 60_000;
/** How far before that a deploy's previous version is looked for. */
const VERSION_LOOKBACK_MS = 60 * 60_000;

/**
 * An incident's timeline: its alerts (fired, acknowledged, resolved), and for each of its services
 * the anomalies, deploys (a new `service.version` first seen in its spans) and the first error
 * logs; plus chaos experiments running meanwhile — a fault someone injected is the first suspect.
 */
export async function incidentTimeline(db: Database, incident: Incident, now: number): Promise<TimelineEvent[]> {
  const from = incident.startsAt - LEAD_MS;
  const to = incident.endsAt ?? now;
  const events: TimelineEvent[] = [];
  for (const a of incident.alerts) {
    events.push({ at: a.startsAt, kind: 'alert-fired', text: `${a.severity} ${a.title}` });
    if (a.acknowledgedAt !== undefined) events.push({ at: a.acknowledgedAt, kind: 'alert-acknowledged', text: `${a.title}, by ${a.acknowledgedBy}` });
    if (a.endsAt !== undefined) events.push({ at: a.endsAt, kind: 'alert-resolved', text: a.title });
  }
  const errors: TimelineEvent[] = [];
  for (const service of incident.services) {
    for (const anomaly of await searchAnomalies(db, { since: from, service, limit: 50 })) {
      if (anomaly.startsAt <= to) events.push({ at: anomaly.startsAt, kind: 'anomaly', text: `${anomaly.seriesKey} (score ${anomaly.score.toFixed(2)}): ${anomaly.reason}` });
    }
    events.push(...(await deploys(db, service, from, to)));
    // The first error logs tell how it started; the newest-first search is reversed.
    const logs = await searchLogs(db, { service, level: 'error', since: from, until: to + 1, limit: 200 });
    for (const log of logs.reverse().slice(0, 10)) errors.push({ at: log.time_ms, kind: 'error-log', text: incident.services.length > 1 ? `${service}: ${log.body}` : log.body, ...(log.trace_id === null ? {} : { traceId: log.trace_id }) });
  }
  events.push(...errors.sort((a, b) => a.at - b.at).slice(0, 10));
  const runs = await db.query<{ id: string; title: string; status: string; started_at: number; ended_at: number | null }>(
    `select id, title, status, started_at, ended_at from chaos_runs where started_at <= $2 and coalesce(ended_at, $2) >= $1 order by started_at`,
    [from, to],
  );
  for (const run of runs) {
    events.push({ at: run.started_at, kind: 'chaos-started', text: `chaos experiment "${run.title}" (run ${run.id})` });
    if (run.ended_at !== null) events.push({ at: run.ended_at, kind: 'chaos-ended', text: `chaos experiment "${run.title}": ${run.status}, faults rolled back` });
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Versions of `service` first seen in [from, to], each with the version it replaced (see `service_versions`, migration 18). */
async function deploys(db: Database, service: string, from: number, to: number): Promise<TimelineEvent[]> {
  const versions = await db.query<{ version: string; first_ms: number }>(
    `select version, first_ms from service_versions
     where service = $1 and last_ms >= $2 and first_ms <= $3
     order by first_ms`,
    [service, from - VERSION_LOOKBACK_MS, to],
  );
  const events: TimelineEvent[] = [];
  versions.forEach((v, i) => {
    const previous = versions[i - 1];
    if (previous !== undefined && v.first_ms >= from) events.push({ at: v.first_ms, kind: 'deploy', text: `${service} ${v.version} deployed (was ${previous.version})` });
  });
  return events;
}
