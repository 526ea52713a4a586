// An SLO end to end: a service instrumented with the stock OTel SDK emits spans whose error ratio
// rises; the fast-burn page alert fires, reaches a webhook receiver started here, and resolves
// after recovery. The app's clock is manual and the spans carry their own timestamps, so an hour
// of traffic takes no real time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ManualClock } from '@sightline/core';
import { parseSloSpec } from '@sightline/slo';
import { createApp, type App } from '../src/app.js';
import type { AlertNotification } from '../src/alerts/alert-sinks.js';
import { testDatabases } from './databases.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const MIN = 60_000;
const spec = parseSloSpec({ name: 'orders-availability', service: 'orders', objective: 0.99, window: '30d', sli: { kind: 'availability', operation: '/orders' } });

describe.each(testDatabases.map((db) => [db.name, db] as const))('SLO scenario (%s)', (_name, database) => {
  let app: App;
  let url: string;
  let drop: () => Promise<void>;
  let receiver: WebhookReceiver;
  // Minute 0 is two hours ago, on a minute boundary; the clock is set as the story goes.
  const t0 = Math.floor((Date.now() - 2 * 3_600_000) / MIN) * MIN;
  const clock = new ManualClock(t0);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const created = await database.create();
    drop = created.drop;
    app = await createApp({ storage: created.options, clock, slos: [spec], config: { alerts: { webhooks: [{ name: 'oncall', url: receiver.url }], dispatchIntervalMs: 1_000 } }, log: () => undefined });
    url = await app.listen(0);
  });
  afterAll(async () => {
    await app.close();
    await receiver.close();
    await drop();
  });

  /** 60 requests per minute to POST /orders for minutes [from, to), `errorsPerMinute` of them failing. */
  async function traffic(from: number, to: number, errorsPerMinute: (minute: number) => number): Promise<void> {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'orders' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${url}/v1/traces` }), maxExportBatchSize: 512, maxQueueSize: 10_000 })],
    });
    const tracer = provider.getTracer('scenario');
    for (let m = from; m < to; m++) {
      for (let i = 0; i < 60; i++) {
        const start = t0 + m * MIN + i * 1_000;
        const span = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': '/orders', 'http.request.method': 'POST' } });
        const failed = i < errorsPerMinute(m);
        span.setAttribute('http.response.status_code', failed ? 503 : 201);
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(start + 20);
      }
    }
    await provider.shutdown(); // flushes every batch to the server
  }

  const page = () => app.slos.engine.firing().filter((a) => a.labels.class === 'page');

  it('pages on a rising error ratio, delivers the alert to the webhook, and resolves it after recovery', async () => {
    // 60 healthy minutes, then the error ratio rises by 5% a minute: 5%, 10%, 15%, ... Traffic
    // arrives as it happens: the clock is at the end of a minute before that minute's spans are
    // sent (the SLO engine refuses events from the future).
    const endOfMinute = (m: number) => t0 + (m + 1) * MIN - 1;
    const rising = (m: number) => 3 * (m - 59);
    clock.set(endOfMinute(59));
    await traffic(0, 60, () => 0);
    // After k rising minutes there are 3(1 + ... + k) = 1.5k(k + 1) failures. The 1h/5m pair needs
    // both ratios above 14.4 x 1%: 1.5k(k + 1) > 518.4 of the 1h window's 3,600 requests only from
    // k = 19. The 6h/30m pair needs 6%: the 6h window holds all 60 + k minutes seen, so
    // 1.5k(k + 1) / (60 (60 + k)) > 0.06 from k = 13, and its 30m window is far above 6% by then.
    clock.set(endOfMinute(70)); // k = 11: 198 failures / 4,260 = 4.6% < 6%: nothing yet
    await traffic(60, 71, rising);
    await app.slos.evaluate();
    expect(page()).toEqual([]);
    clock.set(endOfMinute(71)); // k = 12: 234 / 4,320 = 5.4%, still under 6%
    await traffic(71, 72, rising);
    await app.slos.evaluate();
    expect(page()).toEqual([]);
    clock.set(endOfMinute(72)); // k = 13: 273 / 4,380 = 6.23% > 6%; 30m: 273 / 1,800 = 15.2%: page
    await traffic(72, 73, rising);
    await app.slos.evaluate();
    expect(page()).toEqual([expect.objectContaining({ severity: 'critical', labels: { slo: 'orders-availability', service: 'orders', class: 'page' } })]);

    await app.alerts.dispatchDue();
    // (The anomaly detector flags the error ratio series, and with only 2 hours of data the ticket
    // pairs fire too; this test follows the page.)
    const sloNotifications = () => (receiver.received as AlertNotification[]).filter((n) => n.alert.source === 'slo' && n.alert.labels.class === 'page');
    expect(sloNotifications()).toEqual([expect.objectContaining({ status: 'firing', alert: expect.objectContaining({ source: 'slo', title: expect.stringContaining('orders-availability'), annotations: expect.objectContaining({ windows: '6h/30m', burn_rates: '6.23/15.17' }) }) })]);

    const api = (await (await fetch(`${url}/api/v1/slos/orders-availability`)).json()) as { status: { firing: { page: boolean }; burnRates: Record<string, number> }; alerts: unknown[] };
    expect(api.status.firing.page).toBe(true);

    // Recovery: healthy traffic. The 30m short window falls under 6% once enough clean minutes pass.
    clock.set(endOfMinute(74));
    await traffic(73, 75, rising);
    clock.set(endOfMinute(118)); // the 30m window (minutes 89-118) is clean
    await traffic(75, 119, () => 0);
    await app.slos.evaluate();
    expect(page()).toEqual([]);
    await app.alerts.dispatchDue();
    expect(sloNotifications().map((n) => n.status)).toEqual(['firing']); // held: the resolve hold-down is 5 minutes
    clock.advance(5 * MIN);
    await app.alerts.dispatchDue();
    expect(sloNotifications().map((n) => n.status)).toEqual(['firing', 'resolved']);
    const alerts = (await (await fetch(`${url}/api/v1/alerts?status=resolved`)).json()) as { alerts: { source: string; labels: Record<string, string> }[] };
    expect(alerts.alerts.filter((a) => a.source === 'slo' && a.labels.class === 'page')).toEqual([expect.objectContaining({ labels: expect.objectContaining({ slo: 'orders-availability', class: 'page' }) })]);
  });
});
