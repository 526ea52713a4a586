// The alerts page in headless Chromium: an alert that flaps keeps one identity and its
// acknowledgement (the page refreshes by itself: the page's timers run on Playwright's clock, the
// app's on a ManualClock), its live burn rate shows beside it, and alert → trace → logs are clicks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert } from '@sightline/core';
import { parseSloSpec } from '@sightline/slo';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { CHECKOUT_TRACE_ID, checkoutTrace, logsBody, postOtlp, tracesBody } from './browser-seed.js';
import { useTestApp } from './test-app.js';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts');
const MIN = 60_000;
const REFRESH_MS = 15_000; // web/src/use-load.ts REFRESH_MS
const start = Date.now();
const clock = new ManualClock(start);
const spec = parseSloSpec({ name: 'checkout-latency', service: 'frontend', objective: 0.99, window: '30d', sli: { kind: 'availability' } });

/** What the SLO engine submits each time the page condition starts holding: a new Alert object and id each time. */
const page = (at: number, burn: string) =>
  createAlert({ source: 'slo', severity: 'critical', title: `checkout-latency: error budget burning ${burn}x over 6h (page)`, labels: { slo: 'checkout-latency', service: 'frontend', class: 'page' }, startsAt: at });

describe('alerts page', () => {
  const t = useTestApp({ clock, slos: [spec] });
  let browser: Browser;
  const first = page(start, '6.2');

  beforeAll(async () => {
    const launching = launchChromium();
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(start - 90_000) }]));
    await postOtlp(t.url, '/v1/logs', logsBody([{ service: 'catalog', timeMs: start - 80_000, severity: 17, severityText: 'ERROR', body: 'items query timed out', traceId: CHECKOUT_TRACE_ID }]));
    // Opening it, the app finds frontend's recent error trace (the checkout trace) as its example.
    expect(await t.app.alerts.submit(first)).toBe('opened');
    browser = await launching;
  });
  afterAll(async () => {
    await browser.close();
  });

  it('keeps one alert and its acknowledgement while it flaps, refreshing by itself', async () => {
    const tab = await browser.newPage();
    await tab.clock.install({ time: start });
    await tab.goto(`${t.url}/alerts`);
    const row = tab.locator(`tr[data-fingerprint="${first.fingerprint}"]`);
    await row.waitFor();
    // Live: the SLO saw one request of frontend, the failed GET /checkout: an error ratio of 1
    // against a budget of 1 − 0.99 = 0.01 is a burn rate of 100 in every window; the 6h/30m pair
    // is furthest past its threshold (100 / 6 > 100 / 14.4).
    await expect(row.locator('.live').innerText()).resolves.toMatch(/^burning 100\.0x over 6h\/30m now \(threshold 6x; short window 100\.0x\)/);

    // Local mode: the page asks who is on it.
    await row.locator('button:has-text("Acknowledge")').click();
    await row.locator('input[name=by]').fill('ana');
    await row.locator('button:has-text("Acknowledge as ana")').click();
    await row.locator('.ack:has-text("acknowledged by ana")').waitFor();

    // The condition clears; the page shows it held, without a reload.
    clock.advance(2 * MIN);
    expect(await t.app.alerts.submit(resolveAlert(first, clock.now()))).toBe('clearing');
    await tab.clock.runFor(REFRESH_MS);
    await row.locator('.clearing').waitFor();

    // Back two minutes later, inside the 5-minute hold-down: the same alert, still acknowledged.
    clock.advance(2 * MIN);
    expect(await t.app.alerts.submit(page(clock.now(), '6.4'))).toBe('resumed');
    await tab.clock.runFor(REFRESH_MS);
    await row.locator('.flaps:has-text("flapped 1×")').waitFor();
    await expect(row.locator('.clearing').count()).resolves.toBe(0);
    await expect(row.getAttribute('data-alert-id')).resolves.toBe(first.id);
    await expect(row.locator('.ack').innerText()).resolves.toContain('acknowledged by ana');
    await expect(row.locator('button:has-text("Acknowledge")').count()).resolves.toBe(0);
    await expect(tab.locator('table.alerts tbody tr').count()).resolves.toBe(1);
    await expect(row.locator('td').nth(1).innerText()).resolves.toContain('burning 6.4x'); // the title of the re-fire
    mkdirSync(artifacts, { recursive: true });
    await tab.setViewportSize({ width: 1400, height: 700 });
    await tab.screenshot({ path: join(artifacts, 'view-alerts-flapping.png'), fullPage: true });
    await tab.close();
  });

  it('goes from an alert to its example trace and on to that trace\'s logs, and to its SLO', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${t.url}/alerts`);
    const row = tab.locator(`tr[data-fingerprint="${first.fingerprint}"]`);
    await row.locator('a.trace-link').click();
    await tab.waitForURL(`${t.url}/traces/${CHECKOUT_TRACE_ID}`);
    await tab.waitForSelector('[data-ready="trace"]');
    await tab.click('a:has-text("Logs of this trace")');
    await tab.waitForURL(/\/logs\?traceId=c0ffee00000000000000000000000001/);
    await tab.locator('table.logs td.body:has-text("items query timed out")').waitFor();

    // The same trace's logs straight from the alert, and its SLO.
    await tab.goto(`${t.url}/alerts`);
    await row.locator('a.logs-link').click();
    await tab.locator('table.logs td.body:has-text("items query timed out")').waitFor();
    await tab.goto(`${t.url}/alerts`);
    await row.locator('a.cause').click();
    await tab.waitForURL(`${t.url}/slos/checkout-latency`);
    await tab.close();
  });

  it('a local-mode acknowledgement needs a name, and may name the alert by its fingerprint', async () => {
    const second = createAlert({ source: 'anomaly', severity: 'warning', title: 'catalog p95 anomalous', labels: { series: 'latency_p95{service="catalog"}', service: 'catalog' }, startsAt: clock.now() });
    await t.app.alerts.submit(second);
    const ack = (body: string) => fetch(`${t.url}/api/v1/alerts/${second.fingerprint}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await ack('{}')).status).toBe(400);
    const acked = await ack('{"by":"omar"}');
    expect(acked.status).toBe(200);
    await expect(acked.json()).resolves.toMatchObject({ id: second.id, acknowledgedBy: 'omar' });
  });
});
