// The demo's promise: its first incident is flagged by anomaly detection within 20 minutes of
// start, on the series the incident breaks and no others. 20 simulated minutes of the workload
// (ManualClock, seeded randomness) go through OTLP into the app, whose anomaly watch runs its
// default detector per derived series.
import { describe, expect, it } from '@jest/globals';
import { DEMO_INCIDENT, faultActive } from '../src/demo/demo-workload.js';
import { runSimulatedDemo } from './simulated-demo.js';
import { useTestApp } from './test-app.js';

interface StoredAnomaly {
  seriesKey: string;
  startsAt: number;
  endsAt?: number;
  severity: string;
  labels: Record<string, string>;
}

/** Series the incident really breaks: checkout's latency, and the errors of a charge failing up the chain. */
const FAULTED = new Set([
  'sightline.request.duration.p95{operation="command PlaceOrder",service="checkout"}',
  'sightline.request.duration.p95{operation="/checkout",service="storefront"}',
  'sightline.request.error_ratio{operation="command ChargeCard",service="payments"}',
  'sightline.request.error_ratio{operation="command PlaceOrder",service="checkout"}',
  'sightline.request.error_ratio{operation="/checkout",service="storefront"}',
]);

describe('the demo workload under anomaly detection', () => {
  const t = useTestApp();

  it('stays quiet through the 15-minute warm-up, then has an incident at minute 16 for 2 minutes, every 90 minutes', () => {
    const minute = 60_000;
    expect(DEMO_INCIDENT).toEqual({ firstAtMs: 16 * minute, durationMs: 2 * minute, everyMs: 90 * minute });
    // 16 min = 960,000 ms; 18 min = 1,080,000 ms; the next incident at 16 + 90 = 106 min.
    expect([0, 45_000, 15 * minute, 960_000 - 1, 960_000, 1_080_000 - 1, 1_080_000, 105 * minute, 106 * minute, 108 * minute].map(faultActive)).toEqual([
      false, false, false, false, true, true, false, false, true, false,
    ]);
  });

  it('flags the incident on the series it breaks within 20 minutes of start, and no healthy series', async () => {
    // 20 s into a minute, 25 minutes ago: the run ends before the app's (real) now.
    const startedAt = Math.floor(Date.now() / 60_000) * 60_000 - 25 * 60_000 + 20_000;
    const run = await runSimulatedDemo(t, { startedAt, minutes: 20 });

    const { anomalies } = (await (await fetch(`${t.url}/api/v1/anomalies?since=2h&limit=100`)).json()) as { anomalies: StoredAnomaly[] };
    const flagged = new Set(anomalies.map((a) => a.seriesKey));
    // Checkout's p95 leaves its ~100 ms band for the 2,500 ms bucket; payments fail a third of
    // charges against 0.5%, and the failure fails the order and the storefront's POST /checkout.
    // Nothing healthy is flagged: no request rate, no product page, no payments latency.
    expect([...flagged].sort()).toEqual([...FAULTED].sort());
    // Each anomaly starts in a minute the incident touched (points are stamped with their minute's start).
    const incidentMinutes = { from: Math.floor(run.incident.from / 60_000) * 60_000, to: run.incident.to };
    for (const anomaly of anomalies) {
      expect(anomaly.startsAt).toBeGreaterThanOrEqual(incidentMinutes.from);
      expect(anomaly.startsAt).toBeLessThan(incidentMinutes.to);
    }
    // Flagged within 20 minutes of start: the minute of the first flag closed before then.
    const firstFlag = Math.min(...anomalies.map((a) => a.startsAt));
    expect(firstFlag + 60_000).toBeLessThanOrEqual(run.startedAt + 20 * 60_000);

    // The anomalies view finds each series' stored points by the anomaly's series key: 20 minutes
    // of per-minute points (21 minute buckets: the run starts 20 s into one).
    const view = (await (await fetch(`${t.url}/api/v1/views/anomalies?since=1h&limit=50`)).json()) as { series: { seriesKey: string; points: { t: number; v: number }[] }[] };
    expect(view.series.map((s) => s.seriesKey).sort()).toEqual([...FAULTED].sort());
    for (const series of view.series) expect(series.points.length).toBe(21);

    // Each one was raised as an anomaly alert on its service.
    const { alerts } = (await (await fetch(`${t.url}/api/v1/alerts?limit=100`)).json()) as { alerts: { source: string; labels: Record<string, string> }[] };
    const anomalyAlerts = alerts.filter((a) => a.source === 'anomaly');
    expect(anomalyAlerts.length).toBeGreaterThanOrEqual(anomalies.length);
    expect(new Set(anomalyAlerts.map((a) => a.labels.service))).toEqual(new Set(anomalies.map((a) => a.labels.service)));
  });
});
