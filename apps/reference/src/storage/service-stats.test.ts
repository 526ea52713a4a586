import { beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { testDatabases } from '../../test/databases.js';
import { useMigratedDatabase } from '../../test/memory-db.js';
import { DurationHistogram, RELATIVE_ACCURACY, bucketOf, bucketValue } from './duration-histogram.js';
import { LATE_ARRIVAL_MS, refreshRollups, serviceEdges, serviceSummaries } from './service-stats.js';
import { insertSpans } from './span-store.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const SERVICES = ['cart', 'checkout', 'payments', 'web'];

/** percentile_cont over the exact values, as the old span query computed it. */
function exactPercentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = sorted[Math.floor(rank)]!;
  return low + (rank - Math.floor(rank)) * (sorted[Math.ceil(rank)]! - low);
}

const expectWithinAccuracy = (actual: number, exact: number) => expect(Math.abs(actual - exact)).toBeLessThanOrEqual(exact * RELATIVE_ACCURACY + 1e-9);

describe('duration histogram', () => {
  it('reads every duration back within 1 %, from 1 µs to days', () => {
    fc.assert(fc.property(fc.double({ min: 0.001, max: 1e9, noNaN: true }), (ms) => {
      expect(Math.abs(bucketValue(bucketOf(ms)) - ms) / ms).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-12);
    }), { numRuns: 2_000, seed: 24 });
  });

  it('interpolates percentiles as percentile_cont does, within 1 %', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, q) => {
      const histogram = new DurationHistogram();
      for (const v of values) histogram.addCounts({ [bucketOf(v)]: 1 });
      expectWithinAccuracy(histogram.percentile(q), exactPercentile(values, q));
    }), { numRuns: 500, seed: 7 });
  });

  it('is 0 when empty and counts what it is given', () => {
    expect(new DurationHistogram().percentile(0.95)).toBe(0);
    expect(new DurationHistogram().addCounts({ 5: 2 }).count).toBe(2);
  });
});

