// Teams see their own services: a service declares its team with the `sightline.team` resource
// attribute; a viewer on a team then reads only that team's services, traces, logs, metrics,
// alerts, SLOs and corner of the service map, while a viewer without a team and an operator (who
// may `read-all` services) see everything.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createAlert } from '@sightline/core';
import { parseSloSpecs } from '@sightline/slo';
import { upsertAnomaly } from '../src/storage/anomaly-store.js';
import { testDatabases } from './databases.js';
import { getAs, tokenAccess, useTestApp } from './test-app.js';

const TOKENS = { pia: 'payments-viewer', tom: 'teamless-viewer', oli: 'sre-operator', collector: 'org-collector' };
const PAYMENTS_TRACE = 'aaaa0000000000000000000000000001';
const SEARCH_TRACE = 'bbbb0000000000000000000000000002';

function spansOf(service: string, team: string, traceId: string, startMs: number, parent?: { traceId: string; spanId: string }) {
  const attrs = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value: { stringValue: value } }));
  const nanos = (ms: number) => `${ms}000000`;
  return {
    resource: { attributes: attrs({ 'service.name': service, 'sightline.team': team }) },
    scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId: parent?.traceId ?? traceId, spanId: `${service === 'payments-api' ? 'a' : 'b'}00000000000000${parent === undefined ? '1' : '2'}`, ...(parent === undefined ? {} : { parentSpanId: parent.spanId }), name: 'GET /', kind: 2, startTimeUnixNano: nanos(startMs), endTimeUnixNano: nanos(startMs + 15), attributes: [], status: {} }] }],
  };
}

