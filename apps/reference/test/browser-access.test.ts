// The page in token mode (headless Chromium via playwright-core): a viewer reads every view, and
// an action the policies refuse is shown as the API said it — 403, who, what and why.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAlert } from '@sightline/core';
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { useTestApp } from './test-app.js';

const VIEWER = 'viewer-token-for-the-page';

describe('web page with access control', () => {
  const t = useTestApp({ config: { access: { mode: 'token', tokens: [{ sha256: createHash('sha256').update(VIEWER).digest('hex'), principal: { id: 'vera', kind: 'user', roles: ['viewer'] } }] } } });
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    await t.app.alerts.submit(createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning error budget', labels: { service: 'checkout' }, startsAt: Date.now() - 60_000 }));
  });
  afterAll(async () => {
    await browser.close();
  });

  it('shows a viewer the alerts, and a refused acknowledgement as a clear 403 with the reason', async () => {
    const page = await browser.newPage();
    // Runs in the page: its localStorage is the browser's (this file is type-checked for Node).
    await page.addInitScript((token) => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('sightline.token', token), VIEWER);
    await page.goto(`${t.url}/alerts`);
    await page.waitForSelector('[data-ready="alerts"] table.alerts tbody tr');
    await page.click('button:has-text("Acknowledge")');
    const banner = page.locator('.error-banner');
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toBe('FORBIDDEN: vera may not acknowledge alerts: no policy allows it');
    await page.close();
  });

  it('without a token the page says who it needs', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/alerts`);
    const banner = page.locator('.error-banner');
    await banner.first().waitFor();
    await expect(banner.first().innerText()).resolves.toContain('UNAUTHENTICATED: Who are you? send Authorization: Bearer <token>');
    await page.close();
  });
});
