// The overview page in real headless Chromium (test/chromium.ts picks it; driven by playwright-core) against a
// server with seeded data: it renders what the API holds and logs no console errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { useTestApp } from './test-app.js';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts');

describe('overview page', () => {
  const t = useTestApp();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    const now = Date.now();
    const span = (i: number, service: string, failed: boolean) => ({
      traceId: (i + 1).toString(16).padStart(32, 'a'),
      spanId: (i + 1).toString(16).padStart(16, 'b'),
      name: 'GET /items',
      kind: 2,
      startTimeUnixNano: `${now - 60_000 + i}000000`,
      endTimeUnixNano: `${now - 60_000 + i + 25}000000`,
      status: { code: failed ? 2 : 0 },
    });
    const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
    const body = {
      resourceSpans: [
        { resource: resource('catalog'), scopeSpans: [{ spans: Array.from({ length: 20 }, (_, i) => span(i, 'catalog', i < 5)) }] },
        { resource: resource('cart'), scopeSpans: [{ spans: Array.from({ length: 10 }, (_, i) => span(100 + i, 'cart', false)) }] },
      ],
    };
    await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await fetch(`${t.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource: resource('catalog'), scopeLogs: [{ logRecords: [{ timeUnixNano: `${now}000000`, severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'inventory service timed out' } }] }] }] }),
    });
  });

  afterAll(async () => {
    await browser.close();
  });

  it('shows each service with its error ratio, the recent errors, and no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${t.url}/`);
    await page.waitForSelector('table tbody tr');
    const rows = await page.locator('table tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[0])).toEqual(['cart', 'catalog']);
    expect(rows[1]).toContain('25.00%'); // 5 of 20 catalog spans failed
    await expect(page.locator('text=inventory service timed out').count()).resolves.toBe(1);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'overview.png') });
    expect(consoleErrors).toEqual([]);
  });
});
