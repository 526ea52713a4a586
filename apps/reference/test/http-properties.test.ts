// Property tests (fast-check, fixed seed, FC_SEED to explore) at the HTTP boundary: arbitrary query
// strings get a value or the documented 400 (QUERY_INVALID), never a 500; an OTLP request is
// stored whole or not at all: a 400 stores nothing, a 200 stores exactly what it did not reject.
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@sightline/core';
import fc from 'fast-check';
import { parseQuery } from '../src/http/query-params.js';
import { useTestApp } from './test-app.js';

const SEED = Number(process.env.FC_SEED ?? 20_260_302);
/** Cases per property; the README states them. */
const UNIT_RUNS = 1_000;
const ROUTE_RUNS = 60;

/** Strings that look like the values the parameters take, mixed with anything at all. */
const queryValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^\d{1,400}$/),
  fc.stringMatching(/^-?\d{0,20}(\.\d{0,5})?(e[+-]?\d{1,4})?$/),
  fc.stringMatching(/^(\d{1,20}(ms|s|m|h|d|w)){1,4}$/),
  fc.stringMatching(/^\d{4,6}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?$/),
  fc.constantFrom('', '0', '-1', 'NaN', 'Infinity', '1e400', '0x10', 'true', 'error', 'ERROR', '__proto__', 'constructor', '9007199254740993', '9'.repeat(30), '9'.repeat(400)),
);

const SPEC = {
  service: { type: 'string' },
  level: { type: 'string', oneOf: ['debug', 'info', 'warn', 'error'] },
  since: { type: 'time' },
  until: { type: 'time' },
  traceId: { type: 'string', pattern: /^[0-9a-f]{32}$/ },
  errorsOnly: { type: 'boolean' },
  limit: { type: 'integer', min: 1, max: 1_000 },
} as const;
const KEYS = [...Object.keys(SPEC), 'unknown', '__proto__'];

describe('query parameters (properties)', () => {
  it('give each parameter a value of its type, or throw the one QUERY_INVALID error', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(queryValue, fc.array(queryValue, { minLength: 2, maxLength: 2 }))), (query) => {
        let parsed: Record<string, unknown>;
        try {
          parsed = parseQuery(query, SPEC, 1_767_000_000_000);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).code).toBe('QUERY_INVALID');
          return;
        }
        for (const key of ['since', 'until'] as const) if (parsed[key] !== undefined) expect(Number.isSafeInteger(parsed[key])).toBe(true);
        if (parsed.limit !== undefined) expect(Number.isInteger(parsed.limit) && (parsed.limit as number) >= 1 && (parsed.limit as number) <= 1_000).toBe(true);
        if (parsed.errorsOnly !== undefined) expect(typeof parsed.errorsOnly).toBe('boolean');
      }),
      { seed: SEED, numRuns: UNIT_RUNS },
    );
  });
});

describe('the HTTP API under arbitrary input (properties)', () => {
  const t = useTestApp();

  it('answers arbitrary query strings on read routes with 200 or 400 QUERY_INVALID, never a 500', async () => {
    const routes = ['/api/v1/logs', '/api/v1/traces', '/api/v1/services', '/api/v1/logs/stats', '/api/v1/metrics/series', '/api/v1/audit', '/api/v1/anomalies'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.dictionary(fc.constantFrom('since', 'until', 'limit', 'level', 'service', 'errorsOnly', 'before', 'name', 'text'), queryValue, { maxKeys: 4 }), async (route, query) => {
        const response = await fetch(`${t.url}${route}?${new URLSearchParams(query).toString()}`);
        const body = (await response.json()) as { error?: { code: string } };
        if (response.status !== 200) {
          expect({ route, query, status: response.status, body }).toEqual({ route, query, status: 400, body: { error: expect.objectContaining({ code: 'QUERY_INVALID' }) } });
        }
      }),
      { seed: SEED, numRuns: ROUTE_RUNS },
    );
  });

  it('stores an OTLP trace request whole (less what it rejects) or, on 400, not at all', async () => {
    let run = 0;
    const spanCount = async () => (await t.app.db.query<{ n: number }>(`select count(*)::int as n from spans`))[0]!.n;
    const request = (traceId: string) => ({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'prop-api' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: [
        { traceId, spanId: 'cd'.repeat(8), name: 'GET /', kind: 2, startTimeUnixNano: '1767000000000000000', endTimeUnixNano: '1767000000005000000', attributes: [{ key: 'n', value: { intValue: '3' } }], status: { code: 2 }, events: [{ name: 'e', timeUnixNano: '1767000000001000000' }] },
        { traceId, spanId: 'ce'.repeat(8), parentSpanId: 'cd'.repeat(8), name: 'db', startTimeUnixNano: '1767000000001000000', endTimeUnixNano: '1767000000002000000' },
      ] }] }],
    });
    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] =>
      typeof value !== 'object' || value === null ? [prefix] : [prefix, ...Object.keys(value).flatMap((k) => paths((value as Record<string, unknown>)[k], [...prefix, Array.isArray(value) ? Number(k) : k]))];
    // How many spans an envelope that decoded holds (absent or null lists hold none).
    const list = (parent: unknown, key: string): unknown[] => ((parent as Record<string, unknown>)[key] as unknown[] | null | undefined) ?? [];
    const spansIn = (body: unknown) => list(body, 'resourceSpans').flatMap((r) => list(r, 'scopeSpans')).flatMap((s) => list(s, 'spans')).length;
    const replacement = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, '', '1e400', 99_999, 1.5, -1, '99999999999999999999999999', { toString: 1 }, []));

    await fc.assert(
      fc.asyncProperty(fc.nat(), replacement, async (at, value) => {
        const traceId = (++run).toString(16).padStart(32, 'a');
        const body = request(traceId) as unknown as Record<string | number, unknown>;
        const all = paths(body).filter((p) => p.length > 0);
        const path = all[at % all.length]!;
        let parent = body;
        for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        parent[path[path.length - 1]!] = value;

        const before = await spanCount();
        const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const answer = (await response.json()) as { partialSuccess?: { rejectedSpans: number } };
        const stored = (await spanCount()) - before;
        expect({ path, status: [200, 400].includes(response.status) ? 'handled' : response.status }).toEqual({ path, status: 'handled' });
        if (response.status === 400) expect(stored).toBe(0);
        else expect(stored).toBe(spansIn(body) - (answer.partialSuccess?.rejectedSpans ?? 0));
      }),
      { seed: SEED, numRuns: ROUTE_RUNS },
    );
  });
});
