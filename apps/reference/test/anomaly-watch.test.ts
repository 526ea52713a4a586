import { describe, expect, it } from '@jest/globals';
import { systemClock } from '@sightline/core';
import { AnomalyWatch } from '../src/signals/anomaly-watch.js';
import type { Database } from '../src/storage/database.js';
import { useTestApp } from './test-app.js';

describe('anomaly detection on derived series', () => {
  const t = useTestApp();

  it('stores an anomaly for a latency spike, raises an alert, and resolves it when the series recovers', async () => {
    const start = Date.now() - 3 * 3_600_000;
    const labels = { service: 'checkout', operation: '/orders' };
    const point = (minute: number, value: number) => ({ name: 'latency_p95', labels, timestamp: start + minute * 60_000, value });
    // an hour of p95 around 120 ms (noise 115-125), then a spike to 900 ms for two minutes, then normal again
    const points = Array.from({ length: 60 }, (_, m) => point(m, 120 + ((m * 7) % 11) - 5));
    points.push(point(60, 900), point(61, 880), point(62, 121), point(63, 119));
    await t.app.anomalies.observe(points);

    const anomalies = (await (await fetch(`${t.url}/api/v1/anomalies?since=1d`)).json()) as { anomalies: { seriesKey: string; startsAt: number; endsAt: number; value: number; severity: string }[] };
    expect(anomalies.anomalies).toEqual([
      expect.objectContaining({ seriesKey: 'sightline.request.duration.p95{operation="/orders",service="checkout"}', startsAt: start + 60 * 60_000, endsAt: start + 62 * 60_000, value: 900, severity: 'critical' }),
    ]);
    const alerts = (await (await fetch(`${t.url}/api/v1/alerts`)).json()) as { alerts: { source: string; status: string; title: string; labels: Record<string, string> }[] };
    expect(alerts.alerts).toEqual([
      expect.objectContaining({ source: 'anomaly', status: 'resolved', title: 'latency_p95 is anomalous for checkout /orders', labels: expect.objectContaining({ service: 'checkout', detector: 'default' }) }),
    ]);
  });

  it('does not alarm on a quiet error ratio wiggling below the noise floor', async () => {
    const start = Date.now() - 2 * 3_600_000;
    const labels = { service: 'search', operation: '/q' };
    await t.app.anomalies.observe(Array.from({ length: 90 }, (_, m) => ({ name: 'error_ratio', labels, timestamp: start + m * 60_000, value: m % 10 === 0 ? 0.01 : 0 })));
    const anomalies = (await (await fetch(`${t.url}/api/v1/anomalies?service=search`)).json()) as { anomalies: unknown[] };
    expect(anomalies.anomalies).toEqual([]);
  });

  it("stores one series' records in order even when the database answers them out of order", async () => {
    // A database (a pool, say) whose first statement is held until released: without ordering,
    // the end of the anomaly would be stored before its start and leave two rows.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let statements = 0;
    const db: Database = {
      ...t.app.db,
      query: async (sql, params) => {
        if (statements++ === 0) await held;
        return t.app.db.query(sql, params);
      },
    };
    const errors: unknown[] = [];
    const watch = new AnomalyWatch({ db, alerts: t.app.alerts, clock: systemClock, onError: (e) => errors.push(e) });
    const start = Date.now() - 4 * 3_600_000;
    const labels = { service: 'ordered', operation: '/o' };
    // 20 quiet minutes at 50 ms, one at 500 ms (the anomaly starts), then 50 ms again (it ends).
    const points = Array.from({ length: 20 }, (_, m) => ({ name: 'latency_p95', labels, timestamp: start + m * 60_000, value: 50 }));
    points.push({ name: 'latency_p95', labels, timestamp: start + 20 * 60_000, value: 500 }, { name: 'latency_p95', labels, timestamp: start + 21 * 60_000, value: 50 });
    const stored = watch.observe(points);
    release();
    await stored;
    expect(errors).toEqual([]);
    const { anomalies } = (await (await fetch(`${t.url}/api/v1/anomalies?service=ordered&since=1d`)).json()) as { anomalies: { startsAt: number; endsAt?: number }[] };
    expect(anomalies).toEqual([expect.objectContaining({ startsAt: start + 20 * 60_000, endsAt: start + 21 * 60_000 })]);
  });

  it('counts points a detector refuses instead of failing (out of order)', async () => {
    const before = t.app.anomalies.rejected;
    const labels = { service: 'late', operation: '/x' };
    await t.app.anomalies.observe([{ name: 'request_rate', labels, timestamp: 2_000, value: 1 }, { name: 'request_rate', labels, timestamp: 1_000, value: 1 }]);
    expect(t.app.anomalies.rejected).toBe(before + 1);
  });
});
