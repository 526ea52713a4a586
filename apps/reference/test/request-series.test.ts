import { describe, expect, it } from '@jest/globals';
import { useTestApp } from './test-app.js';

describe('request series derived from ingested spans', () => {
  const t = useTestApp();

  it('stores per-minute rate, error ratio and p95 per service and route, queryable as metrics', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const span = (i: number, offsetMs: number, code: number, durationMs: number) => ({
      traceId: (i + 1).toString(16).padStart(32, '0'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: 'POST /orders',
      kind: 2,
      startTimeUnixNano: `${minute + offsetMs}000000`,
      endTimeUnixNano: `${minute + offsetMs + durationMs}000000`,
      attributes: [{ key: 'http.route', value: { stringValue: '/orders' } }, { key: 'http.response.status_code', value: { intValue: String(code) } }],
    });
    // minute 0: 30 requests, 3 answered 500; minute 1: one request closes minute 0
    const spans = Array.from({ length: 30 }, (_, i) => span(i, i * 1_000, i < 3 ? 500 : 200, 20));
    spans.push(span(30, 61_000, 200, 20));
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeSpans: [{ spans }] }] };
    expect((await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(200);
    await t.app.requestSeries.settled();

    const series = async (name: string) =>
      ((await (await fetch(`${t.url}/api/v1/metrics/series?name=${name}&service=checkout&since=1h`)).json()) as { points: { time_ms: number; value: number; labels: object }[] }).points;
    expect(await series('sightline.request.rate')).toEqual([{ time_ms: minute, value: 30 / 60, labels: { operation: '/orders' } }]);
    expect((await series('sightline.request.error_ratio'))[0]?.value).toBeCloseTo(0.1, 10);
    expect((await series('sightline.request.duration.p95'))[0]?.value).toBe(20);
  });
});
