import { describe, expect, it } from '@jest/globals';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { testDatabases } from '../../test/databases.js';
import { useMigratedDatabase } from '../../test/memory-db.js';
import type { Queryable } from './database.js';
import { migrate } from './migrations.js';
import { enforceRetention } from './retention.js';
import { getTrace, insertSpans, searchTraces, traceDurationHistogram, type TraceQuery } from './span-store.js';
import { cleanText, type AttributeValue } from '../ingest/otlp-values.js';
import fc from 'fast-check';

const TRACE = 'a'.repeat(32);

function span(spanId: string, over: Partial<SpanRow> = {}): SpanRow {
  return {
    trace_id: TRACE, span_id: spanId.padStart(16, '0'), parent_span_id: '1'.padStart(16, '0'), service: 'cart', name: `op ${spanId}`,
    kind: 1, start_ms: 1_000, duration_ms: 10, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null,
    ...over,
  } as SpanRow;
}

/** Runs what a search sends under EXPLAIN and returns the plan text. */
function explaining(db: Queryable): Queryable & { plan: () => string } {
  let lines: string[] = [];
  return {
    query: async <Row>(sql: string, params?: readonly unknown[]) => {
      const rows = await db.query<Record<string, string>>(`explain ${sql}`, params);
      lines = rows.map((r) => Object.values(r)[0] ?? '');
      return [] as Row[];
    },
    exec: (sql: string) => db.exec(sql),
    copyIn: (target: string, chunks: Iterable<string>) => db.copyIn(target, chunks),
    plan: () => lines.join('\n'),
  };
}

describe.each(testDatabases)('trace summaries on $name', (database) => {
  const t = useMigratedDatabase(database);

  it('folds each stored span into its trace once: a retried batch does not double count', async () => {
    const first = [span('2', { service: 'cart', start_ms: 1_010, duration_ms: 50, status_code: 2 }), span('3', { service: 't.db', start_ms: 1_020 })];
    await insertSpans(t.db, first);
    await insertSpans(t.db, first); // the exporter's retry
    // the root arrives last, started first; one span of the batch is a re-send
    await insertSpans(t.db, [span('1', { parent_span_id: null, service: 'web', name: 'GET /cart', start_ms: 1_000, duration_ms: 100 }), first[1]!]);
    const [summary] = await searchTraces(t.db, { limit: 10 });
    expect(summary).toEqual({ trace_id: TRACE, root_service: 'web', root_name: 'GET /cart', start_ms: 1_000, duration_ms: 100, span_count: 3, error_count: 1 });
    const stored = await t.db.query<{ services: string[]; span_count: number }>('select services, span_count from trace_summaries where trace_id = $1', [TRACE]);
    expect(stored).toEqual([{ services: ['cart', 't.db', 'web'], span_count: 3 }]);
    // a later child never displaces the root; a later, longer span stretches the duration
    await insertSpans(t.db, [span('4', { service: 'mail', start_ms: 900, duration_ms: 300 })]);
    expect(await searchTraces(t.db, { limit: 10 })).toEqual([expect.objectContaining({ root_service: 'web', start_ms: 900, duration_ms: 300, span_count: 4 })]);
    expect(await searchTraces(t.db, { service: 't.db', errorsOnly: true, limit: 10 })).toHaveLength(1);
    expect(await searchTraces(t.db, { service: 't.db', services: ['web'], limit: 10 })).toEqual([]);
    expect(await searchTraces(t.db, { minDurationMs: 301, limit: 10 })).toEqual([]);
    expect((await traceDurationHistogram(t.db, { service: 'mail' })).total).toBe(1);
    await t.db.exec('delete from spans; delete from trace_summaries');
  });

  it('follows span deletion: a trace losing every span loses its summary, one losing some is recomputed', async () => {
    const other = 'c'.repeat(32);
    await insertSpans(t.db, [
      span('1', { parent_span_id: null, service: 'web', start_ms: 1_000, duration_ms: 5_000 }),
      span('2', { service: 't.db', start_ms: 2_000, duration_ms: 10, status_code: 2 }),
      span('3', { service: 'cart', start_ms: 3_000, duration_ms: 100 }),
      span('1', { trace_id: other, parent_span_id: null, service: 'web', start_ms: 500, duration_ms: 10 }),
    ]);
    const day = 86_400_000;
    const deleted = await enforceRetention(t.db, { spans: day, logs: day, metrics: day, alerts: day }, day + 2_500);
    expect(deleted.spans).toBe(3);
    expect(await searchTraces(t.db, { limit: 10 })).toEqual([{ trace_id: TRACE, root_service: 'cart', root_name: 'op 3', start_ms: 3_000, duration_ms: 100, span_count: 1, error_count: 0 }]);
    expect(await searchTraces(t.db, { service: 'web', limit: 10 })).toEqual([]);
    await t.db.exec('delete from spans');
    expect(await t.db.query('select trace_id from trace_summaries')).toEqual([]);
  });

  it('keeps the same summaries as the migration backfill computes from the spans, batches split and re-sent at random', async () => {
    // A seeded generator: 60 traces of 1-8 spans over 5 services (distinct starts, so the earliest span
    // is one), sent in shuffled batches, a third of them partly twice.
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n);
    const spans: SpanRow[] = [];
    for (let t = 0; t < 60; t++) {
      const traceId = t.toString(16).padStart(32, 'b');
      const size = 1 + random(8);
      for (let i = 0; i < size; i++) {
        spans.push(span(String(i + 1), {
          trace_id: traceId, parent_span_id: i === 0 && t % 4 !== 0 ? null : '1'.padStart(16, '0'), service: `svc-${random(5)}`,
          start_ms: 10_000 * t + 60 * i + random(50), duration_ms: random(300), status_code: random(6) === 0 ? 2 : 0,
        }));
      }
    }
    const shuffled = spans.map((s) => [random(1_000_000), s] as const).sort((a, b) => a[0] - b[0]).map(([, s]) => s);
    for (let i = 0; i < shuffled.length; i += 17) {
      const batch = shuffled.slice(i, i + 17);
      await insertSpans(t.db, batch);
      if (random(3) === 0) await insertSpans(t.db, batch.slice(random(batch.length)));
    }
    const columns = 'trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms, has_root, span_count, error_count, services';
    const kept = await t.db.query(`select ${columns} from trace_summaries order by trace_id`);
    expect(kept).toHaveLength(60);
    // Run the migration again on the same spans: its backfill must agree with what ingest kept.
    await t.db.exec(`drop trigger spans_deleted on spans; drop table trace_summaries; delete from schema_migrations where version = 13`);
    expect(await migrate(t.db)).toEqual([13]);
    expect(await t.db.query(`select ${columns} from trace_summaries order by trace_id`)).toEqual(kept);
    await t.db.exec('delete from spans; delete from trace_summaries');
  });

  it('searches newest, by service, errors only and by duration through the summary indexes, aggregating no spans', async () => {
    // 20 000 traces of 2 spans over 20 services, enough that the planner prefers indexes to scans.
    await t.db.exec(`insert into trace_summaries (trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms,
        has_root, span_count, error_count, services)
      select lpad(to_hex(t), 32, '0'), t * 1000, t * 1000 + (t % 997), t * 1000 + 5, 'svc-' || (t % 20), 'op', t * 1000, true, 2,
        case when t % 100 = 0 then 1 else 0 end, array['svc-' || (t % 20), 'svc-' || ((t + 1) % 20)]
      from generate_series(1, 20000) as t;
      analyze trace_summaries`);
    const base: TraceQuery = { excludeService: 'sightline', limit: 50 };
    const expectations: [string, TraceQuery, RegExp][] = [
      ['newest', base, /trace_summaries_start/],
      ['newest, page 2', { ...base, before: 10_000_000 }, /trace_summaries_start/],
      ['by service', { ...base, service: 'svc-7' }, /trace_summaries_(start|services)/],
      ['errors only', { ...base, errorsOnly: true }, /trace_summaries_errors/],
      ['by duration', { ...base, minDurationMs: 990 }, /trace_summaries_(start|duration)/],
    ];
    for (const [label, query, index] of expectations) {
      const explain = explaining(t.db);
      await searchTraces(explain, query);
      const plan = explain.plan();
      expect({ label, usesIndex: index.test(plan), aggregates: /Aggregate/.test(plan), readsSpans: /\bon spans\b/.test(plan) }).toEqual({ label, usesIndex: true, aggregates: false, readsSpans: false });
      expect(plan).toMatch(/Limit/);
    }
    await t.db.exec('delete from trace_summaries');
  });
});

