// Every view of the web page in real headless Chromium (test/chromium.ts picks it; driven by playwright-core)
// against a server started here with seeded data: each view renders what the API holds, the
// trace waterfall has one row per span, a silence made in the page is in the API, API errors are
// shown as the API said them, and the page logs no console errors. One browser for the file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createAlert } from '@sightline/core';
import { generateFocusBill } from '@sightline/finops';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { CHECKOUT_ERRORS, CHECKOUT_SPANS, CHECKOUT_TRACE_ID, checkoutTrace, fillerTraces, logsBody, postOtlp, tracesBody, type SeedLog } from './browser-seed.js';
import { useTestApp } from './test-app.js';
import { seriesKey } from '../src/signals/anomaly-watch.js';
import { upsertAnomaly } from '../src/storage/anomaly-store.js';
import { formatMoney } from '../web/src/format.js';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts');
const FILLER_TRACES = 60;

describe('web page views', () => {
  // The generated bill is small: its planted spike is about 65.00 over the usual.
  const t = useTestApp({ config: { costs: { anomalyMinImpact: 10_000_000, anomalyMinRelativeImpact: 0.15 } } });
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    const launching = launchChromium();
    const now = Date.now();
    // Filler traces over the last 50 minutes (closed minutes feed the sparklines), then the checkout trace.
    const fillers = fillerTraces(FILLER_TRACES, 3, now - 50 * 60_000, now - 3 * 60_000);
    for (let i = 0; i < fillers.length; i += 20) await postOtlp(t.url, '/v1/traces', tracesBody(fillers.slice(i, i + 20)));
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(now - 90_000) }]));
    void t.app.requestSeries.flush();
    await t.app.requestSeries.settled();
    const logs: SeedLog[] = Array.from({ length: 30 }, (_, i) => ({ service: i % 2 === 0 ? 'cart' : 'search', timeMs: now - 40 * 60_000 + i * 60_000, severity: 9, severityText: 'INFO', body: `request served #${i}` }));
    logs.push({ service: 'catalog', timeMs: now - 80_000, severity: 17, severityText: 'ERROR', body: 'items query timed out', traceId: CHECKOUT_TRACE_ID });
    logs.push({ service: 'frontend', timeMs: now - 79_000, severity: 13, severityText: 'WARN', body: 'checkout degraded: catalog unavailable', traceId: CHECKOUT_TRACE_ID });
    await postOtlp(t.url, '/v1/logs', logsBody(logs));
    await t.app.alerts.submit(createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning error budget', labels: { slo: 'checkout-availability', service: 'frontend' }, startsAt: now - 120_000 }));
    await t.app.alerts.submit(createAlert({ source: 'anomaly', severity: 'warning', title: 'catalog p95 latency anomalous', labels: { series: 'catalog/GET /items', service: 'catalog' }, startsAt: now - 60_000 }));
    browser = await launching;
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser.close();
  });

  const open = async (path: string) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    consoleErrors = [];
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => void consoleErrors.push(error.message));
    await page.goto(`${t.url}${path}`);
    return page;
  };

  /**
   * Waits until the table shows exactly `n` rows (the page renders after the URL changes): the
   * n-th row is the last one. Selectors, not waitForFunction: the page's CSP forbids eval.
   */
  const waitForRows = (table: string, n: number) => page.locator(n === 0 ? `${table} tbody:not(:has(tr))` : `${table} tbody tr:nth-child(${n}):last-child`).waitFor();

  afterEach(async () => {
    if (!page.isClosed()) await page.close(); // the API-only tests reuse the last page
  });

  it('overview: services with rate, error ratio, p95 and sparklines, and the firing alerts', async () => {
    await open('/');
    await page.waitForSelector('[data-ready="overview"]');
    const rows = await page.locator('table.services tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[0])).toEqual(['cart', 'catalog', 'frontend', 'payments', 'search']);
    const api = (await (await fetch(`${t.url}/api/v1/views/overview?since=1h`)).json()) as { services: { service: string; spans: number; errorRatio: number }[] };
    for (const [i, s] of api.services.entries()) {
      expect(rows[i]).toContain(`${s.spans}\t`);
      expect(rows[i]).toContain(`${(s.errorRatio * 100).toFixed(2)}%`);
    }
    // Every service has closed minutes of server spans, so each row draws both sparklines.
    await expect(page.locator('table.services svg.spark').count()).resolves.toBe(10);
    await expect(page.locator('ul.alerts li').allInnerTexts()).resolves.toEqual([expect.stringContaining('catalog p95 latency anomalous'), expect.stringContaining('checkout burning error budget')]);
    await expect(page.locator('text=items query timed out').count()).resolves.toBe(1);
    // The health strip: one chip per indicator of /readyz?verbose.
    await expect(page.locator('.health-strip [data-indicator]').evaluateAll((els) => els.map((el) => el.getAttribute('data-indicator')))).resolves.toEqual(['database', 'event-loop', 'memory', 'disk', 'ingest-queue']);
    await page.screenshot({ path: join(artifacts, 'view-overview.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('traces: search, errors only, and pages through the nextBefore cursor', async () => {
    await open('/traces?since=1h&limit=25');
    await page.waitForSelector('[data-ready="traces"]');
    const first = await page.locator('table.traces tbody tr').allInnerTexts();
    expect(first).toHaveLength(25);
    expect(first[0]).toContain('GET /checkout'); // newest first
    await page.screenshot({ path: join(artifacts, 'view-traces.png'), fullPage: true });
    await page.click('a.next');
    await page.waitForURL(/before=/);
    await page.waitForSelector('[data-ready="traces"] table.traces');
    const second = await page.locator('table.traces tbody tr').allInnerTexts();
    expect(second).toHaveLength(25);
    expect(second.filter((row) => first.includes(row))).toEqual([]);
    await page.click('a.next');
    await waitForRows('table.traces', 11);
    await expect(page.locator('text=end of results').count()).resolves.toBe(1);

    // The search list answers only after the fields are filled, so the page re-renders under
    // what was typed: a filter field written back from its props on re-render would lose it.
    let releaseList!: () => void;
    const filled = new Promise<void>((resolve) => (releaseList = resolve));
    await page.route(/\/api\/v1\/traces\?/, async (route) => {
      await filled;
      await route.continue();
    });
    await page.goto(`${t.url}/traces`);
    await page.fill('input[name=service]', 'frontend');
    await page.check('input[name=errorsOnly]');
    releaseList();
    await page.waitForSelector('[data-ready="traces"]');
    await page.unroute(/\/api\/v1\/traces\?/);
    await expect(page.inputValue('input[name=service]')).resolves.toBe('frontend');
    await expect(page.isChecked('input[name=errorsOnly]')).resolves.toBe(true);
    await page.click('form[aria-label="trace search"] button[type=submit]');
    await page.waitForURL(/service=frontend&since=1h&errorsOnly=true/);
    const expected = (await (await fetch(`${t.url}/api/v1/traces?service=frontend&errorsOnly=true&since=1h`)).json()) as { traces: { trace_id: string }[] };
    expect(expected.traces.length).toBe(3); // two failed filler roots and the checkout trace
    await waitForRows('table.traces', expected.traces.length);
    const links = await page.locator('table.traces tbody a').evaluateAll((els) => els.map((el) => el.getAttribute('href')));
    expect(links).toEqual(expected.traces.map((tr) => `/traces/${tr.trace_id}`));
    expect(consoleErrors).toEqual([]);
  });

  it('trace: a waterfall with one row per span, nested by parent, errors marked, attributes on click, a link to its logs', async () => {
    await open('/traces');
    await page.waitForSelector('[data-ready="traces"]');
    await page.click(`a[href="/traces/${CHECKOUT_TRACE_ID}"]`);
    await page.waitForSelector('[data-ready="trace"]');
    await expect(page.locator('.wf-span').count()).resolves.toBe(CHECKOUT_SPANS);
    await expect(page.locator('.wf-span.failed').count()).resolves.toBe(CHECKOUT_ERRORS);
    const names = await page.locator('.wf-name').allInnerTexts();
    expect(names.map((n) => n.replace('●', '').trim())).toEqual(['frontend GET /checkout', 'frontend POST cart', 'cart POST /cart', 'cart redis GET', 'frontend GET catalog', 'catalog GET /items', 'catalog db.query']);
    const indents = await page.locator('.wf-name').evaluateAll((els) => els.map((el) => /padding-left:\s*([\d.]+px)/.exec(el.getAttribute('style') ?? '')?.[1]));
    expect(indents).toEqual(['0px', '14px', '28px', '42px', '14px', '28px', '42px']);
    // The db.query bar starts 55 ms into a 120 ms trace and lasts 45 ms.
    const bar = await page.locator('[data-span-id="c100000000000007"] .wf-bar').getAttribute('style');
    expect([/left:\s*([\d.]+)%/.exec(bar ?? '')?.[1], /width:\s*([\d.]+)%/.exec(bar ?? '')?.[1]].map((v) => Number.parseFloat(v ?? 'NaN').toFixed(2))).toEqual([((55 / 120) * 100).toFixed(2), ((45 / 120) * 100).toFixed(2)]);
    await page.click('[data-span-id="c100000000000006"] .wf-row');
    const details = await page.locator('[data-span-id="c100000000000006"] .wf-details').innerText();
    expect(details).toContain('http.route');
    expect(details).toContain('/items');
    expect(details).toContain('error: upstream failed');
    await page.screenshot({ path: join(artifacts, 'view-trace.png'), fullPage: true });
    await page.click('text=Logs of this trace');
    await page.waitForURL(new RegExp(`/logs\\?traceId=${CHECKOUT_TRACE_ID}`));
    await page.waitForSelector('[data-ready="logs"] table.logs');
    const logs = await page.locator('table.logs tbody tr').allInnerTexts();
    expect(logs).toEqual([expect.stringContaining('checkout degraded: catalog unavailable'), expect.stringContaining('items query timed out')]);
    expect(consoleErrors).toEqual([]);
  });

  it('logs: the CLI filters (level, service, text) and pagination', async () => {
    await open('/logs?limit=10');
    await page.waitForSelector('[data-ready="logs"] table.logs');
    await expect(page.locator('table.logs tbody tr').count()).resolves.toBe(10);
    const first = (await (await fetch(`${t.url}/api/v1/logs?since=1h&limit=10`)).json()) as { nextBefore: number };
    const next = (await (await fetch(`${t.url}/api/v1/logs?since=1h&limit=10&before=${first.nextBefore}`)).json()) as { logs: { body: string }[] };
    await page.click('a.next');
    await page.waitForURL(new RegExp(`before=${first.nextBefore}`));
    await page.locator('table.logs tbody tr').first().locator(`td.body:text-is(${JSON.stringify(next.logs[0]!.body)})`).waitFor();
    await expect(page.locator('table.logs td.body').allInnerTexts()).resolves.toEqual(next.logs.map((l) => l.body));

    await page.goto(`${t.url}/logs`);
    await page.selectOption('select[name=level]', 'warn');
    await page.click('form[aria-label="log search"] button[type=submit]');
    await page.waitForURL(/level=warn/);
    await waitForRows('table.logs', 2);
    await page.fill('input[name=service]', 'cart');
    await page.selectOption('select[name=level]', '');
    await page.fill('input[name=text]', 'served #1');
    await page.click('form[aria-label="log search"] button[type=submit]');
    await page.waitForURL(/service=cart&text=served/);
    await waitForRows('table.logs', 5);
    const bodies = await page.locator('table.logs td.body').allInnerTexts();
    expect(bodies).toEqual(['request served #18', 'request served #16', 'request served #14', 'request served #12', 'request served #10']);
    await page.screenshot({ path: join(artifacts, 'view-logs.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('alerts: lists firing alerts; acknowledging one and a silence made in the page are in the API, and expiring it there ends it', async () => {
    await open('/alerts');
    await page.waitForSelector('[data-ready="alerts"] table.alerts');
    await expect(page.locator('table.alerts tbody tr').count()).resolves.toBe(2);
    await page.click('tr:has-text("catalog p95 latency anomalous") button:has-text("Acknowledge")');
    // Local mode has no login: the page asks who is on it.
    await page.fill('tr:has-text("catalog p95 latency anomalous") input[name=by]', 'ana');
    await page.click('tr:has-text("catalog p95 latency anomalous") button:has-text("Acknowledge as ana")');
    await page.waitForSelector('tr:has-text("catalog p95 latency anomalous") .ack');
    const acked = (await (await fetch(`${t.url}/api/v1/alerts?status=firing`)).json()) as { alerts: { id: string; title: string; acknowledgedBy?: string }[] };
    expect(acked.alerts.find((a) => a.title === 'catalog p95 latency anomalous')).toMatchObject({ acknowledgedBy: 'ana' });
    const ackUrl = `${t.url}/api/v1/alerts/${acked.alerts[0]!.id}/ack`;
    expect((await fetch(ackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":""}' })).status).toBe(400);
    expect((await fetch(`${t.url}/api/v1/alerts/nope/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":"ana"}' })).status).toBe(404);
    await page.click('tr:has-text("checkout burning error budget") button:has-text("Silence")');
    // The matchers are prefilled from the alert's labels.
    await expect(page.locator('.matcher input').evaluateAll((els) => els.map((el) => (el as unknown as { value: string }).value))).resolves.toEqual(['slo', 'checkout-availability', 'service', 'frontend']);
    await page.fill('input[name=comment]', 'deploy of checkout v2 in progress');
    await page.fill('input[name=createdBy]', 'ana');
    await page.selectOption('select[name=duration]', String(2 * 3_600_000));
    const before = Date.now();
    await page.click('button:has-text("Create silence")');
    await page.waitForSelector('table.silence-list tbody tr');
    await page.screenshot({ path: join(artifacts, 'view-alerts.png'), fullPage: true });

    const { silences } = (await (await fetch(`${t.url}/api/v1/silences`)).json()) as { silences: { id: string; matchers: Record<string, string>; comment: string; createdBy: string; endsAt: number }[] };
    expect(silences).toEqual([expect.objectContaining({ matchers: { slo: 'checkout-availability', service: 'frontend' }, comment: 'deploy of checkout v2 in progress', createdBy: 'ana' })]);
    expect(silences[0]!.endsAt).toBeGreaterThanOrEqual(before + 2 * 3_600_000 - 1_000);
    expect(silences[0]!.endsAt).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    await expect(page.locator('table.silence-list tbody tr').innerText()).resolves.toContain('deploy of checkout v2 in progress');

    await page.click(`[data-silence-id="${silences[0]!.id}"] button:has-text("Expire")`);
    await page.waitForSelector('text=No active silences.');
    const after = (await (await fetch(`${t.url}/api/v1/silences`)).json()) as { silences: unknown[] };
    expect(after.silences).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('anomalies: a timeline per series with the anomalous points marked and their scores', async () => {
    // Mark the last three minutes of one derived series as anomalous, the way AnomalyWatch stores it.
    const [series] = await t.app.db.query<{ name: string; service: string; labels: Record<string, string> }>(
      `select name, service, labels from metric_points where name = 'sightline.request.rate'
       group by name, service, labels order by count(*) desc, service limit 1`,
    );
    const labels = { ...series!.labels, service: series!.service };
    const points = await t.app.db.query<{ time_ms: number }>(
      `select time_ms from metric_points where name = $1 and service = $2 and labels = $3::jsonb order by time_ms desc limit 3`,
      [series!.name, series!.service, JSON.stringify(series!.labels)],
    );
    const marked = points.map((p) => Number(p.time_ms)).sort((a, b) => a - b);
    await upsertAnomaly(t.app.db, {
      seriesKey: seriesKey(series!.name, labels), detector: 'zscore', startsAt: marked[0]!, endsAt: marked[2]!, score: 0.91, severity: 'error',
      value: 9, expected: 1, lower: 0, upper: 2, reason: 'value 9 is 6.1 standard deviations from the mean 1', labels,
    });

    await open('/anomalies?since=1h');
    await page.waitForSelector('[data-ready="anomalies"] svg.timeline');
    await expect(page.locator('.timeline-card h2').allTextContents()).resolves.toEqual([expect.stringContaining(`sightline.request.rate ${series!.service}`)]);
    const scores = await page.locator('svg.timeline circle.anomalous').evaluateAll((els) => els.map((el) => el.getAttribute('data-score')));
    expect(scores).toEqual(['0.91', '0.91', '0.91']);
    await expect(page.locator('.timeline-card li').innerText()).resolves.toContain('6.1 standard deviations');
    await page.screenshot({ path: join(artifacts, 'view-anomalies.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);

    // An anomaly alert's link narrows the page to its series.
    const other = { ...labels, service: 'elsewhere' };
    await upsertAnomaly(t.app.db, { seriesKey: seriesKey(series!.name, other), detector: 'zscore', startsAt: marked[0]!, endsAt: marked[2]!, score: 0.8, severity: 'warning', value: 5, expected: 1, lower: 0, upper: 2, reason: 'other series', labels: other });
    const both = (await (await fetch(`${t.url}/api/v1/views/anomalies?since=1h`)).json()) as { series: { seriesKey: string }[] };
    expect(both.series).toHaveLength(2);
    const one = (await (await fetch(`${t.url}/api/v1/views/anomalies?since=1h&series=${encodeURIComponent(seriesKey(series!.name, labels))}`)).json()) as { series: { seriesKey: string }[] };
    expect(one.series.map((s) => s.seriesKey)).toEqual([seriesKey(series!.name, labels)]);
    await page.goto(`${t.url}/anomalies?${new URLSearchParams({ since: '1h', series: seriesKey(series!.name, labels) }).toString()}`);
    await page.waitForSelector('[data-ready="anomalies"] svg.timeline');
    await expect(page.locator('.timeline-card').count()).resolves.toBe(1);
    await expect(page.locator('a', { hasText: 'all series' }).getAttribute('href')).resolves.toBe('/anomalies?since=1h');

    const bad = await fetch(`${t.url}/api/v1/views/anomalies?limit=0`);
    expect(bad.status).toBe(400);
  });

  it('SLOs: a list with attainment and budget, and one SLO with its budget, burn-rate chart with thresholds and alert history', async () => {
    const put = await fetch(`${t.url}/api/v1/slos/frontend-availability`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'frontend', objective: 0.99, sli: { kind: 'availability' } }),
    });
    expect(put.status).toBe(201);
    // 30 minutes of 100 events a minute, the last 10 at 20% bad: burns 20x, which pages.
    const now = Date.now();
    for (let m = 30; m > 0; m--) {
      await fetch(`${t.url}/api/v1/slos/frontend-availability/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ good: m <= 10 ? 80 : 100, total: 100, time: now - m * 60_000 }) });
    }
    await t.app.slos.evaluate();

    await open('/slos');
    await page.waitForSelector('[data-ready="slos"]');
    const row = await page.locator('table.slos tbody tr', { hasText: 'frontend-availability' }).innerText();
    const api = (await (await fetch(`${t.url}/api/v1/slos/frontend-availability`)).json()) as { status: { attainment: number; budget: { remainingFraction: number } }; overspend: { overspentEvents: number } };
    expect(row).toContain(`${(api.status.attainment * 100).toFixed(2)}%`);
    // 200 bad of 3,000 events with 30 allowed (1%): overspent by 170, said in events, not as -566.67%.
    expect(row).toContain(`overspent by ${Math.ceil(api.overspend.overspentEvents)}`);
    expect(row).toContain('frontend-availability page');

    await page.click('a[href="/slos/frontend-availability"]');
    await page.waitForSelector('[data-ready="slo"] svg.burn-chart');
    await expect(page.locator('.figures .budget').innerText()).resolves.toBe('overspent');
    await expect(page.locator('.figures .exhaustion').innerText()).resolves.toBe('spent');
    // One dashed line per alert condition, one series per window.
    await expect(page.locator('svg.burn-chart .threshold').allTextContents()).resolves.toEqual(['page 1h/5m 14.4x', 'page 6h/30m 6x', 'ticket 1d/2h 3x', 'ticket 3d/6h 1x']);
    await expect(page.locator('svg.burn-chart path.series').evaluateAll((els) => els.map((el) => el.getAttribute('data-window')))).resolves.toEqual(['5m', '1h', '30m', '6h', '2h', '1d', '3d']);
    await expect(page.locator('ul.alert-history li').first().innerText()).resolves.toContain('frontend-availability: error budget burning');
    await page.screenshot({ path: join(artifacts, 'view-slo.png'), fullPage: true });

    await page.goto(`${t.url}/`);
    await page.waitForSelector('[data-ready="overview"]');
    await expect(page.locator('table.services tr', { hasText: 'frontend' }).locator('.slo-badges').innerText()).resolves.toContain('frontend-availability page');
    expect(consoleErrors).toEqual([]);
  });

  it('service map: boxes for the services and an arrow per caller → callee with rate, errors and p95', async () => {
    const api = (await (await fetch(`${t.url}/api/v1/service-map?since=1h`)).json()) as { edges: { from: string; to: string; calls: number; errorRatio: number }[]; nodes: { service: string }[] };
    // The checkout trace: frontend calls cart (ok) and catalog (which fails); fillers stay in one service.
    expect(api.edges).toEqual([
      expect.objectContaining({ from: 'frontend', to: 'cart', calls: 1, errorRatio: 0 }),
      expect.objectContaining({ from: 'frontend', to: 'catalog', calls: 1, errorRatio: 1 }),
    ]);
    await open('/map');
    await page.waitForSelector('[data-ready="map"] svg.service-map');
    await expect(page.locator('svg.service-map g.node').evaluateAll((els) => els.map((el) => el.getAttribute('data-service')))).resolves.toEqual(api.nodes.map((n) => n.service));
    await expect(page.locator('svg.service-map g.edge').evaluateAll((els) => els.map((el) => [el.getAttribute('data-edge'), el.getAttribute('class')]))).resolves.toEqual([['frontend>cart', 'edge '], ['frontend>catalog', 'edge bad']]);
    await expect(page.locator('table.edges tbody tr').count()).resolves.toBe(2);
    await page.screenshot({ path: join(artifacts, 'view-service-map.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('incidents: related alerts grouped (here across services by their shared error trace), a timeline with the first error logs, and a Markdown export', async () => {
    const api = (await (await fetch(`${t.url}/api/v1/incidents?since=24h`)).json()) as { incidents: { id: string; service: string; services: string[]; alertCount: number }[] };
    // The frontend SLO alert and the catalog anomaly alert share the failed checkout trace: one incident.
    const checkout = api.incidents.find((i) => i.services.includes('catalog'))!;
    expect(checkout).toMatchObject({ service: 'frontend', services: ['frontend', 'catalog'] });
    expect(checkout.alertCount).toBeGreaterThanOrEqual(2);
    await open('/incidents');
    await page.waitForSelector('[data-ready="incidents"]');
    await expect(page.locator('table.incidents tbody tr').count()).resolves.toBe(api.incidents.length);
    await page.click(`a[href="/incidents/${checkout.id}"]`);
    await page.waitForSelector('[data-ready="incident"] .timeline-list');
    const timeline = await page.locator('.timeline-list li').allInnerTexts();
    expect(timeline.some((line) => line.includes('alert-fired') && line.includes('catalog p95 latency anomalous'))).toBe(true);
    expect(timeline.some((line) => line.includes('error-log') && line.includes('catalog: items query timed out'))).toBe(true);
    await page.screenshot({ path: join(artifacts, 'view-incident.png'), fullPage: true });
    const markdown = await (await fetch(`${t.url}/api/v1/incidents/${checkout.id}/markdown`)).text();
    expect(markdown).toMatch(/^# Incident [0-9a-f]{12}: frontend \(\+catalog\): checkout burning error budget \(\+\d+ related\)/);
    expect(markdown).toContain('error-log: catalog: items query timed out');
    expect((await fetch(`${t.url}/api/v1/incidents/nope`)).status).toBe(404);
    expect(consoleErrors).toEqual([]);
  });

  it('chaos: runs with their verdicts, and one run\'s journal', async () => {
    const started = await fetch(`${t.url}/api/v1/chaos/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'the API stays up',
        steadyStateHypothesis: { title: 'healthz answers', probes: [{ type: 'probe', name: 'healthz', provider: { type: 'http', url: `${t.url}/healthz`, calls: 2 } }] },
        method: [{ type: 'probe', name: 'readyz', provider: { type: 'http', url: `${t.url}/readyz`, calls: 1 } }],
      }),
    });
    const { id } = (await started.json()) as { id: string };
    await t.app.chaos.settled(id);
    await open('/chaos');
    await page.waitForSelector('[data-ready="chaos"]');
    await expect(page.locator('table.chaos-runs tbody tr').first().innerText()).resolves.toContain('completed');
    await page.click(`a[href="/chaos/${id}"]`);
    await page.waitForSelector('[data-ready="chaos-run"] ol.activities li');
    await expect(page.locator('.after').innerText()).resolves.toBe('met');
    await expect(page.locator('ol.activities li').allInnerTexts()).resolves.toEqual(['probe readyz: succeeded']);
    await page.screenshot({ path: join(artifacts, 'view-chaos.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('costs: a FOCUS upload from the page, then breakdown, chargeback, anomalies and recommendations as the API has them', async () => {
    const lines = [...generateFocusBill({ rows: 14_000, days: 35, seed: 7, spike: { day: 31, serviceName: 'Amazon EC2', regionId: 'us-east-1', factor: 4 } })].join('').trimEnd().split('\n');
    lines[5] = `abc${lines[5]!.slice(lines[5]!.indexOf(','))}`; // line 6: BilledCost is not a number
    const file = join(mkdtempSync(join(tmpdir(), 'sightline-bill-')), 'bill.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await open('/costs');
    await page.waitForSelector('[data-ready="costs"]');
    await page.setInputFiles('input[name="bill"]', file);
    await page.click('button:has-text("Upload")');
    await expect(page.locator('[data-ready="upload"]').innerText()).resolves.toContain(`read ${lines.length - 1}, accepted ${lines.length - 2}, rejected 1`);
    await expect(page.locator('[data-ready="upload"] li').innerText()).resolves.toMatch(/^row 6: BilledCost: /);

    await page.waitForSelector('table.cost-breakdown tbody tr');
    const api = (await (await fetch(`${t.url}/api/v1/costs/breakdown?by=ServiceName&granularity=day&top=8`)).json()) as { rows: { group: { ServiceName: string }; cost: number }[]; total: number };
    const byService = new Map<string, number>();
    for (const row of api.rows) byService.set(row.group.ServiceName, (byService.get(row.group.ServiceName) ?? 0) + row.cost);
    const costliest = [...byService.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const firstRow = (await page.locator('table.cost-breakdown tbody tr').first().innerText()).split('\t');
    expect(firstRow.slice(0, 2)).toEqual([costliest[0], formatMoney(costliest[1])]);
    await expect(page.locator('.cost-total').innerText()).resolves.toBe(`total ${formatMoney(api.total, 'USD')}`);

    const charge = (await (await fetch(`${t.url}/api/v1/costs/chargeback`)).json()) as { teams: { team: string; total: number }[] };
    await page.waitForSelector('[data-ready="chargeback"]');
    const chargeRows = await page.locator('table.chargeback tbody tr').allInnerTexts();
    expect(chargeRows.map((r) => r.split('\t')[0])).toEqual(charge.teams.map((team) => team.team));
    expect(chargeRows[0]).toContain(formatMoney(charge.teams[0]!.total));

    await page.waitForSelector('ul.cost-anomalies li');
    await expect(page.locator('ul.cost-anomalies li').first().innerText()).resolves.toMatch(/^Amazon EC2 on 2026-02-01: [\s\S]*root causes: RegionId=us-east-1/);
    await page.waitForSelector('table.recommendations tbody tr');
    await page.click('nav[aria-label="group by"] a:has-text("by team")');
    await page.locator('table.cost-breakdown thead th').first().filter({ hasText: /^team$/ }).waitFor();
    await page.screenshot({ path: join(artifacts, 'view-costs.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('shows API errors as the API said them: code, message and each bad field', async () => {
    const onlyFailedRequests = () => consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of 40[04]/.test(m));
    await open('/logs?traceId=nothex&limit=0');
    const banner = page.locator('[role=alert]');
    await banner.waitFor();
    const text = await banner.innerText();
    expect(text).toContain('QUERY_INVALID');
    expect(text).toContain('traceId');
    expect(text).toContain('limit');
    await page.goto(`${t.url}/traces/${'0'.repeat(32)}`);
    await page.waitForSelector('text=TRACE_NOT_FOUND');

    await page.goto(`${t.url}/alerts`);
    await page.click('button:has-text("New silence")');
    await page.click('button:has-text("Create silence")');
    const form = await page.locator('form[aria-label="new silence"] [role=alert]').innerText();
    expect(form).toContain('SILENCE_INVALID');
    for (const field of ['matchers', 'comment', 'createdBy']) expect(form).toContain(field);
    await page.screenshot({ path: join(artifacts, 'view-errors.png'), fullPage: true });
    expect(consoleErrors.length).toBeGreaterThan(0); // the browser reports each 4xx answer
    expect(onlyFailedRequests()).toEqual([]);
  });

  it('the overview endpoint pages services by name and rejects bad parameters', async () => {
    const page1 = (await (await fetch(`${t.url}/api/v1/views/overview?since=1h&limit=2`)).json()) as { services: { service: string }[]; nextAfter: string | null };
    expect(page1.services.map((s) => s.service)).toEqual(['cart', 'catalog']);
    expect(page1.nextAfter).toBe('catalog');
    const page3 = (await (await fetch(`${t.url}/api/v1/views/overview?since=1h&limit=2&after=frontend`)).json()) as { services: { service: string }[]; nextAfter: string | null };
    expect(page3.services.map((s) => s.service)).toEqual(['payments', 'search']);
    const bad = await fetch(`${t.url}/api/v1/views/overview?limit=0&color=red`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; issues: { path: string[] }[] } };
    expect(body.error.code).toBe('QUERY_INVALID');
    expect(body.error.issues.map((i) => i.path[0]).sort()).toEqual(['color', 'limit']);
  });

  it('the silences endpoint pages newest first through its nextBefore cursor and rejects a bad cursor', async () => {
    const created: string[] = [];
    for (const n of [1, 2, 3]) {
      const response = await fetch(`${t.url}/api/v1/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: { n: String(n) }, comment: `page test ${n}`, createdBy: 'test', endsAt: Date.now() + 60_000 }) });
      created.push(((await response.json()) as { id: string }).id);
    }
    type SilencePage = { silences: { id: string; comment: string }[]; nextBefore: string | null };
    const first = (await (await fetch(`${t.url}/api/v1/views/silences?limit=2`)).json()) as SilencePage;
    expect(first.silences).toHaveLength(2);
    expect(first.nextBefore).not.toBeNull();
    const second = (await (await fetch(`${t.url}/api/v1/views/silences?limit=2&before=${encodeURIComponent(first.nextBefore!)}`)).json()) as SilencePage;
    expect(second.nextBefore).toBeNull();
    expect([...first.silences, ...second.silences].map((s) => s.id).sort()).toEqual([...created].sort());
    const bad = await fetch(`${t.url}/api/v1/views/silences?before=yesterday`);
    expect(bad.status).toBe(400);
    await expect(bad.json()).resolves.toEqual({ error: expect.objectContaining({ code: 'QUERY_INVALID', issues: [expect.objectContaining({ path: ['before'] })] }) });
  });
});
