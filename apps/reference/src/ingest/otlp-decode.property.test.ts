// Property tests (fast-check, fixed seed, FC_SEED to explore): OTLP/JSON decoding of any JSON value
// and of mutated valid requests either answers (every item stored or counted as rejected) or throws
// OtlpDecodeError (→ 400) — never another error (→ 500) — and each case finishes well within a bound.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics } from './otlp-metrics.js';
import { decodeTraces } from './otlp-traces.js';
import { OtlpDecodeError, type Decoded } from './otlp-values.js';

const SEED = Number(process.env.FC_SEED ?? 20_260_302);
/** Cases per property; the README states the totals. */
const RUNS = 1_000;
/** A generous bound for one decode (ms): real requests of this size take well under 1 ms. */
const BOUND_MS = 5_000;

const attrs = [{ key: 'service.name', value: { stringValue: 'api' } }, { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } }, { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { doubleValue: 1.5 } }] } } }];
const VALID = {
  traces: { resourceSpans: [{ resource: { attributes: attrs }, scopeSpans: [{ scope: { name: 'lib' }, spans: [
    { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: 'ef'.repeat(8), name: 'GET /', kind: 2, startTimeUnixNano: '1000000', endTimeUnixNano: '3500000', attributes: attrs, status: { code: 2, message: 'boom' }, events: [{ name: 'e', timeUnixNano: '2000000', attributes: attrs }], links: [{ traceId: '12'.repeat(16), spanId: '34'.repeat(8), attributes: [] }] },
    { traceId: 'ab'.repeat(16), spanId: 'ce'.repeat(8), name: 'db', startTimeUnixNano: 1_000_000, endTimeUnixNano: 2_000_000 },
  ] }] }] },
  logs: { resourceLogs: [{ resource: { attributes: attrs }, scopeLogs: [{ scope: { name: 'lib' }, logRecords: [
    { timeUnixNano: '5000000', severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'failed' }, traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), attributes: attrs },
    { observedTimeUnixNano: '6000000', body: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
  ] }] }] },
  metrics: { resourceMetrics: [{ resource: { attributes: attrs }, scopeMetrics: [{ scope: { name: 'lib' }, metrics: [
    { name: 'queue', gauge: { dataPoints: [{ timeUnixNano: '1000000', asDouble: 3, attributes: attrs }, { timeUnixNano: '2000000', asInt: '4' }] } },
    { name: 'requests', sum: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: '1000000', asInt: '7' }] } },
    { name: 'latency', histogram: { dataPoints: [{ timeUnixNano: '1000000', count: '3', sum: 12, bucketCounts: ['1', '1', '1'], explicitBounds: [5, 10] }] } },
  ] }] }] },
} as const;

type Signal = keyof typeof VALID;
const DECODE: Record<Signal, (body: unknown) => Decoded<unknown>> = { traces: decodeTraces, logs: (body) => decodeLogs(body, 9), metrics: decodeMetrics };

/** Runs `decode` and says how it ended: decoded, rejected with OtlpDecodeError, or anything else (a bug). */
function outcome(decode: (body: unknown) => Decoded<unknown>, body: unknown): { decoded: Decoded<unknown> } | { rejected: OtlpDecodeError } {
  const started = performance.now();
  let result: { decoded: Decoded<unknown> } | { rejected: OtlpDecodeError };
  try {
    result = { decoded: decode(body) };
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw new Error(`threw ${String(error)} instead of OtlpDecodeError`, { cause: error });
    result = { rejected: error };
  }
  const took = performance.now() - started;
  if (took > BOUND_MS) throw new Error(`decoding took ${took.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  return result;
}

/** Every path (keys from the root) to a value inside `value`. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** A deep copy of `value` with the value at `path` replaced (or, for `undefined`, deleted). */
function mutate(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** How many items (spans, log records, metrics' data points) an envelope that decoded holds. */
function itemCount(signal: Signal, body: unknown): number {
  const keys = { traces: ['resourceSpans', 'scopeSpans', 'spans'], logs: ['resourceLogs', 'scopeLogs', 'logRecords'], metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'] }[signal];
  const list = (parent: unknown, key: string): unknown[] => ((parent as Record<string, unknown>)[key] as unknown[] | null | undefined) ?? [];
  return list(body, keys[0]!).flatMap((r) => list(r, keys[1]!)).flatMap((s) => list(s, keys[2]!)).length;
}

const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.constantFrom('', '0', '-1', 'NaN', '1e400', '00000000000000000000000000000000', '__proto__', { toString: 1 }, { valueOf: 1, toString: 1 }, [], {}, null));

describe.each(['traces', 'logs', 'metrics'] as const)('OTLP %s decoding (properties)', (signal) => {
  const decode = DECODE[signal];

  it('decodes the valid request in full', () => {
    const decoded = decode(VALID[signal]);
    expect(decoded.rejected).toBe(0);
    expect(decoded.items.length).toBeGreaterThan(0);
  });

  it('answers any JSON value with a result or an OtlpDecodeError, within the bound', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (body) => void outcome(decode, body)), { seed: SEED, numRuns: RUNS });
  });

  it('answers any OTLP-shaped envelope around arbitrary items with a result or an OtlpDecodeError', () => {
    const envelope = { traces: ['resourceSpans', 'scopeSpans', 'spans'], logs: ['resourceLogs', 'scopeLogs', 'logRecords'], metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'] }[signal] as [string, string, string];
    const body = fc.array(fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 4 }), { maxLength: 3 }).map((scopes) => ({ [envelope[0]]: [{ resource: { attributes: attrs }, [envelope[1]]: scopes.map((items) => ({ [envelope[2]]: items })) }] }));
    fc.assert(fc.property(body, (b) => void outcome(decode, b)), { seed: SEED, numRuns: RUNS });
  });

  it('answers a mutated valid request with all of its items accounted for, or rejects it whole', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 }), (mutations) => {
        let body: unknown = VALID[signal];
        for (const [at, value] of mutations) {
          const all = pathsOf(body);
          body = mutate(body, all[at % all.length]!, value);
        }
        const result = outcome(decode, body);
        if ('rejected' in result) return;
        // Nothing lost silently: every span or log record is either returned or counted rejected.
        // (A metric yields one row per data point and is counted per metric or per point, so the
        // count is not one-to-one there.)
        if (signal !== 'metrics') expect(result.decoded.items.length + result.decoded.rejected).toBe(itemCount(signal, body));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