describe.each(testDatabases)('spans stored by COPY on $name', (database) => {
  const t = useMigratedDatabase(database);
  // Text as the decoder hands it over (cleanText): any characters, COPY's separators and escapes among them.
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('\\', '\t', '\n', '\r', '\\N', '"', 'é', '😀', 'a', ' ') })).map(cleanText);
  const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
  const value = fc.letrec<{ value: AttributeValue }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, text, number, fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(text, tie('value'), { maxKeys: 3 })),
  })).value;
  const attributes = fc.dictionary(text, value, { maxKeys: 4 });
  const spanArbitrary = fc.record({
    parent: fc.option(fc.constant('f'.repeat(16)), { nil: null }),
    service: text, name: text, kind: fc.integer({ min: 0, max: 5 }), start: fc.double({ min: 0, max: 4e12, noNaN: true }), duration: fc.double({ min: 0, max: 1e7, noNaN: true }),
    status: fc.integer({ min: 0, max: 2 }), message: fc.option(text, { nil: null }), attributes, resource: attributes, scope: fc.option(text, { nil: null }),
    events: fc.array(fc.record({ name: text, time_ms: number, attributes }), { maxLength: 2 }),
  });

  it('stores any text and JSON exactly as sent: tabs, newlines and backslashes do not end a column', async () => {
    let trace = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(spanArbitrary, { minLength: 1, maxLength: 5 }), async (generated) => {
        const traceId = (++trace).toString(16).padStart(32, '0');
        const spans = generated.map((g, i): SpanRow => ({
          trace_id: traceId, span_id: i.toString(16).padStart(16, '0'), parent_span_id: g.parent, service: g.service, name: g.name, kind: g.kind,
          start_ms: g.start, duration_ms: g.duration, status_code: g.status, status_message: g.message, attributes: g.attributes, resource: g.resource,
          events: g.events, links: [{ trace_id: traceId, span_id: 'e'.repeat(16), attributes: g.attributes }], scope: g.scope,
        }));
        await insertSpans(t.db, spans);
        const byId = (a: SpanRow, b: SpanRow) => a.span_id.localeCompare(b.span_id);
        expect((await getTrace(t.db, traceId)).sort(byId)).toEqual(spans.sort(byId));
      }),
      { numRuns: 60 },
    );
  });
});
