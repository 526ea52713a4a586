import { compareSeverity, type Severity } from '@sightline/core';
import { createHash } from 'node:crypto';
import type { StoredAlert } from '../alerts/alert-pipeline.js';

/** Related alerts taken together: one service overlapping in time, or any services sharing traces. */
export interface Incident {
  /** Stable: a hash of the first alert's id, so links survive new alerts joining. */
  id: string;
  /** The service of the first alert. */
  service: string;
  /** Every service involved, first alert's first. */
  services: string[];
  title: string;
  severity: Severity;
  status: 'open' | 'resolved';
  startsAt: number;
  /** When the last alert resolved; null while any is firing. */
  endsAt: number | null;
  alerts: StoredAlert[];
}

/**
 * The trace ids an alert points at: the `trace_id` label, and the `traceIds` annotation (comma
 * separated) that the app fills with the service's recent error traces when the alert opens.
 */
export function alertTraceIds(alert: StoredAlert): string[] {
  const ids = (alert.annotations.traceIds ?? '').split(',').filter((id) => id !== '');
  if (alert.labels.trace_id !== undefined) ids.push(alert.labels.trace_id);
  return ids;
}

/**
 * Groups alerts into incidents: alerts of the same service (label `service`, else the source)
 * whose intervals overlap — or start within `gapMs` of the group's end — are one incident. An
 * error burst that trips an SLO page, a ticket and two anomaly alerts on checkout is one thing to
 * handle, not four. Groups of different services that share a trace id are then merged: a
 * payments failure that breaks checkout's SLO is one incident, seen from two services. Sorted
 * newest first.
 */
export function groupIncidents(alerts: readonly StoredAlert[], now: number, gapMs = 5 * 60_000): Incident[] {
  const byService = new Map<string, StoredAlert[]>();
  for (const alert of alerts) {
    const service = alert.labels.service ?? alert.source;
    byService.set(service, [...(byService.get(service) ?? []), alert]);
  }
  const groups: { service: string; alerts: StoredAlert[] }[] = [];
  for (const [service, list] of byService) {
    list.sort((a, b) => a.startsAt - b.startsAt);
    let current: StoredAlert[] = [];
    let currentEnd = Number.NEGATIVE_INFINITY;
    for (const alert of list) {
      const end = alert.endsAt ?? now;
      if (current.length > 0 && alert.startsAt > currentEnd + gapMs) {
        groups.push({ service, alerts: current });
        current = [];
        currentEnd = Number.NEGATIVE_INFINITY;
      }
      current.push(alert);
      currentEnd = Math.max(currentEnd, end);
    }
    if (current.length > 0) groups.push({ service, alerts: current });
  }
  return mergeByTrace(groups)
    .map(incidentOf)
    .sort((a, b) => b.startsAt - a.startsAt);
}

/** Union-find over the groups: two groups sharing any trace id end up in one set. */
function mergeByTrace(groups: { service: string; alerts: StoredAlert[] }[]): { service: string; alerts: StoredAlert[] }[][] {
  const parent = groups.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const owner = new Map<string, number>();
  groups.forEach((group, i) => {
    for (const alert of group.alerts) {
      for (const traceId of alertTraceIds(alert)) {
        const other = owner.get(traceId);
        if (other === undefined) owner.set(traceId, i);
        else parent[root(i)] = root(other);
      }
    }
  });
  const sets = new Map<number, { service: string; alerts: StoredAlert[] }[]>();
  groups.forEach((group, i) => sets.set(root(i), [...(sets.get(root(i)) ?? []), group]));
  return [...sets.values()];
}

function incidentOf(groups: { service: string; alerts: StoredAlert[] }[]): Incident {
  const alerts = groups.flatMap((g) => g.alerts).sort((a, b) => a.startsAt - b.startsAt);
  const first = alerts[0]!;
  const service = groups.find((g) => g.alerts.includes(first))!.service;
  const services = [service, ...groups.map((g) => g.service).filter((s) => s !== service)].filter((s, i, all) => all.indexOf(s) === i);
  const open = alerts.some((a) => a.status === 'firing');
  const worst = alerts.reduce((a, b) => (compareSeverity(b.severity, a.severity) > 0 ? b : a));
  const scope = services.length > 1 ? `${service} (+${services.slice(1).join(', ')})` : service;
  return {
    id: createHash('sha256').update(first.id).digest('hex').slice(0, 12),
    service,
    services,
    title: `${scope}: ${worst.title}${alerts.length > 1 ? ` (+${alerts.length - 1} related)` : ''}`,
    severity: worst.severity,
    status: open ? 'open' : 'resolved',
    startsAt: first.startsAt,
    endsAt: open ? null : Math.max(...alerts.map((a) => a.endsAt ?? a.startsAt)),
    alerts,
  };
}

/** One line of an incident's timeline. */
export interface TimelineEvent {
  at: number;
  kind: 'alert-fired' | 'alert-resolved' | 'alert-acknowledged' | 'anomaly' | 'error-log' | 'deploy' | 'chaos-started' | 'chaos-ended';
  text: string;
  /** A trace to open, for error logs that carry one. */
  traceId?: string;
}

/** A post-mortem draft in Markdown: summary, impact window, timeline, alerts, and prompts to fill. */
export function incidentMarkdown(incident: Incident, timeline: readonly TimelineEvent[]): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const duration = incident.endsAt === null ? 'ongoing' : `${Math.round((incident.endsAt - incident.startsAt) / 60_000)} min`;
  return [
    `# Incident ${incident.id}: ${incident.title}`,
    '',
    `- **Service${incident.services.length > 1 ? 's' : ''}:** ${incident.services.join(', ')}`,
    `- **Severity:** ${incident.severity}`,
    `- **Status:** ${incident.status}`,
    `- **Window:** ${iso(incident.startsAt)} – ${incident.endsAt === null ? 'now' : iso(incident.endsAt)} (${duration})`,
    '',
    '## Timeline (UTC)',
    '',
    ...timeline.map((e) => `- ${iso(e.at)} — ${e.kind}: ${e.text}${e.traceId === undefined ? '' : ` (trace \`${e.traceId}\`)`}`),
    '',
    '## Alerts',
    '',
    '| alert | source | severity | fired | resolved |',
    '|---|---|---|---|---|',
    ...incident.alerts.map((a) => `| ${a.title.replaceAll('|', '\\|')} | ${a.source} | ${a.severity} | ${iso(a.startsAt)} | ${a.endsAt === undefined ? '—' : iso(a.endsAt)} |`),
    '',
    '## Impact',
    '',
    '_Who was affected, how much, for how long._',
    '',
    '## Root cause',
    '',
    '_What happened and why._',
    '',
    '## Follow-ups',
    '',
    '- [ ] _Action, owner, due date._',
    '',
  ].join('\n');
}
