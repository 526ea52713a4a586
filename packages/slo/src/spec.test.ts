import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from '@sightline/core';
import { stringify } from 'yaml';
import { loadSloSpecs, toOpenSlo } from './openslo.js';
import { parseSloSpecs, serializeSloSpec } from './spec.js';

const NATIVE = `
slos:
  - name: checkout-availability
    service: checkout
    description: Orders are placed
    objective: 0.999
    window: 30d
    sli: { kind: availability, operation: POST /orders }
    labels: { team: payments }
  - name: checkout-latency
    service: checkout
    objective: 0.99
    window: { calendar: month, timeZone: Europe/Paris }
    sli: { kind: latency, thresholdMs: 300 }
    alerting:
      burnWindows:
        - { severity: page, longWindow: 1h, shortWindow: 5m, burnRate: 10 }
    prometheus:
      errorQuery: sum(rate(http_request_duration_seconds_count{job="checkout"}[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{job="checkout",le="0.3"}[{{.window}}]))
      totalQuery: sum(rate(http_request_duration_seconds_count{job="checkout"}[{{.window}}]))
`;

const OPENSLO = `
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
  labels: { team: discovery }
spec:
  service: search
  indicator:
    metadata: { name: search-errors }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{job="search",code!~"5.."}[{{.window}}]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{job="search"}[{{.window}}]))' } } }
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.995
---
apiVersion: openslo/v1
kind: Service
metadata: { name: search }
spec: { description: not an SLO, ignored }
`;

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    const e = error as ValidationError;
    return { code: e.code, issues: e.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  }
  throw new Error('expected a ValidationError');
};

describe('SLO specs', () => {
  it('reads the native form with every default written out', () => {
    const [availability, latency] = loadSloSpecs(NATIVE);
    expect(availability).toEqual({
      name: 'checkout-availability',
      service: 'checkout',
      description: 'Orders are placed',
      objective: 0.999,
      window: { kind: 'rolling', duration: '30d' },
      sli: { kind: 'availability', operation: 'POST /orders' },
      alerting: {
        burnWindows: [
          { severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 },
          { severity: 'page', longWindow: '6h', shortWindow: '30m', burnRate: 6 },
          { severity: 'ticket', longWindow: '1d', shortWindow: '2h', burnRate: 3 },
          { severity: 'ticket', longWindow: '3d', shortWindow: '6h', burnRate: 1 },
        ],
      },
      labels: { team: 'payments' },
    });
    expect(latency).toMatchObject({ window: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Paris' }, sli: { kind: 'latency', thresholdMs: 300 } });
    expect(latency!.alerting.burnWindows).toHaveLength(1);
  });

  it('round-trips: load → serialise → load is identical, in the native form and through OpenSLO', () => {
    const specs = loadSloSpecs(NATIVE);
    expect(loadSloSpecs(stringify({ slos: specs.map(serializeSloSpec) }))).toEqual(specs);
    expect(loadSloSpecs(specs.map((s) => stringify(toOpenSlo(s))).join('---\n'))).toEqual(specs);
  });

  it('reads OpenSLO v1 SLO documents (ratio metric with good/total) and skips other kinds', () => {
    expect(loadSloSpecs(OPENSLO)).toEqual([
      {
        name: 'search-availability',
        service: 'search',
        objective: 0.995,
        window: { kind: 'rolling', duration: '28d' },
        sli: { kind: 'ratio' },
        alerting: { burnWindows: expect.any(Array) },
        prometheus: {
          errorQuery: '(sum(rate(http_requests_total{job="search"}[{{.window}}]))) - (sum(rate(http_requests_total{job="search",code!~"5.."}[{{.window}}])))',
          totalQuery: 'sum(rate(http_requests_total{job="search"}[{{.window}}]))',
        },
        labels: { team: 'discovery' },
      },
    ]);
  });

  it('reports every problem with its path: target out of (0,1), unknown window, missing threshold, duplicate names, bad burn windows', () => {
    const result = issuesOf(() =>
      parseSloSpecs([
        { name: 'a', service: 'x', objective: 1, window: '30d', sli: { kind: 'availability' } },
        { name: 'b', service: 'x', objective: 0.99, window: 'fortnight', sli: { kind: 'latency' } },
        { name: 'a', service: 'x', objective: 0.99, sli: { kind: 'availability' }, alerting: { burnWindows: [{ severity: 'urgent', longWindow: '5m', shortWindow: '1h', burnRate: 0 }] } },
        { name: 'Bad Name', objective: '99.9', sli: { kind: 'speed' }, extra: true },
      ]),
    );
    expect(result).toEqual({
      code: 'SLO_SPEC_INVALID',
      issues: [
        '0.objective: SLO_OBJECTIVE',
        '1.window: SLO_WINDOW',
        '1.sli.thresholdMs: SLO_SLI_THRESHOLD',
        '2.alerting.burnWindows.0.severity: SLO_BURN_SEVERITY',
        '2.alerting.burnWindows.0.shortWindow: SLO_BURN_WINDOW',
        '2.alerting.burnWindows.0.burnRate: SLO_BURN_RATE',
        '2.name: SLO_DUPLICATE',
        '3.extra: SLO_UNKNOWN_FIELD',
        '3.name: SLO_NAME',
        '3.service: SLO_SERVICE',
        '3.objective: SLO_OBJECTIVE',
        '3.sli.kind: SLO_SLI_KIND',
      ],
    });
  });

  it('reports YAML errors, an unknown time zone, an unsupported OpenSLO version and queries without {{.window}}', () => {
    expect(issuesOf(() => loadSloSpecs('slos: [ {name: a'))).toEqual({ code: 'SLO_SPEC_INVALID', issues: ['document 1: SLO_YAML', 'document 1: SLO_YAML'] });
    expect(issuesOf(() => parseSloSpecs([{ name: 'a', service: 'x', objective: 0.9, window: { calendar: 'month', timeZone: 'Mars/Olympus' }, sli: { kind: 'ratio' }, prometheus: { errorQuery: 'up', totalQuery: 'up' } }])).issues).toEqual([
      '0.window.timeZone: SLO_TIME_ZONE',
      '0.prometheus.errorQuery: SLO_PROMETHEUS_QUERY',
      '0.prometheus.totalQuery: SLO_PROMETHEUS_QUERY',
    ]);
    expect(issuesOf(() => loadSloSpecs('apiVersion: openslo/v2\nkind: SLO\n')).issues).toEqual(['document 1.apiVersion: SLO_OPENSLO_VERSION']);
    expect(issuesOf(() => parseSloSpecs([{ name: 'a', service: 'x', objective: 0.9, sli: { kind: 'ratio', goodMetric: 'jobs_ok_total' } }])).issues).toEqual(['0.sli.totalMetric: SLO_SLI_METRICS']);
    expect(parseSloSpecs([{ name: 'a', service: 'x', objective: 0.9, sli: { kind: 'ratio', goodMetric: 'jobs_ok_total', totalMetric: 'jobs_total' } }])[0]!.sli).toEqual({ kind: 'ratio', goodMetric: 'jobs_ok_total', totalMetric: 'jobs_total' });
  });
});
