// Honest numbers: the overview and the service list count requests by their entry spans (a
// failed request with successful inner spans is one failure in one request); the trace list hides
// the app's own traces unless asked; the trace duration and log volume histograms cover the
// whole search, not one page. Time is a ManualClock; data goes in over OTLP/HTTP JSON.
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { logsBody, postOtlp, tracesBody, type SeedLog } from './browser-seed.js';
import { useTestApp } from './test-app.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const KIND = { internal: 1, server: 2, client: 3, consumer: 5 } as const;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

interface ServiceRow {
  service: string;
  spans: number;
  requests: number;
  errors: number;
  rate: number;
  errorRatio: number;
  p95_ms: number;
}

describe('requests, self-telemetry and histograms', () => {
  const clock = new ManualClock(T0);
  const t = useTestApp({ clock });
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${t.url}${path}`);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };

  it('counts a request once by its entry span: one failed server span with 4 successful children is 1 failure in 1 request', async () => {
    // checkout: 6 requests 10 min ago, each a SERVER span with 2 INTERNAL and 2 CLIENT children
    // (30 spans); request 0 fails (status error), request 1 answers 503 without error status.
    const traces = Array.from({ length: 6 }, (_, i) => {
      const start = T0 - 10 * 60_000 + i * 1_000;
      const root = hex(i * 16 + 1, 16);
      const children = [KIND.internal, KIND.internal, KIND.client, KIND.client].map((kind, j) => ({
        service: 'checkout', spanId: hex(i * 16 + 2 + j, 16), parentSpanId: root, name: `step ${j}`, kind, startMs: start + 1 + j, durationMs: 2,
      }));
      return {
        traceId: hex(0x100 + i, 32),
        spans: [
          { service: 'checkout', spanId: root, name: 'POST /checkout', kind: KIND.server, startMs: start, durationMs: 10 * (i + 1), failed: i === 0, attributes: { 'http.route': '/checkout', 'http.response.status_code': i === 1 ? 503 : 200 } },
          ...children,
        ],
      };
    });
    // nightly: a batch job with no SERVER/CONSUMER spans: 3 INTERNAL roots (one failed), each with a child.
    const batch = Array.from({ length: 3 }, (_, i) => ({
      traceId: hex(0x200 + i, 32),
      spans: [
        { service: 'nightly', spanId: hex(0x200 + i * 2, 16), name: 'reindex', kind: KIND.internal, startMs: T0 - 9 * 60_000 + i, durationMs: 40, failed: i === 2 },
        { service: 'nightly', spanId: hex(0x201 + i * 2, 16), parentSpanId: hex(0x200 + i * 2, 16), name: 'write', kind: KIND.client, startMs: T0 - 9 * 60_000 + i + 1, durationMs: 5 },
      ],
    }));
    await postOtlp(t.url, '/v1/traces', tracesBody([...traces, ...batch]));

    const { services } = await get<{ services: ServiceRow[] }>('/api/v1/views/overview?since=1h');
    const checkout = services.find((s) => s.service === 'checkout');
    // 2 failed of 6 requests (error status, and a 503); counting spans would have said 2 of 30.
    expect(checkout).toMatchObject({ spans: 30, requests: 6, errors: 2 });
    expect(checkout?.errorRatio).toBeCloseTo(2 / 6, 10);
    expect(checkout?.rate).toBeCloseTo(6 / 3_600, 10);
    // p95 of the 6 request durations 10..60 ms (linear interpolation: 50 + 0.75 * 10), not of the
    // 2 ms children, read from the per-minute duration buckets: within 1 %.
    expect(Math.abs(checkout!.p95_ms - 57.5) / 57.5).toBeLessThanOrEqual(0.01);
    const nightly = services.find((s) => s.service === 'nightly');
    expect(nightly).toMatchObject({ spans: 6, requests: 3, errors: 1 });
    expect(Math.abs(nightly!.p95_ms - 40) / 40).toBeLessThanOrEqual(0.01);
    expect(nightly?.errorRatio).toBeCloseTo(1 / 3, 10);

    const list = await get<{ services: ServiceRow[] }>('/api/v1/services?since=1h');
    expect(list.services.find((s) => s.service === 'checkout')).toMatchObject({ spans: 30, requests: 6, errors: 2 });
    expect(list.services.find((s) => s.service === 'nightly')).toMatchObject({ spans: 6, requests: 3, errors: 1 });

    // The service map's nodes say the same.
    const map = await get<{ nodes: { service: string; spans: number; requests: number; errorRatio: number }[] }>('/api/v1/service-map?since=1h');
    expect(map.nodes.find((n) => n.service === 'checkout')).toMatchObject({ spans: 30, requests: 6 });
    expect(map.nodes.find((n) => n.service === 'checkout')?.errorRatio).toBeCloseTo(2 / 6, 10);
    expect(map.nodes.find((n) => n.service === 'nightly')?.errorRatio).toBeCloseTo(1 / 3, 10);
  });

  it('feeds the derived per-minute series (the overview sparklines) with the same requests, root spans of a service without entry spans included', async () => {
    void t.app.requestSeries.flush();
    await t.app.requestSeries.settled();
    const series = async (name: string, service: string) =>
      (await get<{ points: { time_ms: number; value: number; labels: Record<string, string> }[] }>(`/api/v1/metrics/series?name=${name}&service=${service}&since=1h`)).points;
    const minute = Math.floor((T0 - 10 * 60_000) / 60_000) * 60_000;
    expect(await series('sightline.request.rate', 'checkout')).toEqual([{ time_ms: minute, value: 6 / 60, labels: { operation: '/checkout' } }]);
    expect((await series('sightline.request.error_ratio', 'checkout'))[0]?.value).toBeCloseTo(2 / 6, 10);
    expect(await series('sightline.request.rate', 'nightly')).toEqual([{ time_ms: minute + 60_000, value: 3 / 60, labels: { operation: 'reindex' } }]);
    expect((await series('sightline.request.error_ratio', 'nightly'))[0]?.value).toBeCloseTo(1 / 3, 10);
  });

  it("hides traces made only of the app's own spans unless includeSelf=true or the search names that service", async () => {
    const at = T0 - 5 * 60_000;
    await postOtlp(t.url, '/v1/traces', tracesBody([
      // The page polling the API: a sightline-only trace.
      { traceId: hex(0x300, 32), spans: [{ service: 'sightline', spanId: hex(0x300, 16), name: 'GET /api/v1/views/overview', kind: KIND.server, startMs: at, durationMs: 3 }] },
      // A user's script calling the API with its traceparent: the trace has a span of another service, so it stays.
      {
        traceId: hex(0x301, 32),
        spans: [
          { service: 'ops-script', spanId: hex(0x301, 16), name: 'report', kind: KIND.client, startMs: at + 10, durationMs: 20 },
          { service: 'sightline', spanId: hex(0x302, 16), parentSpanId: hex(0x301, 16), name: 'GET /api/v1/alerts', kind: KIND.server, startMs: at + 12, durationMs: 5 },
        ],
      },
    ]));
    const ids = async (query: string) => (await get<{ traces: { trace_id: string }[] }>(`/api/v1/traces?since=1h&limit=1000${query}`)).traces.map((tr) => tr.trace_id);
    const hidden = await ids('');
    expect(hidden).not.toContain(hex(0x300, 32));
    expect(hidden).toContain(hex(0x301, 32));
    expect(hidden).toHaveLength(6 + 3 + 1);
    const all = await ids('&includeSelf=true');
    expect(all).toContain(hex(0x300, 32));
    expect(all).toHaveLength(6 + 3 + 2);
    expect(await ids('&service=sightline')).toEqual([hex(0x301, 32), hex(0x300, 32)]);
    // The histogram follows the same filter.
    expect((await get<{ total: number }>('/api/v1/traces/histogram?since=1h')).total).toBe(10);
    expect((await get<{ total: number }>('/api/v1/traces/histogram?since=1h&includeSelf=true')).total).toBe(11);
  });

  it('counts the durations of every matching trace in log-scaled buckets, 4 per tenfold, independent of the page', async () => {
    // Traces of checkout: 10..60 ms (first span start to last span end), 0 and 1 failed.
    const histogram = await get<{ total: number; buckets: { fromMs: number; toMs: number; count: number; errors: number }[] }>('/api/v1/traces/histogram?service=checkout&since=1h');
    // 10 → bucket [10, 17.78); 20 → [17.78, 31.62); 30 → [17.78, 31.62); 40, 50 → [31.62, 56.23); 60 → [56.23, 100).
    expect(histogram).toEqual({
      total: 6,
      buckets: [
        { fromMs: 10, toMs: 17.78, count: 1, errors: 1 },
        { fromMs: 17.78, toMs: 31.62, count: 2, errors: 0 },
        { fromMs: 31.62, toMs: 56.23, count: 2, errors: 0 },
        { fromMs: 56.23, toMs: 100, count: 1, errors: 0 },
      ],
    });
    // A page of 2 traces does not shrink the histogram: it has no page parameters at all.
    expect((await get<{ traces: unknown[] }>('/api/v1/traces?service=checkout&since=1h&limit=2')).traces).toHaveLength(2);
    const errorsOnly = await get<{ total: number; buckets: { count: number }[] }>('/api/v1/traces/histogram?service=checkout&since=1h&errorsOnly=true');
    expect(errorsOnly).toEqual({ total: 1, buckets: [{ fromMs: 10, toMs: 17.78, count: 1, errors: 1 }] });
    expect(await get('/api/v1/traces/histogram?service=nobody&since=1h')).toEqual({ total: 0, buckets: [] });
  });

  it('counts matching log records per time bucket over the whole window, errors apart', async () => {
    // 30 info records one a minute from 40 min ago, 3 errors at 20 min ago, a warning at 19 min ago.
    const logs: SeedLog[] = Array.from({ length: 30 }, (_, i) => ({ service: 'cart', timeMs: T0 - 40 * 60_000 + i * 60_000 + 500, severity: 9, severityText: 'INFO', body: `served #${i}` }));
    for (let i = 0; i < 3; i++) logs.push({ service: 'cart', timeMs: T0 - 20 * 60_000 + 1_000 * i, severity: 17, severityText: 'ERROR', body: 'payment timed out' });
    logs.push({ service: 'cart', timeMs: T0 - 19 * 60_000 + 1_000, severity: 13, severityText: 'WARN', body: 'slow payment' });
    await postOtlp(t.url, '/v1/logs', logsBody(logs));

    type Volume = { from: number; to: number; stepMs: number; total: number; buckets: { t: number; count: number; errors: number }[] };
    // 1h at most 120 bars: 30 s buckets (60 s would also fit, 30 s is the first width that does).
    const hour = await get<Volume>('/api/v1/logs/histogram?since=1h&service=cart');
    expect(hour).toMatchObject({ from: T0 - 3_600_000, to: T0, stepMs: 30_000, total: 34 });
    expect(hour.buckets).toHaveLength(120);
    expect(hour.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(34);
    const at = (ms: number) => hour.buckets.find((b) => b.t === ms);
    expect(at(T0 - 20 * 60_000)).toEqual({ t: T0 - 20 * 60_000, count: 4, errors: 3 }); // the info record of that minute and the 3 errors
    expect(at(T0 - 19 * 60_000)).toEqual({ t: T0 - 19 * 60_000, count: 2, errors: 0 }); // info and warn
    expect(at(T0 - 50 * 60_000)).toEqual({ t: T0 - 50 * 60_000, count: 0, errors: 0 });

    // The same filters as the search: level and text narrow the counts too.
    const errors = await get<Volume>('/api/v1/logs/histogram?since=1h&level=error');
    expect(errors.total).toBe(3);
    const text = await get<Volume>('/api/v1/logs/histogram?since=1h&text=slow');
    expect(text.total).toBe(1);
    // No since: the window starts at the oldest matching record (40 min ago → 30 s buckets, 81 of them).
    const all = await get<Volume>('/api/v1/logs/histogram?service=cart');
    expect(all).toMatchObject({ from: T0 - 40 * 60_000 + 500, to: T0, stepMs: 30_000, total: 34 });
    expect(all.buckets[0]?.t).toBe(T0 - 40 * 60_000);
    expect(all.buckets).toHaveLength(80);
    expect(await get('/api/v1/logs/histogram?service=nobody')).toEqual({ from: T0, to: T0, stepMs: 1_000, total: 0, buckets: [] });
  });

  it('rejects bad histogram and filter parameters with QUERY_INVALID', async () => {
    for (const path of ['/api/v1/traces?includeSelf=maybe', '/api/v1/traces/histogram?limit=5', '/api/v1/logs/histogram?before=3', '/api/v1/logs/histogram?level=loud', '/api/v1/traces/histogram?since=yesterday']) {
      const response = await fetch(`${t.url}${path}`);
      expect([path, response.status]).toEqual([path, 400]);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('QUERY_INVALID');
    }
  });
});
