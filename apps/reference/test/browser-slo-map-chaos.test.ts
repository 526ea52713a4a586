// The SLO view, the service map and the chaos run view in real headless Chromium: the SLO's
// window reads with full dates up to now, a stretch without events is a gap in the burn chart,
// every window has a series in the legend, an overspent budget says by how many events and since
// when; the map lays services out in layers across the width with no arrow label over a box; a
// chaos run shows each steady-state probe's measured values against its tolerance.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { postOtlp, tracesBody } from './browser-seed.js';
import { useTestApp } from './test-app.js';
import { formatDateTime } from '../web/src/format.js';

const MIN = 60_000;
const HOUR = 3_600_000;
// An hour boundary in the past, and the app's fixed now 20 minutes after the next one.
const H = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const NOW = H + 20 * MIN;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('SLO view, service map and chaos run view', () => {
  const clock = new ManualClock(NOW);
  const t = useTestApp({ clock });
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    const launching = launchChromium();
    // checkout-availability (99%): 100 good events a minute from NOW−5h to NOW−3h, nothing for
    // an hour, then 100 a minute with 20 bad from NOW−2h to NOW.
    const put = await fetch(`${t.url}/api/v1/slos/checkout-availability`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'checkout', objective: 0.99, sli: { kind: 'availability' } }) });
    expect(put.status).toBe(201);
    for (let m = 300; m > 180; m--) t.app.slos.record('checkout-availability', 100, 100, NOW - m * MIN);
    for (let m = 120; m > 0; m--) t.app.slos.record('checkout-availability', 80, 100, NOW - m * MIN);
    await t.app.slos.evaluate();

    // Calls: frontend → cart, catalog, payments, bank; cart → payments; catalog → db; payments → bank.
    const calls: [string, string][] = [['frontend', 'cart'], ['frontend', 'catalog'], ['frontend', 'payments'], ['frontend', 'bank'], ['cart', 'payments'], ['catalog', 'db'], ['payments', 'bank']];
    const traces = calls.map(([from, to], i) => ({
      traceId: (i + 1).toString(16).padStart(32, 'a'),
      spans: [
        { service: from, spanId: `${(i * 2 + 1).toString(16).padStart(16, '0')}`, name: `call ${to}`, kind: 3, startMs: NOW - 10 * MIN + i * 1000, durationMs: 30 },
        { service: to, spanId: `${(i * 2 + 2).toString(16).padStart(16, '0')}`, parentSpanId: `${(i * 2 + 1).toString(16).padStart(16, '0')}`, name: `serve ${from}`, kind: 2, startMs: NOW - 10 * MIN + i * 1000 + 2, durationMs: 25, failed: to === 'bank' },
      ],
    }));
    await postOtlp(t.url, '/v1/traces', tracesBody(traces));
    browser = await launching;
  });

  afterAll(async () => {
    await browser.close();
  });

  afterEach(async () => {
    if (!page.isClosed()) await page.close();
  });

  const open = async (path: string) => {
    // The page formats times as this process does: same locale and time zone.
    const { locale, timeZone } = Intl.DateTimeFormat().resolvedOptions();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale, timezoneId: timeZone });
    consoleErrors = [];
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => void consoleErrors.push(error.message));
    await page.goto(`${t.url}${path}`);
    return page;
  };

  it('SLO: the window with full dates up to now, gaps where no events were, every window in the legend, and the overspent budget by events and since when', async () => {
    const api = (await (await fetch(`${t.url}/api/v1/slos/checkout-availability`)).json()) as { status: { window: { start: number; end: number } }; overspend: { overspentEvents: number; exhaustedAt: number } };
    const burn = (await (await fetch(`${t.url}/api/v1/slos/checkout-availability/burn?since=6h&step=5m`)).json()) as { windows: string[]; points: { t: number; burn: Record<string, number | null> }[] };
    // 24,000 events, 2,400 bad, 240 allowed (1%): overspent by 2,160. The bad minutes began at
    // NOW−2h = H−100 min, in the hour from H−2h, and ran it out within 7 minutes.
    expect(api.overspend).toEqual({ overspentEvents: 2160, exhaustedAt: H - 2 * HOUR });
    expect(api.status.window.end).toBeGreaterThan(NOW);

    await open('/slos');
    await page.waitForSelector('[data-ready="slos"]');
    await expect(page.locator('table.slos tbody tr', { hasText: 'checkout-availability' }).innerText()).resolves.toContain('overspent by 2,160');
    expect(await page.locator('table.slos tbody tr').innerText()).not.toMatch(/-\d/);

    await page.click('a[href="/slos/checkout-availability"]');
    await page.waitForSelector('[data-ready="slo"] svg.burn-chart');
    // Both ends with their date; the end is now (the status instant), not the window's end an hour-boundary ahead.
    const windowText = await page.locator('.slo-window .window').innerText();
    expect(windowText).toBe(`${formatDateTime(api.status.window.start)} – ${formatDateTime(NOW)}`);
    expect(windowText).toMatch(/^\S+ \d{1,2},? .*\d{2}:\d{2} – \S+ \d{1,2},? .*\d{2}:\d{2}$/);
    await expect(page.locator('.budget-figure.overspent').innerText()).resolves.toContain(`overspent by 2,160 events since ${formatDateTime(H - 2 * HOUR)}`);

    // Every window of every alert condition has a series and a legend entry, 1d and 3d included.
    expect(burn.windows).toEqual(['5m', '1h', '30m', '6h', '2h', '1d', '3d']);
    await expect(page.locator('svg.burn-chart .legend-item').evaluateAll((els) => els.map((el) => el.getAttribute('data-window')))).resolves.toEqual(burn.windows);
    await expect(page.locator('svg.burn-chart path.series').evaluateAll((els) => els.map((el) => el.getAttribute('data-window')))).resolves.toEqual(burn.windows);

    // The 5m window: nothing before NOW−5h and nothing from NOW−3h+5m to NOW−2h: null there,
    // so its line is two stretches and draws exactly the points that have a value.
    const fiveMinutes = burn.points.map((p) => p.burn['5m']);
    // (The last good minute is NOW−181 min, the first bad one NOW−120 min: the 5m window holds none at NOW−175 … NOW−125.)
    expect(burn.points.filter((p) => p.t > NOW - 3 * HOUR && p.t < NOW - 2 * HOUR).map((p) => p.burn['5m'])).toEqual(Array(11).fill(null));
    expect(burn.points.filter((p) => p.t < NOW - 5 * HOUR).every((p) => p.burn['5m'] === null)).toBe(true);
    const d = (await page.locator('svg.burn-chart path.series[data-window="5m"]').getAttribute('d')) ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/[ML]/g)).toHaveLength(fiveMinutes.filter((v) => v !== null).length);
    // The 3d window has held events since NOW−5h: no gap from then on.
    const threeDays = (await page.locator('svg.burn-chart path.series[data-window="3d"]').getAttribute('d')) ?? '';
    expect(threeDays.match(/M/g)).toHaveLength(1);
    await page.screenshot({ path: 'test-artifacts/view-slo-overspent.png', fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('service map: callers left of callees in layers across the width, each arrow label clear of every box', async () => {
    await open('/map');
    await page.waitForSelector('[data-ready="map"] svg.service-map');
    const layers = Object.fromEntries(await page.locator('svg.service-map g.node').evaluateAll((els) => els.map((el) => [el.getAttribute('data-service'), Number(el.getAttribute('data-layer'))])));
    // Longest call path: bank is reached through frontend → cart → payments → bank.
    expect(layers).toEqual({ bank: 3, cart: 1, catalog: 1, db: 2, frontend: 0, payments: 2 });

    const boxes = Object.fromEntries(
      await Promise.all((await page.locator('svg.service-map g.node').all()).map(async (g) => [await g.getAttribute('data-service'), (await g.locator('rect').boundingBox())!] as const)),
    ) as Record<string, Rect>;
    const labels = await Promise.all((await page.locator('svg.service-map g.edge').all()).map(async (g) => ({ edge: (await g.getAttribute('data-edge'))!, box: (await g.locator('.edge-label').boundingBox())! })));
    expect(labels).toHaveLength(7);
    for (const { edge, box } of labels) {
      for (const [service, node] of Object.entries(boxes)) expect({ edge, service, overlaps: overlaps(box, node) }).toEqual({ edge, service, overlaps: false });
      const [from, to] = edge.split('>') as [string, string];
      expect(boxes[from]!.x).toBeLessThan(boxes[to]!.x);
    }
    for (const [i, a] of labels.entries()) for (const b of labels.slice(i + 1)) expect({ pair: `${a.edge} ${b.edge}`, overlaps: overlaps(a.box, b.box) }).toEqual({ pair: `${a.edge} ${b.edge}`, overlaps: false });

    // The SVG fills its container, and the layers span it from the left margin to the right one.
    const svg = (await page.locator('svg.service-map').boundingBox())!;
    const container = (await page.locator('[data-ready="map"]').boundingBox())!;
    expect(svg.width).toBeGreaterThan(container.width * 0.98);
    const right = Math.max(...Object.values(boxes).map((b) => b.x + b.width));
    const left = Math.min(...Object.values(boxes).map((b) => b.x));
    expect(right - left).toBeGreaterThan(svg.width * 0.9);
    // Labels are text a reader can read: at least 9 px high as drawn.
    const fontPx = await page.locator('svg.service-map .edge-label text').first().evaluate((el) => (el as unknown as { getBoundingClientRect(): Rect }).getBoundingClientRect().height);
    expect(fontPx).toBeGreaterThan(18); // two lines
    await page.screenshot({ path: 'test-artifacts/view-service-map-layers.png', fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('chaos run: each steady-state probe with its measured values before and after, its tolerance, and pass or fail', async () => {
    const started = await fetch(`${t.url}/api/v1/chaos/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'healthz stays fast',
        steadyStateHypothesis: {
          title: 'healthz answers fast and without errors',
          probes: [
            { type: 'probe', name: 'healthz-fast', provider: { type: 'http', url: `${t.url}/healthz`, calls: 3, percentile: 95, maxLatencyMs: 30_000 } },
            { type: 'probe', name: 'healthz-errors', provider: { type: 'http', url: `${t.url}/healthz`, calls: 2 }, tolerance: { type: 'range', path: 'errorRatio', range: [0, 0.1] } },
          ],
        },
        method: [{ type: 'probe', name: 'readyz', provider: { type: 'http', url: `${t.url}/readyz`, calls: 1 } }],
      }),
    });
    const { id } = (await started.json()) as { id: string };
    await t.app.chaos.settled(id);
    const run = (await (await fetch(`${t.url}/api/v1/chaos/runs/${id}`)).json()) as { status: string; probes: { name: string; tolerance: string; before: { met: boolean; values: { label: string; value: unknown }[] }; after: { met: boolean } }[] };
    expect(run.status).toBe('completed');
    expect(run.probes.map((p) => [p.name, p.tolerance, p.before.met, p.after.met])).toEqual([
      ['healthz-fast', 'p95 latency ≤ 30000 ms, no failed calls', true, true],
      ['healthz-errors', 'errorRatio in [0, 0.1]', true, true],
    ]);
    expect(run.probes[1]!.before.values[0]).toEqual({ label: 'errorRatio', value: 0 });

    await open(`/chaos/${id}`);
    await page.waitForSelector('[data-ready="chaos-run"] table.probes');
    const rows = await page.locator('table.probes tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('p95 latency ≤ 30000 ms, no failed calls');
    expect(rows[0]).toMatch(/pass p95 latency [\d.]+ (µs|ms|s)/);
    expect(rows[0]).toContain('failed calls 0 of 3');
    expect(rows[1]).toContain('errorRatio in [0, 0.1]');
    expect(rows[1]).toContain('errorRatio 0');
    await expect(page.locator('table.probes td.probe-after .badge').allInnerTexts()).resolves.toEqual(['pass', 'pass']);
    await page.screenshot({ path: 'test-artifacts/view-chaos-probes.png', fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
