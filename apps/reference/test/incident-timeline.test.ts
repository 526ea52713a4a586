// Incidents across services and their timeline: alerts on two services are stored with the error
// traces of their service (exemplars), so a payments failure that breaks the storefront is one
// incident; its timeline shows the deploy that preceded it (a new service.version in the spans)
// and the chaos experiment that ran meanwhile.
import { describe, expect, it } from '@jest/globals';
import { createAlert } from '@sightline/core';
import { useTestApp } from './test-app.js';

const MIN = 60_000;
const nanos = (ms: number) => `${Math.round(ms)}000000`;

interface Span {
  traceId: string;
  spanId: string;
  name: string;
  startMs: number;
  failed: boolean;
}

function body(service: string, version: string, spans: Span[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'service.version', value: { stringValue: version } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans: spans.map((s) => ({ traceId: s.traceId, spanId: s.spanId, name: s.name, kind: 2, startTimeUnixNano: nanos(s.startMs), endTimeUnixNano: nanos(s.startMs + 20), attributes: [], status: { code: s.failed ? 2 : 0 } })) }],
      },
    ],
  });
}

describe('incidents across services', () => {
  const t = useTestApp();
  const post = (path: string, text: string) => fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });

  it('joins alerts of two services that share error traces, with the deploy and the chaos run in the timeline', async () => {
    const now = Date.now();
    const failing = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01';
    // payments ran 1.4.0 until 8 minutes ago, then 1.5.0 whose charges fail; the storefront's checkout fails with them.
    expect((await post('/v1/traces', body('payments', '1.4.0', [{ traceId: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb01', spanId: '00000000000000a1', name: 'charge', startMs: now - 20 * MIN, failed: false }]))).status).toBe(200);
    expect((await post('/v1/traces', body('payments', '1.5.0', [{ traceId: failing, spanId: '00000000000000a2', name: 'charge', startMs: now - 8 * MIN, failed: true }]))).status).toBe(200);
    expect((await post('/v1/traces', body('storefront', '3.0.0', [{ traceId: failing, spanId: '00000000000000b1', name: 'POST /checkout', startMs: now - 8 * MIN - 5, failed: true }]))).status).toBe(200);
    await t.app.db.query(`insert into chaos_runs (id, title, status, started_at, ended_at, experiment) values ('run-1', 'slow card processor', 'deviated', $1, $2, '{}'::jsonb)`, [now - 7 * MIN, now - 5 * MIN]);

    await t.app.alerts.submit(createAlert({ source: 'slo', severity: 'critical', title: 'storefront checkout burning budget', labels: { service: 'storefront', slo: 'checkout' }, startsAt: now - 6 * MIN }));
    // A different service, 30 minutes apart from nothing in particular: only the shared trace joins them.
    await t.app.alerts.submit(createAlert({ source: 'anomaly', severity: 'warning', title: 'payments error ratio anomalous', labels: { service: 'payments', series: 'payments/charge' }, startsAt: now - 7 * MIN }));
    await t.app.alerts.submit(createAlert({ source: 'anomaly', severity: 'warning', title: 'search latency anomalous', labels: { service: 'search' }, startsAt: now - 7 * MIN }));

    const stored = await t.app.alerts.listAlerts({ limit: 10 });
    expect(stored.find((a) => a.labels.service === 'payments')!.annotations.traceIds).toBe(failing);
    expect(stored.find((a) => a.labels.service === 'search')!.annotations.traceIds).toBeUndefined();

    const { incidents } = (await (await fetch(`${t.url}/api/v1/incidents`)).json()) as { incidents: { id: string; service: string; services: string[]; alertCount: number; title: string }[] };
    expect(incidents.map((i) => [i.services, i.alertCount])).toEqual(expect.arrayContaining([[['payments', 'storefront'], 2], [['search'], 1]]));
    const joined = incidents.find((i) => i.services.length === 2)!;
    expect(joined.title).toBe('payments (+storefront): storefront checkout burning budget (+1 related)');

    const { timeline } = (await (await fetch(`${t.url}/api/v1/incidents/${joined.id}`)).json()) as { timeline: { kind: string; text: string }[] };
    expect(timeline.map((e) => e.kind)).toEqual(['deploy', 'alert-fired', 'chaos-started', 'alert-fired', 'chaos-ended']);
    expect(timeline[0]!.text).toBe('payments 1.5.0 deployed (was 1.4.0)');
    expect(timeline[4]!.text).toBe('chaos experiment "slow card processor": deviated, faults rolled back');
    const markdown = await (await fetch(`${t.url}/api/v1/incidents/${joined.id}/markdown`)).text();
    expect(markdown).toContain('- **Services:** payments, storefront');
    expect(markdown).toContain('deploy: payments 1.5.0 deployed (was 1.4.0)');
  });
});
