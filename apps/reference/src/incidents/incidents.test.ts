import { describe, expect, it } from '@jest/globals';
import { createAlert, resolveAlert } from '@sightline/core';
import type { StoredAlert } from '../alerts/alert-pipeline.js';
import { groupIncidents, incidentMarkdown } from './incidents.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;
const stored = (title: string, service: string, startMin: number, endMin?: number, severity: 'warning' | 'critical' = 'warning'): StoredAlert => {
  const alert = createAlert({ source: 'slo', severity, title, labels: { service, slo: title }, startsAt: T0 + startMin * MIN });
  const final = endMin === undefined ? alert : resolveAlert(alert, T0 + endMin * MIN);
  return { ...final, silenced: false, updatedAt: final.endsAt ?? final.startsAt };
};

describe('groupIncidents', () => {
  it('groups alerts of one service that overlap or follow within the gap, and keeps other services apart', () => {
    const alerts = [
      stored('checkout page', 'checkout', 0, 20, 'critical'),
      stored('checkout p95 anomalous', 'checkout', 5, 12),
      stored('checkout ticket', 'checkout', 23, 30), // starts 3 min after the group ends: same incident
      stored('checkout again', 'checkout', 60, 70), // 30 min later: a new incident
      stored('search errors', 'search', 10),
    ];
    const incidents = groupIncidents(alerts, T0 + 80 * MIN);
    expect(incidents.map((i) => [i.service, i.alerts.map((a) => a.title), i.status, i.severity])).toEqual([
      ['checkout', ['checkout again'], 'resolved', 'warning'],
      ['search', ['search errors'], 'open', 'warning'],
      ['checkout', ['checkout page', 'checkout p95 anomalous', 'checkout ticket'], 'resolved', 'critical'],
    ]);
    const first = incidents[2]!;
    expect(first).toMatchObject({ title: 'checkout: checkout page (+2 related)', startsAt: T0, endsAt: T0 + 30 * MIN });
    // The id follows the first alert, so it stays when later alerts join.
    expect(groupIncidents(alerts.slice(0, 2), T0 + 80 * MIN).find((i) => i.service === 'checkout')!.id).toBe(first.id);
  });

  it('merges groups of different services that share a trace id, and only those', () => {
    const withTraces = (alert: StoredAlert, traceIds: string): StoredAlert => ({ ...alert, annotations: { traceIds } });
    const alerts = [
      withTraces(stored('storefront checkout failing', 'storefront', 2, 20, 'critical'), 't1,t2'),
      withTraces(stored('payments errors', 'payments', 0, 15), 't9,t2'),
      withTraces(stored('ledger lagging', 'ledger', 1, 15), 't7'),
      { ...stored('search slow', 'search', 3, 10), labels: { service: 'search', trace_id: 't7' } },
      stored('cart slow', 'cart', 1, 15),
    ];
    const incidents = groupIncidents(alerts, T0 + 30 * MIN);
    expect(incidents.map((i) => [i.services, i.alerts.length]).sort()).toEqual([[['cart'], 1], [['ledger', 'search'], 2], [['payments', 'storefront'], 2]]);
    const joined = incidents.find((i) => i.service === 'payments')!;
    expect(joined).toMatchObject({ title: 'payments (+storefront): storefront checkout failing (+1 related)', severity: 'critical', startsAt: T0, endsAt: T0 + 20 * MIN });
  });

  it('writes a post-mortem draft in Markdown with the window, the timeline and the alerts', () => {
    const [incident] = groupIncidents([stored('a | b', 'checkout', 0, 10, 'critical')], T0 + 20 * MIN);
    const md = incidentMarkdown(incident!, [{ at: T0, kind: 'alert-fired', text: 'critical a | b' }, { at: T0 + MIN, kind: 'error-log', text: 'charge failed', traceId: 'abc' }]);
    expect(md).toContain(`# Incident ${incident!.id}: checkout: a | b`);
    expect(md).toContain('- **Window:** 2026-03-01T12:00:00Z – 2026-03-01T12:10:00Z (10 min)');
    expect(md).toContain('- 2026-03-01T12:01:00Z — error-log: charge failed (trace `abc`)');
    expect(md).toContain('| a \\| b | slo | critical | 2026-03-01T12:00:00Z | 2026-03-01T12:10:00Z |');
    expect(md).toContain('## Root cause');
  });
});
