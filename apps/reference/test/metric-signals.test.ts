// Ingested OTLP metrics feed SLOs and anomaly detection: a ratio SLO over two counters exported
// by the stock OTel SDK, and a gauge whose spike becomes an anomaly.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { parseSloSpec } from '@sightline/slo';
import { createApp, type App } from '../src/app.js';

const spec = parseSloSpec({ name: 'jobs-success', service: 'worker', objective: 0.99, sli: { kind: 'ratio', goodMetric: 'jobs.succeeded', totalMetric: 'jobs.processed' } });

describe('SLIs and anomalies from ingested metrics', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
    app = await createApp({ storage: {}, slos: [spec], log: () => undefined });
    url = await app.listen(0);
  });
  afterAll(async () => {
    await app.close();
  });

  it("records each export's counter increases into a ratio SLO (cumulative sums, two exports)", async () => {
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'worker' }), readers: [reader] });
    const meter = provider.getMeter('jobs');
    const processed = meter.createCounter('jobs.processed');
    const succeeded = meter.createCounter('jobs.succeeded');
    processed.add(100, { queue: 'emails' });
    succeeded.add(99, { queue: 'emails' });
    await reader.forceFlush();
    processed.add(50, { queue: 'emails' });
    succeeded.add(40, { queue: 'emails' });
    processed.add(10, { queue: 'invoices' });
    succeeded.add(10, { queue: 'invoices' });
    await reader.forceFlush();
    await provider.shutdown();
    // First export: 99 of 100. Second: +10 of +50 on emails, 10 of 10 on invoices → 149 of 160.
    expect(app.slos.status('jobs-success')?.events).toEqual({ good: 149, bad: 11, total: 160 });
  });

  it('watches ingested gauges with the anomaly detector: a spike after a steady hour is an anomaly', async () => {
    const start = Date.now() - 2 * 3_600_000;
    const point = (minute: number, value: number) => ({ timeUnixNano: `${start + minute * 60_000}000000`, asDouble: value });
    const points = Array.from({ length: 60 }, (_, m) => point(m, 40 + (m % 5)));
    points.push(point(60, 400));
    const body = {
      resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeMetrics: [{ metrics: [{ name: 'queue.depth', gauge: { dataPoints: points } }] }] }],
    };
    const response = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    await app.anomalies.settled();
    const anomalies = (await (await fetch(`${url}/api/v1/anomalies?since=1d&service=worker`)).json()) as { anomalies: { seriesKey: string; value: number }[] };
    expect(anomalies.anomalies).toEqual([expect.objectContaining({ seriesKey: 'queue.depth{service="worker"}', value: 400 })]);
  });
});
