import { describe, expect, it } from '@jest/globals';
import { ManualClock, type ValidationError } from '@sightline/core';
import { stringify } from 'yaml';
import { loadSloSpecs, toOpenSlo } from './openslo.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpecs } from './spec.js';

// Cases built from the OpenSLO v1 specification's own text (README "Objectives", "Notes (SLO)",
// "SLI"; examples/budgeting-method), written in our words.

/** The ValidationError `fn` throws (the test fails when it returns). */
function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}
const issuesOf = (fn: () => unknown) => validationError(fn).issues.map((i) => `${i.path.join('.')}: ${i.code}`);

/** An OpenSLO v1 SLO document with a Prometheus ratio indicator; `objective` and `extra` are YAML lines. */
function ratioSlo(objective: string, extra = '', source = 'type: Prometheus, spec: { query: "sum(rate(errors_total[{{.window}}]))" }'): string {
  return `apiVersion: openslo/v1
kind: SLO
metadata: { name: api-availability }
spec:
  service: api
  indicator:
    metadata: { name: api-errors }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { ${source} } }
        total: { metricSource: { type: Prometheus, spec: { query: "sum(rate(requests_total[{{.window}}]))" } } }
${extra}  objectives:
    - ${objective}
`;
}

function thresholdSlo(op: string, value: number): string {
  return `apiVersion: openslo/v1
kind: SLO
metadata: { name: api-latency }
spec:
  service: api
  indicator:
    metadata: { name: api-duration }
    spec:
      thresholdMetric: { metricSource: { type: Prometheus, spec: { query: "request_duration_ms" } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives:
    - { op: ${op}, value: ${value}, target: 0.99 }
`;
}

describe('OpenSLO v1 objectives: target and targetPercent', () => {
  it('reads targetPercent 99.9 as the objective 0.999, exactly (the spec: targetPercent 99.95 is target 0.9995)', () => {
    expect(loadSloSpecs(ratioSlo('targetPercent: 99.9'))[0]!.objective).toBe(0.999);
    const [percent] = loadSloSpecs(ratioSlo('targetPercent: 99.95'));
    const [fraction] = loadSloSpecs(ratioSlo('target: 0.9995'));
    expect(percent).toEqual(fraction);
    expect(percent!.objective).toBe(0.9995);
  });

  it('refuses an objective with both target and targetPercent, and one with neither, naming the two fields', () => {
    expect(issuesOf(() => loadSloSpecs(ratioSlo('{ target: 0.99, targetPercent: 99 }')))).toEqual(['document 1.spec.objectives.0.targetPercent: SLO_OPENSLO_TARGET']);
    const neither = validationError(() => loadSloSpecs(ratioSlo('{ displayName: Good }')));
    expect(neither.issues.map((i) => `${i.path.join('.')}: ${i.code}`)).toEqual(['document 1.spec.objectives.0: SLO_OPENSLO_TARGET']);
    expect(neither.issues[0]!.message).toMatch(/^missing: target .* or targetPercent /);
    expect(neither.message).not.toMatch(/got undefined/);
  });

  it('refuses a targetPercent outside (0, 100) at its own path, in percent', () => {
    const error = validationError(() => loadSloSpecs(ratioSlo('targetPercent: 100')));
    expect(error.issues).toEqual([expect.objectContaining({ path: ['document 1', 'spec', 'objectives', 0, 'targetPercent'], code: 'SLO_OPENSLO_TARGET', message: expect.stringMatching(/percentage in \(0, 100\).*got 100$/) })]);
  });

  it('says "missing" rather than "got undefined" when a native spec has no objective', () => {
    const error = validationError(() => parseSloSpecs([{ name: 'a', service: 'x', sli: { kind: 'availability' } }]));
    expect(error.issues).toEqual([expect.objectContaining({ path: [0, 'objective'], code: 'SLO_OBJECTIVE', message: expect.stringMatching(/^missing: /) })]);
  });
});

describe('OpenSLO v1 threshold objectives: op lt, lte, gt, gte kept exact', () => {
  const T = Date.parse('2026-03-02T10:00:00Z');
  /** Good and bad among the values recorded through a tracker of the loaded spec. */
  function judged(op: string, threshold: number, values: number[]): { good: number; bad: number } {
    const [spec] = loadSloSpecs(thresholdSlo(op, threshold));
    const tracker = new SloTracker(spec!, { clock: new ManualClock(T) });
    for (const v of values) tracker.recordDuration(v, T);
    const { good, bad } = tracker.status(T + 60_000).events;
    return { good, bad };
  }

  it('keeps the op in the spec and writes it back unchanged', () => {
    for (const op of ['lt', 'lte', 'gt', 'gte'] as const) {
      const [spec] = loadSloSpecs(thresholdSlo(op, 500));
      expect(spec!.sli).toEqual({ kind: 'latency', thresholdMs: 500, op });
      expect((toOpenSlo(spec!).spec as { objectives: unknown[] }).objectives[0]).toMatchObject({ op, value: 500 });
      expect(loadSloSpecs(stringify(toOpenSlo(spec!)))).toEqual([spec]);
    }
  });

  it('treats lt 500 as strictly below 500: a 500 ms request is bad, 499.9 ms good', () => {
    expect(judged('lt', 500, [499.9, 500, 500.1])).toEqual({ good: 1, bad: 2 });
  });

  it('treats lte 500 as at most 500, gt as strictly above and gte as at least', () => {
    expect(judged('lte', 500, [499.9, 500, 500.1])).toEqual({ good: 2, bad: 1 });
    expect(judged('gt', 500, [499.9, 500, 500.1])).toEqual({ good: 1, bad: 2 });
    expect(judged('gte', 500, [499.9, 500, 500.1])).toEqual({ good: 2, bad: 1 });
  });

  it('refuses a threshold objective without op, or with an op outside the four, listing them', () => {
    const error = validationError(() => loadSloSpecs(thresholdSlo('eq', 500)));
    expect(error.issues).toEqual([expect.objectContaining({ path: ['document 1', 'spec', 'objectives', 0, 'op'], code: 'SLO_OPENSLO_OP', message: expect.stringContaining('lt, lte, gt, gte') })]);
    expect(issuesOf(() => loadSloSpecs(thresholdSlo('lte', 500).replace('op: lte, ', '')))).toEqual(['document 1.spec.objectives.0.op: SLO_OPENSLO_OP']);
  });
});