describe.each(testDatabases)('service rollups on $name', (database) => {
  const t = useMigratedDatabase(database);
  beforeEach(async () => {
    await t.db.exec('truncate spans, trace_summaries, service_rollups, service_edges, service_rollups_hourly, service_edges_hourly, rollup_progress');
  });

  type TraceInput = typeof traceArbitrary extends fc.Arbitrary<infer T> ? T : never;
  /** A random trace: a root in one service, children calling across services, over a few minutes. */
  const traceArbitrary = fc.record({
    rootService: fc.constantFrom(...SERVICES),
    startOffset: fc.integer({ min: 0, max: 20 * MINUTE }),
    children: fc.array(fc.record({
      service: fc.constantFrom(...SERVICES),
      kind: fc.constantFrom(1, 2, 3, 5),
      parent: fc.nat(),
      offset: fc.integer({ min: 0, max: 90_000 }),
      duration: fc.double({ min: 0.05, max: 5_000, noNaN: true }),
      failed: fc.constantFrom('no', 'no', 'no', 'status', 'http503'),
    }), { maxLength: 6 }),
    rootDuration: fc.double({ min: 0.05, max: 5_000, noNaN: true }),
    rootKind: fc.constantFrom(1, 2),
  });

  function spansOf(traces: readonly TraceInput[]): SpanRow[] {
    return traces.flatMap((trace, t) => {
      const traceId = t.toString(16).padStart(32, '0');
      const start = T0 + trace.startOffset;
      const ids = [`${t}`.padStart(15, '0') + 'r'];
      const rows: SpanRow[] = [row(traceId, ids[0]!, null, trace.rootService, trace.rootKind, start, trace.rootDuration, 'no')];
      trace.children.forEach((c, i) => {
        const id = `${t}`.padStart(12, '0') + `c${i}`.padStart(4, '0');
        rows.push(row(traceId, id, ids[c.parent % ids.length]!, c.service, c.kind, start + c.offset, c.duration, c.failed));
        ids.push(id);
      });
      return rows;
    });
  }

  function row(traceId: string, spanId: string, parent: string | null, service: string, kind: number, start: number, duration: number, failed: string): SpanRow {
    return {
      trace_id: traceId, span_id: spanId, parent_span_id: parent, service, name: `op ${kind}`, kind, start_ms: start, duration_ms: duration,
      status_code: failed === 'status' ? 2 : 0, status_message: null, attributes: failed === 'http503' ? { 'http.response.status_code': 503 } : {},
      resource: {}, events: [], links: [], scope: null,
    };
  }

  /** What the old span queries answered, computed from the spans in JS. */
  function expectedSummaries(spans: SpanRow[], since: number) {
    const inWindow = spans.filter((s) => s.start_ms >= since);
    return [...new Set(inWindow.map((s) => s.service))].sort().map((service) => {
      const own = inWindow.filter((s) => s.service === service);
      const entry = own.filter((s) => s.kind === 2 || s.kind === 5);
      const requests = entry.length > 0 ? entry : own.filter((s) => s.parent_span_id === null);
      const failed = (s: SpanRow) => s.status_code === 2 || s.attributes['http.response.status_code'] === 503;
      return { service, spans: own.length, requests: requests.length, errors: requests.filter(failed).length, p95: exactPercentile(requests.map((s) => s.duration_ms), 0.95) };
    });
  }

  function expectedEdges(spans: SpanRow[], since: number) {
    const byId = new Map(spans.map((s) => [`${s.trace_id}/${s.span_id}`, s]));
    const edges = new Map<string, { calls: number; errors: number; durations: number[] }>();
    for (const child of spans) {
      const parent = child.parent_span_id === null ? undefined : byId.get(`${child.trace_id}/${child.parent_span_id}`);
      if (parent === undefined || parent.service === child.service || child.start_ms < since) continue;
      const key = `${parent.service}>${child.service}`;
      const edge = edges.get(key) ?? { calls: 0, errors: 0, durations: [] };
      edge.calls++;
      if (child.status_code === 2) edge.errors++;
      edge.durations.push(child.duration_ms);
      edges.set(key, edge);
    }
    return [...edges.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, e]) => ({ key, calls: e.calls, errors: e.errors, p95: exactPercentile(e.durations, 0.95) }));
  }

  async function checkAgainstSpans(spans: SpanRow[], since: number): Promise<void> {
    const summaries = await serviceSummaries(t.db, { since });
    const expected = expectedSummaries(spans, since);
    expect(summaries.map(({ p95_ms: _, ...rest }) => rest)).toEqual(expected.map(({ p95: _, ...rest }) => rest));
    summaries.forEach((s, i) => expectWithinAccuracy(s.p95_ms, expected[i]!.p95));
    const edges = await serviceEdges(t.db, since);
    const expectedCalls = expectedEdges(spans, since);
    expect(edges.map((e) => ({ key: `${e.caller}>${e.callee}`, calls: e.calls, errors: e.errors }))).toEqual(expectedCalls.map(({ p95: _, ...rest }) => rest));
    edges.forEach((e, i) => expectWithinAccuracy(e.p95_ms, expectedCalls[i]!.p95));
  }

  it('answers as the spans do, for any window start, batching and re-sends, before and after the edges are computed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(traceArbitrary, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 25 * MINUTE }), fc.integer({ min: 1, max: 7 }), async (traces, sinceOffset, batchSize) => {
        await t.db.exec('truncate spans, trace_summaries, service_rollups, service_edges, service_rollups_hourly, service_edges_hourly, rollup_progress');
        const spans = spansOf(traces);
        // Stored in batches that split traces (children before their parents, too) with every batch sent twice.
        const shuffled = [...spans].reverse();
        for (let i = 0; i < shuffled.length; i += batchSize) {
          const batch = shuffled.slice(i, i + batchSize);
          await insertSpans(t.db, batch);
          await insertSpans(t.db, batch);
        }
        const since = T0 + sinceOffset - 17_345; // rarely on a minute boundary
        await checkAgainstSpans(spans, since);
        // The leader computes up to 15½ minutes in (the current minute as far as it goes): those come from service_edges now.
        expect(await refreshRollups(t.db, T0 + 15 * MINUTE + 30_000)).toBe(T0 + 15 * MINUTE + 30_000);
        await checkAgainstSpans(spans, since);
        expect(await refreshRollups(t.db, T0 + 40 * MINUTE)).toBe(T0 + 40 * MINUTE);
        await checkAgainstSpans(spans, since);
        // Two hours on, the first hour is summed: windows read it from the hourly tables.
        expect(await refreshRollups(t.db, T0 + 120 * MINUTE)).toBe(T0 + 120 * MINUTE);
        expect((await t.db.query<{ n: number }>('select count(*)::int as n from service_rollups_hourly'))[0]!.n).toBeGreaterThan(0);
        await checkAgainstSpans(spans, since);
      }),
      { numRuns: database.name === 'pglite' ? 15 : 10, seed: 42 },
    );
  });

  it('pages services by name and keeps to a reader scope', async () => {
    const spans = SERVICES.map((service, i) => row(`${i}`.padStart(32, '0'), '1'.padStart(16, '0'), null, service, 2, T0 + i * 1_000, 10, 'no'));
    await insertSpans(t.db, spans);
    expect((await serviceSummaries(t.db, { since: T0 - MINUTE, limit: 2 })).map((s) => s.service)).toEqual(['cart', 'checkout']);
    expect((await serviceSummaries(t.db, { since: T0 - MINUTE, limit: 2, after: 'checkout' })).map((s) => s.service)).toEqual(['payments', 'web']);
    expect((await serviceSummaries(t.db, { since: T0 - MINUTE, services: ['web', 'nobody'] })).map((s) => s.service)).toEqual(['web']);
    // A window starting mid-minute counts the spans in it, not the whole minute.
    expect((await serviceSummaries(t.db, { since: T0 + 1_500 })).map((s) => s.service)).toEqual(['payments', 'web']);
  });

  it('counts only calls between different services, in the partial first minute of a window too', async () => {
    const trace = 'e'.repeat(32);
    await insertSpans(t.db, [
      row(trace, 'p'.padStart(16, '0'), null, 'web', 2, T0 + 30_000, 100, 'no'),
      row(trace, 'i'.padStart(16, '0'), 'p'.padStart(16, '0'), 'web', 1, T0 + 30_010, 10, 'no'),
      row(trace, 'c'.padStart(16, '0'), 'p'.padStart(16, '0'), 'cart', 2, T0 + 30_020, 10, 'no'),
    ]);
    for (const since of [T0 + 10_000, T0 - MINUTE]) {
      expect((await serviceEdges(t.db, since)).map((e) => [e.caller, e.callee, e.calls])).toEqual([['web', 'cart', 1]]);
    }
  });

  it('recomputes the recent minutes when a late span arrives, and catches up from where it stopped', async () => {
    const parent = row('f'.repeat(32), 'p'.padStart(16, '0'), null, 'web', 2, T0, 100, 'no');
    expect(await refreshRollups(t.db, T0)).toBe(0); // no spans yet: nothing to compute
    await insertSpans(t.db, [parent]);
    expect(await refreshRollups(t.db, T0 + 5 * MINUTE)).toBe(T0 + 5 * MINUTE);
    expect(await serviceEdges(t.db, T0 - MINUTE)).toEqual([]);
    // The child arrives 4 minutes late: within the late-arrival allowance, so the next refresh counts it.
    await insertSpans(t.db, [row('f'.repeat(32), 'c'.padStart(16, '0'), 'p'.padStart(16, '0'), 'cart', 2, T0 + 10, 50, 'status')]);
    expect(await t.db.query('select calls from service_edges')).toEqual([]);
    await refreshRollups(t.db, T0 + 6 * MINUTE);
    expect(await t.db.query('select minute_ms, calls from service_edges')).toEqual([{ minute_ms: T0, calls: 1 }]);
    expect(await serviceEdges(t.db, T0 - MINUTE)).toEqual([{ caller: 'web', callee: 'cart', calls: 1, errors: 1, p95_ms: expect.any(Number) }]);
    // A child arriving later than the allowance stays out of the map (it is in its trace).
    await insertSpans(t.db, [row('f'.repeat(32), 'd'.padStart(16, '0'), 'p'.padStart(16, '0'), 'mail', 2, T0 + 20, 5, 'no')]);
    await refreshRollups(t.db, T0 + 6 * MINUTE + LATE_ARRIVAL_MS);
    expect((await serviceEdges(t.db, T0 - MINUTE)).map((e) => e.callee)).toEqual(['cart']);
    // After a long pause it catches up at most six hours per refresh, from where it stopped.
    expect(await refreshRollups(t.db, T0 + 24 * 60 * MINUTE)).toBe(T0 + 16 * MINUTE + 6 * 60 * MINUTE);
    expect(await refreshRollups(t.db, T0 + 24 * 60 * MINUTE)).toBe(T0 + 16 * MINUTE + 12 * 60 * MINUTE);
  });
});
