import { compareSeverity, type Severity } from '@sightline/core';
import { createHash } from 'node:crypto';
import type { StoredAlert } from '../alerts/alert-pipeline.js';

/** Related alerts taken together: one service, overlapping in time. */
export interface Incident {
  /** Stable: a hash of the first alert's id, so links survive new alerts joining. */
  id: string;
  service: string;
  title: string;
  severity: Severity;
  status: 'open' | 'resolved';
  startsAt: number;
  /** When the last alert resolved; null while any is firing. */
  endsAt: number | null;
  alerts: StoredAlert[];
}

/**
 * Groups alerts into incidents: alerts of the same service (label `service`, else the source)
 * whose intervals overlap — or start within `gapMs` of the group's end — are one incident. An
 * error burst that trips an SLO page, a ticket and two anomaly alerts on checkout is one thing to
 * handle, not four. Sorted newest first.
 */
export function groupIncidents(alerts: readonly StoredAlert[], now: number, gapMs = 5 * 60_000): Incident[] {
  const byService = new Map<string, StoredAlert[]>();
  for (const alert of alerts) {
    const service = alert.labels.service ?? alert.source;
    byService.set(service, [...(byService.get(service) ?? []), alert]);
  }
  const incidents: Incident[] = [];
  for (const [service, list] of byService) {
    list.sort((a, b) => a.startsAt - b.startsAt);
    let current: StoredAlert[] = [];
    let currentEnd = Number.NEGATIVE_INFINITY;
    const close = () => current.length > 0 && incidents.push(incidentOf(service, current));
    for (const alert of list) {
      const end = alert.endsAt ?? now;
      if (current.length > 0 && alert.startsAt > currentEnd + gapMs) {
        close();
        current = [];
        currentEnd = Number.NEGATIVE_INFINITY;
      }
      current.push(alert);
      currentEnd = Math.max(currentEnd, end);
    }
    close();
  }
  return incidents.sort((a, b) => b.startsAt - a.startsAt);
}

function incidentOf(service: string, alerts: StoredAlert[]): Incident {
  const first = alerts[0]!;
  const open = alerts.some((a) => a.status === 'firing');
  const worst = alerts.reduce((a, b) => (compareSeverity(b.severity, a.severity) > 0 ? b : a));
  return {
    id: createHash('sha256').update(first.id).digest('hex').slice(0, 12),
    service,
    title: `${service}: ${worst.title}${alerts.length > 1 ? ` (+${alerts.length - 1} related)` : ''}`,
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
  kind: 'alert-fired' | 'alert-resolved' | 'alert-acknowledged' | 'anomaly' | 'error-log';
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
    `- **Service:** ${incident.service}`,
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
