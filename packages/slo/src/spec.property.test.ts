import { describe, expect, it } from '@jest/globals';
import { ManualClock, ValidationError } from '@sightline/core';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadSloSpecs, toOpenSlo } from './openslo.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpecs, serializeSloSpec, type SloSpec } from './spec.js';

// Cases per property per run (stated in the README's "Property tests" line). Seeded: a failure
// reproduces; change the seed locally to explore further.
const RUNS = 200;
const SEED = 20_261_203;
/** Generous per-case bound: a 100 KB document loads in a few ms; a hang or blow-up takes far longer. */
const CASE_MS = 5_000;

/** Runs `load`; a result must be specs, a throw must be the documented ValidationError. */
function loadsOrRefuses(load: () => SloSpec[]): void {
  const started = performance.now();
  try {
    const specs = load();
    expect(Array.isArray(specs)).toBe(true);
  } catch (error) {
    if (!(error instanceof ValidationError) || error.code !== 'SLO_SPEC_INVALID') throw error;
    expect(error.issues.length).toBeGreaterThan(0);
  }
  expect(performance.now() - started).toBeLessThan(CASE_MS);
}

const yamlish = fc.stringMatching(/^[-a-z0-9 :{}[\],'"&*!|>#%@`?\n\t.]*$/, { maxLength: 400 });
const fragments = fc.constantFrom(
  'slos:\n', '  - name: checkout\n', '    objective: 0.999\n', '    window: 30d\n', '    sli: { kind: latency, thresholdMs: 300 }\n', 'apiVersion: openslo/v1\n',
  'kind: SLO\n', 'spec:\n', '  indicator:\n', '    spec: { ratioMetric: { total: {} } }\n', '---\n', '&a [*a]\n', '*x\n', '%YAML 1.1\n', '!!binary AAA=\n', '!!set { a }\n',
  '? [a]\n: b\n', '{"slos": [', ']}', '"\\u0000"\n', '\uFEFF', '\r\n', '  timeWindow: [{ duration: 1M, isRolling: false, calendar: { timeZone: Mars/Base } }]\n',
  '  objectives: [{ target: 0.99, op: lte, value: 100 }]\n',
  // 10 + 100 alias expansions: past yaml's limit of 100 (a small "billion laughs").
  'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n', 'x: !!timestamp 2026-01-01\n', '__proto__: { polluted: true }\n',
);
const documents = fc.oneof(yamlish, fc.array(fc.oneof(fragments, yamlish), { maxLength: 30 }).map((parts) => parts.join('')), fc.json({ maxDepth: 6 }));

/** Arbitrary shapes near the native form: every field sometimes right, sometimes anything. */
const anything = fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withBigInt: true });
/** Half the cases keep every field valid (so the round trip is exercised), half break some. */
const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: anything });
const fieldShapes = (wrap: <T>(good: fc.Arbitrary<T>) => fc.Arbitrary<unknown>) => fc.record(
  {
    name: wrap(fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?$/)),
    service: wrap(fc.string({ minLength: 1, maxLength: 20 })),
    description: wrap(fc.string({ maxLength: 40 })),
    objective: wrap(fc.double({ min: 0.5, max: 0.99999, noNaN: true })),
    window: wrap(fc.oneof(fc.constantFrom('1h', '28d', '30d', '400d', '7d12h'), fc.record({ calendar: fc.constantFrom('month', 'week'), timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York') }))),
    sli: wrap(
      fc.oneof(
        fc.constant({ kind: 'availability' }),
        fc.record({ kind: fc.constantFrom('latency', 'freshness'), thresholdMs: fc.integer({ min: 1, max: 60_000 }), op: fc.constantFrom('lt', 'lte', 'gt', 'gte') }, { requiredKeys: ['kind', 'thresholdMs'] }),
        fc.record({ kind: fc.constant('ratio'), goodMetric: fc.constantFrom('ok_total', 'good'), totalMetric: fc.constantFrom('all_total', 'total') }),
      ),
    ),
    alerting: wrap(fc.record({ burnWindows: fc.array(fc.record({ severity: fc.constantFrom('page', 'ticket'), longWindow: fc.constantFrom('1h', '6h', '1d', '3d'), shortWindow: fc.constantFrom('5m', '30m'), burnRate: fc.double({ min: 0.5, max: 20, noNaN: true }) }), { minLength: 1, maxLength: 3 }) })),
    prometheus: wrap(fc.record({ errorQuery: fc.constant('sum(rate(errors[{{.window}}]))'), totalQuery: fc.constant('sum(rate(all[{{.window}}]))') })),
    budgeting: wrap(
      fc.oneof(
        fc.record({ method: fc.constant('Timeslices'), timeSliceTarget: fc.double({ min: 0.5, max: 1, noNaN: true }), timeSliceWindow: fc.constantFrom('1m', '5m') }),
        fc.record({ method: fc.constant('RatioTimeslices'), timeSliceWindow: fc.constantFrom('1m', '5m') }),
      ),
    ),
    labels: wrap(fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), fc.string({ maxLength: 12 }), { maxKeys: 3 })),
  },
  { requiredKeys: ['name', 'service', 'objective', 'sli'] },
);
const nativeSpec = fc.oneof(fieldShapes((good) => good), fieldShapes(field).map((spec) => spec as Record<string, unknown>));

describe('SLO spec loading, property-based', () => {
  it('arbitrary YAML/JSON-ish text loads to specs or throws only SLO_SPEC_INVALID, within the time bound', () => {
    fc.assert(fc.property(documents, (text) => loadsOrRefuses(() => loadSloSpecs(text))), { seed: SEED, numRuns: RUNS });
  });

  it('documents up to 100 KB (long lists, deep nesting, many aliases) stay within the time bound', () => {
    const big = fc.oneof(
      fc.integer({ min: 1, max: 2_000 }).map((n) => `slos:\n${'  - { name: a, service: s, objective: 0.9, sli: { kind: availability } }\n'.repeat(n)}`),
      fc.integer({ min: 1, max: 20_000 }).map((n) => `${'['.repeat(Math.min(n, 5_000))}1${']'.repeat(Math.min(n, 5_000))}`),
      fc.integer({ min: 1, max: 5_000 }).map((n) => `a: &a [x]\nslos: [${Array.from({ length: n }, () => '*a').join(',')}]\n`),
      fc.string({ minLength: 50_000, maxLength: 100_000 }),
    );
    fc.assert(fc.property(big, (text) => loadsOrRefuses(() => loadSloSpecs(text))), { seed: SEED, numRuns: 20 });
  });

  it('arbitrary object shapes parse to specs or throw only SLO_SPEC_INVALID; a loaded spec exported and reloaded is equal', () => {
    let loaded = 0;
    fc.assert(
      fc.property(fc.array(nativeSpec, { maxLength: 3 }), (input) => {
        let specs: SloSpec[];
        try {
          specs = parseSloSpecs(input);
        } catch (error) {
          if (!(error instanceof ValidationError) || error.code !== 'SLO_SPEC_INVALID') throw error;
          return;
        }
        loaded++;
        expect(loadSloSpecs(stringify({ slos: specs.map(serializeSloSpec) }))).toEqual(specs);
        expect(loadSloSpecs(specs.map((s) => stringify(toOpenSlo(s))).join('---\n'))).toEqual(specs);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(loaded).toBeGreaterThan(RUNS / 10); // the round trip ran on a fair share of the cases
  });
});

describe('SloTracker recording, property-based', () => {
  const spec = parseSloSpecs([{ name: 'p', service: 's', objective: 0.99, window: '1d', sli: { kind: 'availability' } }])[0]!;
  const T0 = Date.parse('2026-03-01T00:00:00Z');
  const timestamp = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -2 * 86_400_000, max: 10 * 60_000 }).map((d) => T0 + d) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 53), max: 2 ** 53 }) },
  );
  const WINDOWS = [5 * 60_000, 3_600_000, 6 * 3_600_000, 86_400_000];

  it('arbitrary (timestamp, good) sequences never throw, and a rejected event changes no burn rate', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(timestamp, fc.boolean(), fc.integer({ min: 0, max: 600_000 })), { maxLength: 60 }), (events) => {
        const clock = new ManualClock(T0);
        const tracker = new SloTracker(spec, { clock });
        for (const [at, ok, step] of events) {
          clock.advance(step);
          const now = clock.now();
          const before = WINDOWS.map((w) => tracker.burnRate(w, now));
          const status = tracker.status(now);
          const rejected = tracker.rejectedEvents;
          tracker.recordOutcome(ok, at);
          if (tracker.rejectedEvents !== rejected) {
            expect(tracker.rejectedEvents).toBe(rejected + 1);
            expect(WINDOWS.map((w) => tracker.burnRate(w, now))).toEqual(before);
            expect(tracker.status(now)).toEqual(status);
          }
          for (const rate of WINDOWS.map((w) => tracker.burnRate(w, now))) expect(Number.isFinite(rate) && rate >= 0).toBe(true);
        }
        const { future, past, invalid } = tracker.rejectedEventsByReason;
        expect(future + past + invalid).toBe(tracker.rejectedEvents);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