describe('OpenSLO v1 timeWindow', () => {
  it('is optional: without it the SLO gets a 30-day rolling window, the native default', () => {
    const [spec] = loadSloSpecs(ratioSlo('target: 0.99'));
    expect(spec!.window).toEqual({ kind: 'rolling', duration: '30d' });
  });

  it('reads a window with calendar and no isRolling as calendar-aligned (the spec assumes isRolling false then)', () => {
    const [spec] = loadSloSpecs(ratioSlo('target: 0.99', '  timeWindow: [{ duration: 1M, calendar: { startTime: "2022-01-01 00:00:00", timeZone: America/New_York } }]\n'));
    expect(spec!.window).toEqual({ kind: 'calendar', unit: 'month', timeZone: 'America/New_York' });
  });

  it('refuses a timeWindow that is not exactly one item', () => {
    const two = '  timeWindow: [{ duration: 28d, isRolling: true }, { duration: 7d, isRolling: true }]\n';
    expect(issuesOf(() => loadSloSpecs(ratioSlo('target: 0.99', two)))).toEqual(['document 1.spec.timeWindow: SLO_OPENSLO_WINDOW']);
  });

  it('reports a bad rolling duration at the OpenSLO field it came from', () => {
    expect(issuesOf(() => loadSloSpecs(ratioSlo('target: 0.99', '  timeWindow: [{ duration: fortnight, isRolling: true }]\n')))).toEqual(['document 1.spec.timeWindow.0.duration: SLO_WINDOW']);
  });
});

describe('OpenSLO v1 data sources', () => {
  it('refuses a Datadog ratio naming the data source as the problem, not the query', () => {
    const error = validationError(() => loadSloSpecs(ratioSlo('target: 0.99', '', 'type: Datadog, spec: { query: "sum:trace.http.request.errors{service:api}.as_count()" }')));
    expect(error.issues).toEqual([
      {
        path: ['document 1', 'spec', 'indicator', 'spec', 'ratioMetric', 'bad', 'metricSource', 'type'],
        code: 'SLO_OPENSLO_DATA_SOURCE',
        message: 'metricSource.type Datadog is not supported: only prometheus queries can be evaluated',
      },
    ]);
  });

  it('refuses a metricSourceRef it cannot resolve, and a precomputed raw ratio', () => {
    const ref = ratioSlo('target: 0.99', '', 'metricSourceRef: my-datadog');
    expect(issuesOf(() => loadSloSpecs(ref))).toEqual(['document 1.spec.indicator.spec.ratioMetric.bad.metricSource.metricSourceRef: SLO_OPENSLO_DATA_SOURCE']);
    const raw = ratioSlo('target: 0.99').replace(/ {8}bad:.*\n {8}total:.*\n/, '        rawType: success\n        raw: { metricSource: { type: Prometheus, spec: { query: up } } }\n');
    expect(issuesOf(() => loadSloSpecs(raw))).toEqual([
      'document 1.spec.indicator.spec.ratioMetric.raw: SLO_OPENSLO_RAW',
      'document 1.spec.indicator.spec.ratioMetric.total: SLO_OPENSLO_TOTAL',
      'document 1.spec.indicator.spec.ratioMetric: SLO_OPENSLO_GOOD',
    ]);
  });

  it('reports every problem of every stage at once: YAML syntax, OpenSLO, and the spec validation', () => {
    const broken = ratioSlo('targetPercent: 150', '  timeWindow: [{ duration: 28x, isRolling: true }]\n', 'type: Datadog, spec: { query: "errors" }').replace('service: api', 'service: ""');
    const text = ['slos: [ {name: a', broken, 'slos:\n  - { name: b, service: x, objective: 2, sli: { kind: availability } }\n'].join('\n---\n');
    expect(issuesOf(() => loadSloSpecs(text))).toEqual([
      'document 1: SLO_YAML',
      'document 1: SLO_YAML',
      'document 2.spec.indicator.spec.ratioMetric.bad.metricSource.type: SLO_OPENSLO_DATA_SOURCE',
      'document 2.spec.objectives.0.targetPercent: SLO_OPENSLO_TARGET',
      'document 2.spec.service: SLO_SERVICE',
      'document 2.spec.timeWindow.0.duration: SLO_WINDOW',
      '0.objective: SLO_OBJECTIVE',
    ]);
  });
});
