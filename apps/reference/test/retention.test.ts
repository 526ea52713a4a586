import { describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert } from '@sightline/core';
import { AlertPipeline } from '../src/alerts/alert-pipeline.js';
import type { LogRow } from '../src/ingest/otlp-logs.js';
import type { MetricRow } from '../src/ingest/otlp-metrics.js';
import type { SpanRow } from '../src/ingest/otlp-traces.js';
import { insertLogs } from '../src/storage/log-store.js';
import { insertMetricPoints } from '../src/storage/metric-store.js';
import { ensurePartitions, listDayPartitions } from '../src/storage/partitions.js';
import { enforceRetention } from '../src/storage/retention.js';
import { insertSpans, searchTraces } from '../src/storage/span-store.js';
import { testDatabases } from './databases.js';
import { useMemoryDb, useMigratedDatabase } from './memory-db.js';

const DAY = 86_400_000;

describe('enforceRetention', () => {
  const t = useMemoryDb();

  it('deletes each signal past its own retention and keeps firing alerts', async () => {
    const now = 100 * DAY;
    const span = (id: string, start: number) => ({ trace_id: 'a'.repeat(32), span_id: id, parent_span_id: null, service: 's', name: 'n', kind: 0, start_ms: start, duration_ms: 1, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null });
    await insertSpans(t.db, [span('0000000000000001', now - 8 * DAY), span('0000000000000002', now - 6 * DAY)]);
    const log = (time: number) => ({ time_ms: time, service: 's', severity_number: 9, severity_text: null, body: 'x', trace_id: null, span_id: null, attributes: {}, resource: {} });
    await insertLogs(t.db, [log(now - 2 * DAY), log(now - 0.5 * DAY)]);
    const clock = new ManualClock(now - 95 * DAY);
    const pipeline = new AlertPipeline({ db: t.db, clock, sinks: [], resolveHoldDownMs: 0 });
    const old = createAlert({ source: 'slo', severity: 'warning', title: 'old', labels: { k: 'old' }, startsAt: clock.now() });
    await pipeline.submit(old);
    await pipeline.submit(resolveAlert(old, clock.now() + 1_000));
    await pipeline.submit(createAlert({ source: 'slo', severity: 'warning', title: 'still firing', labels: { k: 'firing' }, startsAt: clock.now() }));

    const deleted = await enforceRetention(t.db, { spans: 7 * DAY, logs: DAY, metrics: 30 * DAY, alerts: 90 * DAY }, now);
    expect(deleted).toEqual({ spans: 1, logs: 1, metrics: 0, alerts: 1 });
    expect((await pipeline.listAlerts({ limit: 10 })).map((a) => a.title)).toEqual(['still firing']);
  });
});

describe.each(testDatabases)('enforceRetention with day partitions on $name', (database) => {
  const t = useMigratedDatabase(database);

  const span = (trace: string, id: string, start: number): SpanRow => ({ trace_id: trace.repeat(32), span_id: id.padStart(16, '0'), parent_span_id: null, service: 's', name: 'n', kind: 0, start_ms: start, duration_ms: 1, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null }) as SpanRow;
  const log = (time: number): LogRow => ({ time_ms: time, service: 's', severity_number: 9, severity_text: null, body: 'x', trace_id: null, span_id: null, attributes: {}, resource: {} }) as LogRow;
  const point = (time: number): MetricRow => ({ name: 'm', service: 's', kind: 'gauge', labels: {}, time_ms: time, value: 1, histogram: null }) as MetricRow;

  it('drops the partitions of days before the cutoff, deletes by row only in the straddling day and DEFAULT, and fixes summaries', async () => {
    const now = Date.UTC(2032, 5, 15, 12); // the spans' cutoff (7 days) is 2032-06-08 12:00
    for (const daysAgo of [9, 6, 3, 0]) await ensurePartitions(t.db, now - daysAgo * DAY); // 06-06 .. 06-17
    await insertSpans(t.db, [
      span('a', '1', now - 8 * DAY), span('a', '2', now - 8 * DAY + 1), // wholly in 06-07: dropped
      span('b', '1', now - 8 * DAY), span('b', '2', now - 5 * DAY), // straddles: keeps its 06-10 span
      span('d', '1', now - 7 * DAY - 2 * 3_600_000), // 06-08 10:00, before the cutoff in the straddling day
      span('e', '1', now - 7 * DAY + 2 * 3_600_000), // 06-08 14:00, after it
      span('f', '1', now - 100 * DAY), // no partition that far back: DEFAULT
      span('c', '1', now - DAY),
    ]);
    // Logs keep a day (cutoff 06-14 12:00): 06-12 is dropped with its partition, 06-14 06:00 deleted by row.
    await insertLogs(t.db, [log(now - 3 * DAY), log(now - 1.25 * DAY), log(now - 0.5 * DAY)]);
    // Points keep 30 days (cutoff 05-16 12:00): no partition is that old; the 40-day-old point is in DEFAULT.
    await insertMetricPoints(t.db, [point(now - 40 * DAY), point(now - 2 * DAY)]);

    const removed = await enforceRetention(t.db, { spans: 7 * DAY, logs: DAY, metrics: 30 * DAY, alerts: 90 * DAY }, now);

    // Spans: a (2) and b's first (1) by dropping 06-07, d (1) by row, f (1) from DEFAULT.
    expect(removed).toEqual({ spans: 5, logs: 2, metrics: 1, alerts: 0 });
    expect((await listDayPartitions(t.db, 'spans')).map((p) => p.name)[0]).toBe('spans_p20320608');
    expect((await listDayPartitions(t.db, 'logs')).map((p) => p.name)[0]).toBe('logs_p20320614');
    expect((await listDayPartitions(t.db, 'metric_points')).map((p) => p.name)[0]).toBe('metric_points_p20320606');
    const [gone] = await t.db.query<{ spans: string | null; logs: string | null }>(`select to_regclass('spans_p20320607')::text as spans, to_regclass('logs_p20320613')::text as logs`);
    expect(gone).toEqual({ spans: null, logs: null });
    // Summaries: a, d and f are gone; b is recomputed from the span it kept.
    const summaries = await searchTraces(t.db, { limit: 10 });
    expect(summaries.map((t) => [t.trace_id[0], t.span_count, t.start_ms])).toEqual([
      ['c', 1, now - DAY],
      ['b', 1, now - 5 * DAY],
      ['e', 1, now - 7 * DAY + 2 * 3_600_000],
    ]);
    const [left] = await t.db.query<{ spans: number; logs: number; points: number }>(
      `select (select count(*)::int from spans) as spans, (select count(*)::int from logs) as logs, (select count(*)::int from metric_points) as points`,
    );
    expect(left).toEqual({ spans: 3, logs: 1, points: 1 });
    // The service views' per-minute rollups keep the minutes that still have spans: e, b and c.
    const minutes = await t.db.query<{ minute_ms: number; spans: number }>('select minute_ms, spans from service_rollups order by minute_ms');
    expect(minutes).toEqual([
      { minute_ms: now - 7 * DAY + 2 * 3_600_000, spans: 1 },
      { minute_ms: now - 5 * DAY, spans: 1 },
      { minute_ms: now - DAY, spans: 1 },
    ]);

    // A second pass finds nothing more to remove.
    expect(await enforceRetention(t.db, { spans: 7 * DAY, logs: DAY, metrics: 30 * DAY, alerts: 90 * DAY }, now)).toEqual({ spans: 0, logs: 0, metrics: 0, alerts: 0 });
  });
});
