import { describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert } from '@sightline/core';
import { AlertPipeline } from '../src/alerts/alert-pipeline.js';
import { insertLogs } from '../src/storage/log-store.js';
import { enforceRetention } from '../src/storage/retention.js';
import { insertSpans } from '../src/storage/span-store.js';
import { useMemoryDb } from './memory-db.js';

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
