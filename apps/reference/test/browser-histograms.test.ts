// The trace duration and log volume histograms, the hidden self-telemetry and the views that
// refresh themselves, in real headless Chromium against a server with seeded data. The page's
// timers run on Playwright's fake clock: a refresh is a fast-forward, never a sleep.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { CHECKOUT_TRACE_ID, checkoutTrace, fillerTraces, logsBody, postOtlp, tracesBody, type SeedLog } from './browser-seed.js';
import { useTestApp } from './test-app.js';
import { REFRESH_MS } from '../web/src/refresh-interval.js';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts');
const FILLER_TRACES = 40;
const SELF_ROOT = 'GET /api/v1/views/overview';

interface DurationHistogram {
  total: number;
  buckets: { fromMs: number; toMs: number; count: number; errors: number }[];
}
interface VolumeHistogram {
  total: number;
  buckets: { t: number; count: number; errors: number }[];
}

describe('histograms and self-refreshing views', () => {
  const t = useTestApp();
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${t.url}${path}`)).json()) as T;

  beforeAll(async () => {
    const launching = launchChromium();
    const now = Date.now();
    await postOtlp(t.url, '/v1/traces', tracesBody(fillerTraces(FILLER_TRACES, 2, now - 50 * 60_000, now - 3 * 60_000)));
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(now - 90_000) }]));
    // The page polling the API, as the app's self-telemetry records it: the newest trace.
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: '5e1f0000000000000000000000000001', spans: [{ service: 'sightline', spanId: '5e1f000000000001', name: SELF_ROOT, kind: 2, startMs: now - 30_000, durationMs: 4 }] }]));
    const logs: SeedLog[] = Array.from({ length: 40 }, (_, i) => ({ service: i % 2 === 0 ? 'cart' : 'search', timeMs: now - 45 * 60_000 + i * 60_000, severity: 9, severityText: 'INFO', body: `request served #${i}` }));
    for (let i = 0; i < 4; i++) logs.push({ service: 'catalog', timeMs: now - 10 * 60_000 + i * 1_000, severity: 17, severityText: 'ERROR', body: `items query timed out #${i}`, traceId: CHECKOUT_TRACE_ID });
    await postOtlp(t.url, '/v1/logs', logsBody(logs));
    browser = await launching;
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser.close();
  });

  /** Opens `path` with the page's clock faked (it still runs; `fastForward` jumps it). */
  const open = async (path: string) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    consoleErrors = [];
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => void consoleErrors.push(error.message));
    await page.clock.install();
    await page.goto(`${t.url}${path}`);
    return page;
  };

  afterEach(async () => {
    await page.close();
  });

  it('traces: a duration histogram of every matching trace (not the page), the app’s own traces behind a checkbox', async () => {
    await open('/traces?since=1h&limit=10');
    const expected = await api<DurationHistogram>('/api/v1/traces/histogram?since=1h');
    expect(expected.total).toBe(FILLER_TRACES + 1); // the fillers and the checkout trace; the self trace is hidden
    const figure = page.locator(`figure[data-histogram="trace-durations"][data-total="${expected.total}"]`);
    await figure.waitFor();
    await page.waitForSelector('[data-ready="traces"] table.traces');
    await expect(page.locator('table.traces tbody tr').count()).resolves.toBe(10);
    await expect(figure.locator('.hist-bar').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))))).resolves.toEqual(expected.buckets.map((b) => b.count));
    const label = await figure.locator('svg[role="img"]').getAttribute('aria-label');
    expect(label).toContain(`${expected.total} traces`);
    await expect(figure.locator('svg > title').textContent()).resolves.toBe(label);
    // The failed fillers (every 7th) and the checkout trace are drawn as errors.
    const failed = expected.buckets.reduce((sum, b) => sum + b.errors, 0);
    expect(failed).toBe(Math.ceil(FILLER_TRACES / 7) + 1);
    await expect(figure.locator('.hist-err').count()).resolves.toBe(expected.buckets.filter((b) => b.errors > 0).length);
    await expect(page.locator('table.traces', { hasText: SELF_ROOT }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(artifacts, 'view-traces-histogram.png'), fullPage: true });

    await page.check('input[name=includeSelf]');
    await page.click('form[aria-label="trace search"] button[type=submit]');
    await page.waitForURL(/includeSelf=true/);
    await page.locator('table.traces tbody tr:first-child a', { hasText: SELF_ROOT }).waitFor();
    await page.locator(`figure[data-histogram="trace-durations"][data-total="${expected.total + 1}"]`).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('logs: a volume histogram over the window for the current filter, errors apart', async () => {
    await open('/logs?since=1h');
    const expected = await api<VolumeHistogram>('/api/v1/logs/histogram?since=1h');
    expect(expected.total).toBe(44);
    const figure = page.locator(`figure[data-histogram="log-volume"][data-total="44"]`);
    await figure.waitFor();
    await expect(figure.locator('.hist-bar').count()).resolves.toBe(expected.buckets.length);
    await expect(figure.locator('.hist-err').count()).resolves.toBe(expected.buckets.filter((b) => b.errors > 0).length);
    await expect(figure.locator('figcaption').textContent()).resolves.toContain('4 with errors');
    await page.screenshot({ path: join(artifacts, 'view-logs-histogram.png'), fullPage: true });
    // The filter narrows the histogram with the list: errors only.
    await page.selectOption('select[name=level]', 'error');
    await page.click('form[aria-label="log search"] button[type=submit]');
    await page.locator('figure[data-histogram="log-volume"][data-total="4"]').waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('overview, traces and logs refresh themselves: new data appears after the refresh interval, without a reload', async () => {
    await open('/');
    await page.waitForSelector('[data-ready="overview"] table.services');
    const now = Date.now();
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: 'f0e50000000000000000000000000001', spans: [{ service: 'inventory', spanId: 'f0e5000000000001', name: 'GET /stock', kind: 2, startMs: now - 1_000, durationMs: 12 }] }]));
    await page.clock.fastForward(REFRESH_MS);
    await page.locator('table.services tbody tr a', { hasText: 'inventory' }).waitFor();
    await expect(page.locator('[data-ready="overview"]').count()).resolves.toBe(1); // the same page, never back to "Loading…"

    // Traces: the first page and its histogram follow.
    await page.click('nav a[href="/traces"]');
    const before = await api<DurationHistogram>('/api/v1/traces/histogram?since=1h');
    await page.locator(`figure[data-histogram="trace-durations"][data-total="${before.total}"]`).waitFor();
    await page.waitForSelector('[data-ready="traces"] table.traces');
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: 'f0e50000000000000000000000000002', spans: [{ service: 'inventory', spanId: 'f0e5000000000002', name: 'GET /restock', kind: 2, startMs: Date.now() - 500, durationMs: 30 }] }]));
    await page.clock.fastForward(REFRESH_MS);
    await page.locator('table.traces tbody tr:first-child a', { hasText: 'GET /restock' }).waitFor();
    await page.locator(`figure[data-histogram="trace-durations"][data-total="${before.total + 1}"]`).waitFor();

    // Logs: a new record on the first page, and in the volume.
    await page.click('nav a[href="/logs"]');
    const logsBefore = await api<VolumeHistogram>('/api/v1/logs/histogram?since=1h');
    await page.locator(`figure[data-histogram="log-volume"][data-total="${logsBefore.total}"]`).waitFor();
    await page.waitForSelector('[data-ready="logs"] table.logs');
    await postOtlp(t.url, '/v1/logs', logsBody([{ service: 'inventory', timeMs: Date.now() - 200, severity: 17, severityText: 'ERROR', body: 'stock count diverged' }]));
    await page.clock.fastForward(REFRESH_MS);
    await page.locator('table.logs tbody tr:first-child', { hasText: 'stock count diverged' }).waitFor();
    await page.locator(`figure[data-histogram="log-volume"][data-total="${logsBefore.total + 1}"]`).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('a hidden tab does not poll; shown again, it catches up at once', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The tab's visibility, switchable from the test (headless pages are always visible).
    // The tab's visibility, switchable from the test (headless pages are always visible). A script
    // string: this compilation has no DOM types, the page does.
    await page.addInitScript({
      content: `(() => {
        let hidden = false;
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
        window.setTabHidden = (value) => {
          hidden = value;
          document.dispatchEvent(new Event('visibilitychange'));
        };
      })();`,
    });
    const setTabHidden = (hidden: boolean) => page.evaluate((value) => (globalThis as unknown as { setTabHidden: (value: boolean) => void }).setTabHidden(value), hidden);
    await page.clock.install();
    await page.goto(`${t.url}/logs?since=1h`);
    await page.waitForSelector('[data-ready="logs"] table.logs');
    const searches: string[] = [];
    page.on('request', (request) => void (/\/api\/v1\/logs\?/.test(request.url()) && searches.push(request.url())));
    await setTabHidden(true);
    await postOtlp(t.url, '/v1/logs', logsBody([{ service: 'inventory', timeMs: Date.now() - 100, severity: 9, severityText: 'INFO', body: 'counted while hidden' }]));
    // Three refresh intervals pass, and every timer due in them runs (effects and renders included).
    await page.clock.runFor(3 * REFRESH_MS);
    await expect(page.locator('table.logs', { hasText: 'counted while hidden' }).count()).resolves.toBe(0);
    expect(searches).toEqual([]);
    await setTabHidden(false);
    await page.locator('table.logs tbody tr:first-child', { hasText: 'counted while hidden' }).waitFor();
    expect(searches).toHaveLength(1);
  });
});