describe.each(testDatabases.map((db) => [db.name, db] as const))('service scope (%s)', (_name, database) => {
  const t = useTestApp(
    {
      slos: parseSloSpecs([
        { name: 'payments-up', service: 'payments-api', objective: 0.99, window: '30d', sli: { kind: 'availability' } },
        { name: 'search-up', service: 'search-api', objective: 0.99, window: '30d', sli: { kind: 'availability' } },
      ], 'test'),
      config: {
        access: tokenAccess({
          [TOKENS.pia]: { id: 'pia', kind: 'user', team: 'payments', roles: ['viewer'] },
          [TOKENS.tom]: { id: 'tom', kind: 'user', roles: ['viewer'] },
          [TOKENS.oli]: { id: 'oli', kind: 'user', team: 'sre', roles: ['operator'] },
          // An org-wide collector: no team, so each resource's sightline.team claims its service.
          [TOKENS.collector]: { id: 'collector', kind: 'service', roles: ['ingest'] },
        }),
      },
    },
    database,
  );

  beforeAll(async () => {
    const now = Date.now();
    // search-api calls payments-api in SEARCH_TRACE; payments-api also serves PAYMENTS_TRACE alone.
    const body = { resourceSpans: [spansOf('payments-api', 'payments', PAYMENTS_TRACE, now - 60_000), spansOf('search-api', 'search', SEARCH_TRACE, now - 50_000), spansOf('payments-api', 'payments', SEARCH_TRACE, now - 49_990, { traceId: SEARCH_TRACE, spanId: 'b000000000000001' })] };
    expect((await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.collector}` }, body: JSON.stringify(body) })).status).toBe(200);
    const logs = { resourceLogs: ['payments-api', 'search-api'].map((service) => ({ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ scope: { name: 't' }, logRecords: [{ timeUnixNano: `${now - 40_000}000000`, severityNumber: 17, severityText: 'ERROR', body: { stringValue: `${service} failed` } }] }] })) };
    expect((await fetch(`${t.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.collector}` }, body: JSON.stringify(logs) })).status).toBe(200);
    for (const service of ['payments-api', 'search-api']) await upsertAnomaly(t.app.db, { seriesKey: `latency{service=${service}}`, detector: 'zscore', startsAt: now - 30_000, endsAt: now - 20_000, score: 0.9, severity: 'warning', value: 9, expected: 1, lower: 0, upper: 2, reason: 'slow', labels: { service } });
    for (const service of ['payments-api', 'search-api']) await t.app.alerts.submit(createAlert({ source: 'anomaly', severity: 'warning', title: `${service} slow`, labels: { service }, startsAt: now - 30_000 }));
  });

  const get = <T,>(token: string, path: string) => getAs<T>(t.url, token, path);
  const services = async (token: string) => (await get<{ services: { service: string }[] }>(token, '/api/v1/services')).body.services.map((s) => s.service);

  it('shows a team member only its team services, traces, logs, metrics, alerts and SLOs', async () => {
    expect(await services(TOKENS.pia)).toEqual(['payments-api']);
    const overview = await get<{ services: { service: string }[] }>(TOKENS.pia, '/api/v1/views/overview');
    expect(overview.body.services.map((s) => s.service)).toEqual(['payments-api']);
    // Both traces touch payments-api: the search trace is visible through its payments span.
    const traces = await get<{ traces: { trace_id: string }[] }>(TOKENS.pia, '/api/v1/traces?since=1h');
    expect(traces.body.traces.map((t) => t.trace_id).sort()).toEqual([PAYMENTS_TRACE, SEARCH_TRACE]);
    const searchOnly = await get<{ traces: unknown[] }>(TOKENS.pia, '/api/v1/traces?since=1h&service=search-api');
    expect(searchOnly.body.traces).toEqual([]);
    const logs = await get<{ logs: { service: string }[] }>(TOKENS.pia, '/api/v1/logs?since=1h');
    expect(logs.body.logs.map((l) => l.service)).toEqual(['payments-api']);
    const alerts = await get<{ alerts: { labels: { service: string } }[] }>(TOKENS.pia, '/api/v1/alerts');
    expect(alerts.body.alerts.map((a) => a.labels.service)).toEqual(['payments-api']);
    const slos = await get<{ slos: { spec: { name: string } }[] }>(TOKENS.pia, '/api/v1/slos');
    expect(slos.body.slos.map((s) => s.spec.name)).toEqual(['payments-up']);
    const stats = await get<{ byService: Record<string, number> }>(TOKENS.pia, '/api/v1/logs/stats?since=1h');
    expect(Object.keys(stats.body.byService)).toEqual(['payments-api']);
    const incidents = await get<{ incidents: { services: string[] }[] }>(TOKENS.pia, '/api/v1/incidents');
    expect(incidents.body.incidents.map((i) => i.services)).toEqual([['payments-api']]);
    const anomalies = await get<{ anomalies: { labels: Record<string, string> }[] }>(TOKENS.pia, '/api/v1/anomalies?since=1h');
    expect(anomalies.body.anomalies.map((a) => a.labels.service)).toEqual(['payments-api']);
    const series = await get<{ points: unknown[] }>(TOKENS.pia, '/api/v1/metrics/series?name=x&service=search-api');
    expect(series.body.points).toEqual([]);
    // The map shows payments-api and the caller that reaches it, nothing else.
    const map = await get<{ nodes: { service: string }[]; edges: { from: string; to: string }[] }>(TOKENS.pia, '/api/v1/service-map');
    expect(map.body.edges).toEqual([expect.objectContaining({ from: 'search-api', to: 'payments-api' })]);
  });

  it('hides a trace with no span of the team services', async () => {
    await t.app.db.query(`delete from spans where trace_id = $1 and service = 'payments-api'`, [SEARCH_TRACE]);
    expect((await get(TOKENS.pia, `/api/v1/traces/${SEARCH_TRACE}`)).status).toBe(404);
    expect((await get(TOKENS.tom, `/api/v1/traces/${SEARCH_TRACE}`)).status).toBe(200);
  });

  it('shows everything to a reader without a team and to an operator, who may read-all services', async () => {
    expect(await services(TOKENS.tom)).toEqual(['payments-api', 'search-api']);
    expect(await services(TOKENS.oli)).toEqual(['payments-api', 'search-api']);
    const alerts = await get<{ alerts: unknown[] }>(TOKENS.oli, '/api/v1/alerts');
    expect(alerts.body.alerts).toHaveLength(2);
  });
});
