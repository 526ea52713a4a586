// The demo's anomalies on the page within 20 minutes: 20 simulated minutes of the demo workload
// (test/simulated-demo.ts: ManualClock, seeded, over OTLP) into a test app, then the /anomalies
// page in headless Chromium shows a timeline for each series the incident broke, with the
// anomalous points of the incident marked. One browser, one app.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { runSimulatedDemo, type SimulatedRun } from './simulated-demo.js';
import { useTestApp } from './test-app.js';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts');

describe('the demo on the anomalies page', () => {
  const t = useTestApp();
  let browser: Browser;
  let run: SimulatedRun;

  beforeAll(async () => {
    const launching = launchChromium();
    // 20 s into a minute, 25 minutes ago: the whole run is in the app's (real) past.
    run = await runSimulatedDemo(t, { startedAt: Math.floor(Date.now() / 60_000) * 60_000 - 25 * 60_000 + 20_000, minutes: 20 });
    browser = await launching;
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the first incident's anomalies, flagged within 20 minutes of start, on the series it broke", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => void consoleErrors.push(error.message));
    await page.goto(`${t.url}/anomalies?since=1h`);
    await page.waitForSelector('[data-ready="anomalies"] svg.timeline');

    // One card per broken series: checkout's and storefront's p95, and the error ratio of the
    // charge failing up the chain. No healthy series has a card.
    const titles = (await page.locator('.timeline-card h2').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
    expect(titles.sort()).toEqual([
      'sightline.request.duration.p95 checkout command PlaceOrder',
      'sightline.request.duration.p95 storefront /checkout',
      'sightline.request.error_ratio checkout command PlaceOrder',
      'sightline.request.error_ratio payments command ChargeCard',
      'sightline.request.error_ratio storefront /checkout',
    ]);
    // Every card draws the series' points, the incident's marked as anomalous.
    await expect(page.locator('.timeline-card svg.timeline').count()).resolves.toBe(5);
    const marked = await page.locator('.timeline-card').evaluateAll((cards) => cards.map((card) => card.querySelectorAll('svg.timeline circle.anomalous').length));
    expect(marked.every((n) => n >= 1)).toBe(true);
    // Each card lists its anomaly with a severity badge and the detector's reason.
    const items = await page.locator('.timeline-card li').allInnerTexts();
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (const item of items) expect(item).toMatch(/^(warning|error|critical) score \d\.\d\d .*standard deviations/s);

    // The page shows what the API stored: each anomaly began in a minute the incident touched,
    // and the first had closed before minute 20 of the demo.
    const { anomalies } = (await (await fetch(`${t.url}/api/v1/anomalies?since=1h&limit=100`)).json()) as { anomalies: { startsAt: number }[] };
    expect(anomalies.length).toBe(items.length);
    const incidentMinute = Math.floor(run.incident.from / 60_000) * 60_000;
    for (const a of anomalies) expect(a.startsAt >= incidentMinute && a.startsAt < run.incident.to).toBe(true);
    expect(Math.min(...anomalies.map((a) => a.startsAt)) + 60_000).toBeLessThanOrEqual(run.startedAt + 20 * 60_000);

    await page.screenshot({ path: join(artifacts, 'view-demo-anomalies.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
