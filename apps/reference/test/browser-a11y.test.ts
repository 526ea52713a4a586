// Accessibility of every view of the web page: axe-core (the engine behind Lighthouse's audit)
// runs in real headless Chromium on each view with seeded data, and no view may have a serious or
// critical violation (contrast, names, ARIA structure, ...). One browser, one app for the file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAlert } from '@sightline/core';
import { generateFocusBill } from '@sightline/finops';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { CHECKOUT_TRACE_ID, checkoutTrace, fillerTraces, logsBody, postOtlp, tracesBody, type SeedLog } from './browser-seed.js';
import { useTestApp } from './test-app.js';
import { seriesKey } from '../src/signals/anomaly-watch.js';
import { upsertAnomaly } from '../src/storage/anomaly-store.js';

const AXE_SCRIPT = join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js');
const BLOCKING = new Set(['serious', 'critical']);

/** What axe reports per violated rule (the subset printed on failure). */
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

const json = { 'content-type': 'application/json' };

describe('web page accessibility (axe-core)', () => {
  const t = useTestApp({ config: { costs: { anomalyMinImpact: 10_000_000, anomalyMinRelativeImpact: 0.15 } } });
  let browser: Browser;
  let context: BrowserContext;
  let chaosRunId = '';
  let incidentId = '';

  beforeAll(async () => {
    const launching = launchChromium();
    const now = Date.now();
    const fillers = fillerTraces(30, 3, now - 50 * 60_000, now - 3 * 60_000);
    await postOtlp(t.url, '/v1/traces', tracesBody(fillers));
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(now - 90_000) }]));
    void t.app.requestSeries.flush();
    await t.app.requestSeries.settled();

    // Every severity the logs view colours, errors included.
    const levels = [[5, 'DEBUG'], [9, 'INFO'], [13, 'WARN'], [17, 'ERROR'], [21, 'FATAL']] as const;
    const logs: SeedLog[] = Array.from({ length: 20 }, (_, i) => ({ service: i % 2 === 0 ? 'cart' : 'search', timeMs: now - 40 * 60_000 + i * 60_000, severity: levels[i % 5]![0], severityText: levels[i % 5]![1], body: `request served #${i}` }));
    logs.push({ service: 'catalog', timeMs: now - 80_000, severity: 17, severityText: 'ERROR', body: 'items query timed out', traceId: CHECKOUT_TRACE_ID });
    await postOtlp(t.url, '/v1/logs', logsBody(logs));

    // Alerts of every severity, one acknowledged, one resolved; and a silence.
    await t.app.alerts.submit(createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning error budget', labels: { slo: 'checkout-availability', service: 'frontend' }, startsAt: now - 120_000 }));
    await t.app.alerts.submit(createAlert({ source: 'anomaly', severity: 'warning', title: 'catalog p95 latency anomalous', labels: { series: 'catalog/GET /items', service: 'catalog' }, startsAt: now - 60_000 }));
    await t.app.alerts.submit(createAlert({ source: 'anomaly', severity: 'info', title: 'search rate unusual', labels: { series: 'search/GET', service: 'search' }, startsAt: now - 30_000 }));
    const cart = { source: 'slo', severity: 'critical', title: 'cart latency budget', labels: { slo: 'cart-latency', service: 'cart' }, startsAt: now - 20 * 60_000 } as const;
    await t.app.alerts.submit(createAlert(cart));
    await t.app.alerts.submit(createAlert({ ...cart, endsAt: now - 5 * 60_000 }));
    const firing = (await (await fetch(`${t.url}/api/v1/alerts?status=firing`)).json()) as { alerts: { id: string; severity: string }[] };
    const warning = firing.alerts.find((a) => a.severity === 'warning')!;
    expect((await fetch(`${t.url}/api/v1/alerts/${warning.id}/ack`, { method: 'POST', headers: json, body: '{"by":"ana"}' })).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/silences`, { method: 'POST', headers: json, body: JSON.stringify({ matchers: { service: 'search' }, comment: 'search reindex', createdBy: 'ana', endsAt: now + 3_600_000 }) })).status).toBe(201);

    // An SLO that pages (30 minutes of 100 events, the last 10 at 20% bad).
    expect((await fetch(`${t.url}/api/v1/slos/frontend-availability`, { method: 'PUT', headers: json, body: JSON.stringify({ service: 'frontend', objective: 0.99, sli: { kind: 'availability' } }) })).status).toBe(201);
    for (let m = 30; m > 0; m--) await fetch(`${t.url}/api/v1/slos/frontend-availability/events`, { method: 'POST', headers: json, body: JSON.stringify({ good: m <= 10 ? 80 : 100, total: 100, time: now - m * 60_000 }) });
    await t.app.slos.evaluate();

    // The last three minutes of one derived series marked anomalous.
    const [series] = await t.app.db.query<{ name: string; service: string; labels: Record<string, string> }>(
      `select name, service, labels from metric_points where name = 'sightline.request.rate' group by name, service, labels order by count(*) desc, service limit 1`,
    );
    const labels = { ...series!.labels, service: series!.service };
    const points = await t.app.db.query<{ time_ms: number }>(`select time_ms from metric_points where name = $1 and service = $2 and labels = $3::jsonb order by time_ms desc limit 3`, [series!.name, series!.service, JSON.stringify(series!.labels)]);
    const marked = points.map((p) => Number(p.time_ms)).sort((a, b) => a - b);
    await upsertAnomaly(t.app.db, { seriesKey: seriesKey(series!.name, labels), detector: 'zscore', startsAt: marked[0]!, endsAt: marked.at(-1)!, score: 0.91, severity: 'error', value: 9, expected: 1, lower: 0, upper: 2, reason: 'value 9 is 6.1 standard deviations from the mean 1', labels });

    // A FOCUS bill with a spike (anomalies, recommendations, chargeback).
    const bill = [...generateFocusBill({ rows: 2_000, days: 35, seed: 7, spike: { day: 31, serviceName: 'Amazon EC2', regionId: 'us-east-1', factor: 4 } })].join('');
    const upload = await fetch(`${t.url}/api/v1/costs/imports?filename=bill.csv`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: bill });
    expect(upload.status).toBeLessThan(300);

    // A chaos run with its journal.
    const started = await fetch(`${t.url}/api/v1/chaos/runs`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        title: 'the API stays up',
        steadyStateHypothesis: { title: 'healthz answers', probes: [{ type: 'probe', name: 'healthz', provider: { type: 'http', url: `${t.url}/healthz`, calls: 1 } }] },
        method: [{ type: 'probe', name: 'readyz', provider: { type: 'http', url: `${t.url}/readyz`, calls: 1 } }],
      }),
    });
    chaosRunId = ((await started.json()) as { id: string }).id;
    await t.app.chaos.settled(chaosRunId);

    const incidents = (await (await fetch(`${t.url}/api/v1/incidents?since=24h`)).json()) as { incidents: { id: string }[] };
    incidentId = incidents.incidents[0]!.id;
    browser = await launching;
    // The page's CSP would block the injected axe script: this context bypasses it (the CSP itself
    // is tested in security-headers). Tall viewport: axe measures contrast only where elements are painted.
    context = await browser.newContext({ viewport: { width: 1280, height: 2400 }, bypassCSP: true });
    await context.addInitScript({ path: AXE_SCRIPT });
    startAudits();
  });

  afterAll(async () => {
    await browser.close();
  });

  /**
   * Opens `path`, waits for `ready`, optionally acts on the page, then runs axe (loaded into every
   * page of the context) on the whole document and returns its serious and critical violations.
   */
  const audit = async (path: string, ready: string, act?: (page: Page) => Promise<unknown>): Promise<AxeViolation[]> => {
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}${path}`);
      await page.waitForSelector(ready);
      // Sections that load on their own (histograms, lists beside the main one) are in before the audit.
      await page.waitForLoadState('networkidle');
      await act?.(page);
      const result = await page.evaluate(() => (globalThis as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe.run({ resultTypes: ['violations'] }));
      return result.violations.filter((v) => BLOCKING.has(v.impact ?? ''));
    } finally {
      await page.close();
    }
  };

  /** The violations as readable lines (rule, impact, what to do, up to five offending elements): the failure message. */
  const describeViolations = (violations: AxeViolation[]): string[] =>
    violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.length} node(s): ${v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} (${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()})`).join('; ')}`);

  /** Each view: its name, its path (some ids are known only after seeding), what shows it is rendered, and what to do before the audit. */
  const VIEWS: { name: string; path: () => string; ready: string; act?: (page: Page) => Promise<unknown> }[] = [
    { name: 'overview', path: () => '/', ready: '[data-ready="overview"] table.services' },
    { name: 'traces', path: () => '/traces?since=1h', ready: '[data-ready="traces"] table.traces' },
    { name: 'a trace with a span opened', path: () => `/traces/${CHECKOUT_TRACE_ID}`, ready: '[data-ready="trace"]', act: (page) => page.click('[data-span-id="c100000000000006"] .wf-row').then(() => page.waitForSelector('.wf-details')) },
    { name: 'logs', path: () => '/logs?since=1h', ready: '[data-ready="logs"] table.logs' },
    { name: 'logs filtered to errors', path: () => '/logs?since=1h&level=error', ready: '[data-ready="logs"] table.logs' },
    { name: 'service map', path: () => '/map', ready: '[data-ready="map"] svg.service-map' },
    { name: 'SLOs', path: () => '/slos', ready: '[data-ready="slos"]' },
    { name: 'an SLO', path: () => '/slos/frontend-availability', ready: '[data-ready="slo"] svg.burn-chart' },
    { name: 'alerts (firing, acknowledged and resolved rows) and silences', path: () => '/alerts', ready: '[data-ready="alerts"] table.alerts tr.resolved', act: (page) => page.waitForSelector('[data-ready="silences"] tbody tr') },
    { name: 'the new-silence form', path: () => '/alerts', ready: '[data-ready="alerts"]', act: (page) => page.click('button:has-text("New silence")').then(() => page.waitForSelector('form[aria-label="new silence"]')) },
    { name: 'anomalies', path: () => '/anomalies?since=1h', ready: '[data-ready="anomalies"] svg.timeline' },
    { name: 'incidents', path: () => '/incidents', ready: '[data-ready="incidents"]' },
    { name: 'an incident', path: () => `/incidents/${incidentId}`, ready: '[data-ready="incident"] .timeline-list' },
    { name: 'costs', path: () => '/costs', ready: '[data-ready="costs"]', act: (page) => page.waitForSelector('[data-ready="recommendations"]').then(() => page.waitForSelector('[data-ready="chargeback"]')) },
    { name: 'chaos', path: () => '/chaos', ready: '[data-ready="chaos"]' },
    { name: 'a chaos run', path: () => `/chaos/${chaosRunId}`, ready: '[data-ready="chaos-run"]' },
    { name: 'not found', path: () => '/no-such-page', ready: 'h1:has-text("Not found")' },
  ];

  /** Each view's audit, started once the data is seeded; a failed audit is kept as its error. */
  type Outcome = { violations: AxeViolation[] } | { error: unknown };
  const outcomes = new Map<string, Promise<Outcome>>();
  // Three views at a time: their waits for the network to settle overlap instead of adding up.
  const AUDITS_AT_ONCE = 3;
  function startAudits(): void {
    const queue = [...VIEWS];
    const settle = new Map<string, (outcome: Outcome) => void>();
    for (const view of VIEWS) outcomes.set(view.name, new Promise<Outcome>((resolve) => settle.set(view.name, resolve)));
    const worker = async () => {
      for (let view = queue.shift(); view !== undefined; view = queue.shift()) {
        const done = settle.get(view.name)!;
        await audit(view.path(), view.ready, view.act).then((violations) => done({ violations }), (error: unknown) => done({ error }));
      }
    };
    for (let i = 0; i < AUDITS_AT_ONCE; i++) void worker();
  }

  it.each(VIEWS)('$name has no serious or critical violation', async ({ name }) => {
    const outcome = await outcomes.get(name)!;
    if ('error' in outcome) throw outcome.error;
    expect(describeViolations(outcome.violations)).toEqual([]);
  });

  it('has a skip link to the main content, marks the active navigation item, and focuses the content of a new page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${t.url}/logs`);
      await page.waitForSelector('[data-ready="logs"]');
      await page.keyboard.press('Tab');
      const skip = page.locator('a.skip-link');
      await expect(skip.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).resolves.toBe(true);
      await expect(skip.getAttribute('href')).resolves.toBe('#main');
      await expect(page.locator('main#main').count()).resolves.toBe(1);
      await expect(page.locator('nav[aria-label="main"] [aria-current="page"]').allInnerTexts()).resolves.toEqual(['Logs']);
      await page.keyboard.press('Enter');
      await expect(page.locator('main#main').evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).resolves.toBe(true);
      // In-app navigation moves the mark.
      await page.click('nav[aria-label="main"] a:has-text("Traces")');
      await page.waitForSelector('[data-ready="traces"]');
      await expect(page.locator('nav[aria-label="main"] [aria-current="page"]').allInnerTexts()).resolves.toEqual(['Traces']);
      // A new page starts keyboard and screen-reader users at its content, not on the link they left.
      await expect(page.locator('main#main').evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).resolves.toBe(true);
      // Within a section the section's link says so (aria-current=true), not that it is the page.
      await page.goto(`${t.url}/traces/${CHECKOUT_TRACE_ID}`);
      await page.waitForSelector('[data-ready="trace"]');
      await expect(page.locator('nav[aria-label="main"] [aria-current]').evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('aria-current')]))).resolves.toEqual([['Traces', 'true']]);
      // Tabs that filter a view mark the chosen one too, not only by colour.
      await page.goto(`${t.url}/alerts?status=firing`);
      await page.waitForSelector('[data-ready="alerts"]');
      await expect(page.locator('nav[aria-label="alert status"] [aria-current="true"]').allInnerTexts()).resolves.toEqual(['firing']);
    } finally {
      await page.close();
    }
  });
});
