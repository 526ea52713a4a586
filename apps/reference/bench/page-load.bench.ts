// Page load in headless Chromium with 10,000 spans in storage: for each view, the time from
// navigation until the view shows its data (median of several loads after one warm-up), against
// an in-process server on in-memory PGlite. Run after `pnpm build` (the page is served from dist/web):
//   pnpm exec tsx bench/page-load.bench.ts
import { median, percentile } from '@sightline/bench';
import { createAlert } from '@sightline/core';
import { launchChromium } from '../test/chromium.js';
import { createApp } from '../src/app.js';
import { CHECKOUT_TRACE_ID, checkoutTrace, fillerTraces, logsBody, postOtlp, tracesBody, type SeedLog } from '../test/browser-seed.js';

const SPANS = 10_000;
const SPANS_PER_TRACE = 10;
const LOGS = 5_000;
const ALERTS = 200;
const SILENCES = 60;
const SLOS = 50;
const LOADS = Number(process.env.BENCH_LOADS ?? 7);

const app = await createApp({ storage: {}, log: () => undefined });
const url = await app.listen(0);
try {
  const now = Date.now();
  const seedStarted = performance.now();
  const traces = fillerTraces((SPANS - 7) / SPANS_PER_TRACE, SPANS_PER_TRACE, now - 55 * 60_000, now - 2 * 60_000);
  traces.push({ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(now - 60_000) });
  for (let i = 0; i < traces.length; i += 50) await postOtlp(url, '/v1/traces', tracesBody(traces.slice(i, i + 50)));
  app.requestSeries.flush();
  await app.requestSeries.settled();
  const logs: SeedLog[] = Array.from({ length: LOGS }, (_, i) => ({
    service: ['cart', 'catalog', 'frontend', 'payments', 'search'][i % 5]!,
    timeMs: now - 55 * 60_000 + i * 600,
    severity: i % 20 === 0 ? 17 : 9,
    severityText: i % 20 === 0 ? 'ERROR' : 'INFO',
    body: `request ${i} served`,
    ...(i % 2 === 0 ? { traceId: traces[(i / 2) % traces.length]!.traceId } : {}),
  }));
  for (let i = 0; i < logs.length; i += 1_000) await postOtlp(url, '/v1/logs', logsBody(logs.slice(i, i + 1_000)));
  for (let i = 0; i < ALERTS; i++) {
    await app.alerts.submit(createAlert({ source: i % 2 === 0 ? 'slo' : 'anomaly', severity: i % 3 === 0 ? 'critical' : 'warning', title: `alert ${i}`, labels: { service: `svc-${i % 7}`, n: String(i) }, startsAt: now - i * 1_000 }));
  }
  for (let i = 0; i < SILENCES; i++) {
    await app.alerts.createSilence({ matchers: { n: String(i) }, comment: `silence ${i}`, createdBy: 'bench', startsAt: now - i, endsAt: now + 3_600_000 });
  }
  // 50 SLOs over the seeded services and their operations, evaluated from the spans as they came in.
  const services = ['cart', 'catalog', 'frontend', 'payments', 'search'];
  for (let i = 0; i < SLOS; i++) {
    await app.slos.put({ name: `slo-${i}`, service: services[i % 5], objective: [0.99, 0.995, 0.999][i % 3], sli: i % 2 === 0 ? { kind: 'availability' } : { kind: 'latency', thresholdMs: 50 + i } });
  }
  app.slos.observe((await app.db.query('select * from spans')) as Parameters<typeof app.slos.observe>[0]);
  await app.slos.evaluate();
  const counts = (await app.db.query<{ spans: number; logs: number }>('select (select count(*)::int from spans) as spans, (select count(*)::int from logs) as logs'))[0]!;
  console.log(`seeded ${counts.spans} spans in ${traces.length} traces, ${counts.logs} logs, ${ALERTS} alerts, ${SILENCES} silences, ${SLOS} SLOs in ${((performance.now() - seedStarted) / 1_000).toFixed(1)} s\n`);

  const views = [
    { name: 'Overview', path: '/', ready: '[data-ready="overview"] table.services tbody tr', calls: 'views/overview (50 services/page), alerts?status=firing&limit=20, anomalies?limit=10, logs?level=error&limit=10, slos' },
    { name: 'SLOs', path: '/slos', ready: '[data-ready="slos"] tbody tr', calls: 'slos (50 SLOs with live status)' },
    { name: 'One SLO', path: '/slos/slo-0', ready: '[data-ready="slo"] svg.burn-chart', calls: 'slos/:name (status, report, gate, alert history), slos/:name/burn?since=6h&step=5m' },
    { name: 'Traces', path: '/traces', ready: '[data-ready="traces"] table.traces tbody tr', calls: 'traces?since=1h&limit=50, services' },
    { name: 'Trace waterfall', path: `/traces/${CHECKOUT_TRACE_ID}`, ready: '[data-ready="trace"] .wf-span', calls: 'traces/:id' },
    { name: 'Logs', path: '/logs', ready: '[data-ready="logs"] table.logs tbody tr', calls: 'logs?since=1h&limit=100' },
    { name: 'Alerts', path: '/alerts', ready: 'table.silence-list tbody tr >> nth=0', calls: 'alerts?limit=50, views/silences?limit=20' },
  ];
  const browser = await launchChromium();
  const rows: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const view of views) {
      const times: number[] = [];
      for (let i = 0; i <= LOADS; i++) {
        await page.goto('about:blank');
        const started = performance.now();
        await page.goto(`${url}${view.path}`);
        await page.waitForSelector(`${view.ready}`, { state: 'attached' });
        if (view.name === 'Alerts') await page.waitForSelector('[data-ready="alerts"] table.alerts tbody tr');
        if (i > 0) times.push(performance.now() - started); // load 0 warms the server and the browser cache
      }
      rows.push(`| ${view.name} | \`${view.path.length > 20 ? `${view.path.slice(0, 16)}…` : view.path}\` | ${median(times).toFixed(0)} | ${percentile(times, 90).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${view.calls} |`);
    }
  } finally {
    await browser.close();
  }
  console.log(`Page load until the view shows its data, ${LOADS} loads each (ms), ${SPANS} spans / ${LOGS} logs / ${ALERTS} alerts / ${SLOS} SLOs in storage:\n`);
  console.log('| view | path | median | p90 | max | API calls |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const row of rows) console.log(row);
} finally {
  await app.close();
}
