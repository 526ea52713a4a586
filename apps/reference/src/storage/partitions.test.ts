import { afterEach, describe, expect, it } from '@jest/globals';
import { testDatabases } from '../../test/databases.js';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { openDatabase, type Database } from './database.js';
import { insertLogs } from './log-store.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { ensurePartitions, listDayPartitions } from './partitions.js';
import { getTrace, insertSpans, searchTraces } from './span-store.js';

const DAY = 86_400_000;

function span(traceId: string, spanId: string, startMs: number): SpanRow {
  return {
    trace_id: traceId.padStart(32, '0'), span_id: spanId.padStart(16, '0'), parent_span_id: null, service: 'web', name: 'GET /',
    kind: 1, start_ms: startMs, duration_ms: 5, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null,
  } as SpanRow;
}

/** `<table>_pYYYYMMDD`: the partition holding `timeMs`. */
function partitionOf(table: string, timeMs: number): string {
  return `${table}_p${new Date(timeMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

async function rowsByPartition(db: Database, table: string, timeColumn: string): Promise<Array<{ partition: string; time: number }>> {
  return db.query(`select tableoid::regclass::text as partition, ${timeColumn} as time from ${table} order by ${timeColumn}`);
}

describe.each(testDatabases)('day partitions on $name', (database) => {
  let db: Database;
  let drop: () => Promise<void> = async () => undefined;
  afterEach(async () => {
    await db.close();
    await drop();
  });

  /** A database migrated up to `version` (all when absent), not from the migrated PGlite template. */
  async function openAt(version?: number): Promise<Database> {
    const created = await database.create();
    drop = created.drop;
    // The PGlite template is migrated already: a partial migration needs a database of its own.
    db = await openDatabase(database.name === 'pglite' && version !== undefined ? {} : created.options);
    await migrate(db, version === undefined ? MIGRATIONS : MIGRATIONS.filter((m) => m.version <= version));
    return db;
  }

  it('migration 14 moves existing spans, logs and points into day partitions, keeping ids and summaries', async () => {
    await openAt(12);
    // Today as the database sees it: the migration computes its days from now().
    const [clock] = await db.query<{ today: number }>(`select extract(epoch from (now() at time zone 'utc')::date) * 1000 as today`);
    const noon = Number(clock?.today) + DAY / 2;
    // Three days back and yesterday get partitions; 500 days back (past the 400-day floor) and a
    // month ahead (past today+2) go to DEFAULT.
    const times = [noon - 3 * DAY, noon - DAY, noon - 500 * DAY, noon + 30 * DAY];
    for (const [i, time] of times.entries()) {
      await db.query(
        `insert into spans (trace_id, span_id, service, name, kind, start_ms, duration_ms, status_code, attributes, resource, events, links)
         values ($1, $2, 'web', 'GET /', 1, $3, 5, 0, '{}', '{}', '[]', '[]')`,
        ['a'.repeat(32), String(i).padStart(16, '0'), time],
      );
      await db.query(`insert into logs (time_ms, service, severity_number, body, attributes, resource) values ($1, 'web', 9, 'hi', '{}', '{}')`, [time]);
      await db.query(`insert into metric_points (name, service, kind, labels, time_ms, value) values ('m', 'web', 'gauge', '{}', $1, $2)`, [time, i]);
    }
    await migrate(db, MIGRATIONS.filter((m) => m.version <= 13));
    const [logIdsBefore] = await db.query<{ ids: string[] }>('select array_agg(id::text order by time_ms) as ids from logs');

    expect(await migrate(db)).toContain(14);

    // In time order: 500 days back, 3 days back, yesterday, a month ahead.
    const expected = (table: string) => [`${table}_default`, partitionOf(table, times[0]!), partitionOf(table, times[1]!), `${table}_default`];
    expect((await rowsByPartition(db, 'spans', 'start_ms')).map((r) => r.partition)).toEqual(expected('spans'));
    expect((await rowsByPartition(db, 'logs', 'time_ms')).map((r) => r.partition)).toEqual(expected('logs'));
    expect((await rowsByPartition(db, 'metric_points', 'time_ms')).map((r) => r.partition)).toEqual(expected('metric_points'));
    // The catalog lists exactly the two data days and today..today+2 for each table.
    const days = [noon - 3 * DAY, noon - DAY, noon, noon + DAY, noon + 2 * DAY];
    for (const table of ['spans', 'logs', 'metric_points'] as const) {
      expect((await listDayPartitions(db, table)).map((p) => p.name)).toEqual(days.map((d) => partitionOf(table, d)));
      const [inherits] = await db.query<{ count: number }>(`select count(*)::int as count from pg_inherits where inhparent = $1::regclass`, [table]);
      expect(inherits?.count).toBe(days.length + 1);
    }
    // Everything still reads, through the summaries too; log ids are the old ones and new ones follow.
    expect(await getTrace(db, 'a'.repeat(32))).toHaveLength(4);
    expect(await searchTraces(db, { limit: 10 })).toEqual([expect.objectContaining({ trace_id: 'a'.repeat(32), span_count: 4 })]);
    expect(await db.query<{ ids: string[] }>('select array_agg(id::text order by time_ms) as ids from logs')).toEqual([logIdsBefore]);
    await insertLogs(db, [{ time_ms: noon, service: 'web', severity_number: 9, severity_text: null, body: 'new', trace_id: null, span_id: null, attributes: {}, resource: {} }]);
    const [ids] = await db.query<{ newest: string; before: string }>(`select max(id) filter (where body = 'new') as newest, max(id) filter (where body <> 'new') as before from logs`);
    expect(Number(ids?.newest)).toBeGreaterThan(Number(ids?.before));
    // The secondary indexes exist on every partition, e.g. DEFAULT.
    const indexes = await db.query<{ indexdef: string }>(`select indexdef from pg_indexes where tablename = 'logs_default' order by indexdef`);
    expect(indexes.map((i) => i.indexdef)).toEqual([
      expect.stringMatching(/\(time_ms DESC\)$/),
      expect.stringMatching(/\(trace_id\) WHERE \(trace_id IS NOT NULL\)$/),
      expect.stringMatching(/UNIQUE INDEX .* \(id, time_ms\)$/),
    ]);
    // The span-delete trigger follows deletes on the partitioned table: a trace left with one span is recomputed.
    await db.query('delete from spans where start_ms < $1', [noon]);
    expect(await searchTraces(db, { limit: 10 })).toEqual([expect.objectContaining({ span_count: 1, start_ms: times[3] })]);
  });

  it('ensurePartitions makes today..today+2, moves their rows out of DEFAULT, and is idempotent under concurrency', async () => {
    await openAt();
    const now = Date.UTC(2031, 0, 10, 15);
    const tomorrowMorning = Date.UTC(2031, 0, 11, 5);
    await insertSpans(db, [span('b', '1', tomorrowMorning), span('b', '2', tomorrowMorning + 3 * DAY)]);
    expect((await rowsByPartition(db, 'spans', 'start_ms')).map((r) => r.partition)).toEqual(['spans_default', 'spans_default']);

    const [first, second] = await Promise.all([ensurePartitions(db, now), ensurePartitions(db, now)]);
    const created = [...first!, ...second!].sort();
    const expectedNames = ['logs', 'metric_points', 'spans'].flatMap((t) => [0, 1, 2].map((n) => partitionOf(t, now + n * DAY)));
    expect(created).toEqual(expectedNames.sort());
    expect(await ensurePartitions(db, now)).toEqual([]);

    // Tomorrow's span moved into its new partition; the one four days out stays in DEFAULT.
    expect(await rowsByPartition(db, 'spans', 'start_ms')).toEqual([
      { partition: 'spans_p20310111', time: tomorrowMorning },
      { partition: 'spans_default', time: tomorrowMorning + 3 * DAY },
    ]);
    // Moving is not deleting: the summary still counts both spans.
    expect(await searchTraces(db, { limit: 10 })).toEqual([expect.objectContaining({ span_count: 2 })]);
    const spans = await listDayPartitions(db, 'spans');
    expect(spans.filter((p) => p.fromMs >= Date.UTC(2031, 0, 1))).toEqual([
      { name: 'spans_p20310110', fromMs: Date.UTC(2031, 0, 10), toMs: Date.UTC(2031, 0, 11) },
      { name: 'spans_p20310111', fromMs: Date.UTC(2031, 0, 11), toMs: Date.UTC(2031, 0, 12) },
      { name: 'spans_p20310112', fromMs: Date.UTC(2031, 0, 12), toMs: Date.UTC(2031, 0, 13) },
    ]);
  });

  it('creates partitions while spans of those days are being inserted, losing none and leaving none in DEFAULT', async () => {
    await openAt();
    const now = Date.UTC(2033, 2, 1, 12);
    // 24 batches of 3 spans, one per day from today to today+2, racing three ensurePartitions
    // (on PostgreSQL over the pool's connections; PGlite runs them one after another).
    const batches = Array.from({ length: 24 }, (_, b) => [0, 1, 2].map((d) => span(`t${b}`, String(d + 1), now + d * DAY + b * 60_000)));
    await Promise.all([
      ...batches.map((batch) => insertSpans(db, batch)),
      ensurePartitions(db, now), ensurePartitions(db, now), ensurePartitions(db, now),
    ]);
    const rows = await rowsByPartition(db, 'spans', 'start_ms');
    expect(rows).toHaveLength(24 * 3);
    expect(rows.filter((r) => r.partition !== partitionOf('spans', r.time))).toEqual([]);
    expect(await searchTraces(db, { limit: 100 })).toHaveLength(24);
  });

  it('rejects a time that is not epoch ms between 1970 and 9999', async () => {
    await openAt();
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, Date.UTC(9999, 11, 30)]) {
      await expect(ensurePartitions(db, bad)).rejects.toMatchObject({ code: 'PARTITION_TIME_INVALID' });
    }
  });

  it('stores a span far in the future in DEFAULT, still found, and ignores it when re-sent', async () => {
    await openAt();
    const future = Date.UTC(2090, 5, 1);
    const late = span('c', '1', future);
    await insertSpans(db, [late]);
    await insertSpans(db, [late]); // the exporter's retry
    expect(await rowsByPartition(db, 'spans', 'start_ms')).toEqual([{ partition: 'spans_default', time: future }]);
    expect(await getTrace(db, late.trace_id)).toEqual([late]);
    expect(await searchTraces(db, { since: future - DAY, limit: 10 })).toEqual([expect.objectContaining({ trace_id: late.trace_id, span_count: 1 })]);
  });
});
