import { describe, expect, it } from '@jest/globals';
import { useTestApp } from './test-app.js';

describe('the app observes itself', () => {
  const t = useTestApp({ selfTelemetry: true });

  it('stores a SERVER span for each API request as service "sightline", continuing the caller trace', async () => {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    await fetch(`${t.url}/api/v1/logs?level=error`, { headers: { traceparent: `00-${callerTrace}-b7ad6b7169203331-01` } });
    await fetch(`${t.url}/api/v1/logs?level=nope`);
    await t.app.telemetry?.flush();

    const trace = (await (await fetch(`${t.url}/api/v1/traces/${callerTrace}`)).json()) as { spans: { name: string; kind: number; service: string; parent_span_id: string; attributes: Record<string, unknown> }[] };
    expect(trace.spans).toEqual([
      expect.objectContaining({
        name: 'GET /api/v1/logs',
        kind: 2,
        service: 'sightline',
        parent_span_id: 'b7ad6b7169203331',
        attributes: expect.objectContaining({ 'http.route': '/api/v1/logs', 'http.response.status_code': 200 }),
      }),
    ]);
    const services = (await (await fetch(`${t.url}/api/v1/services`)).json()) as { services: { service: string; spans: number }[] };
    expect(services.services.find((s) => s.service === 'sightline')?.spans).toBeGreaterThanOrEqual(2);
  });
});
