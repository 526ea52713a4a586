import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type App } from '../src/app.js';
import { DEFAULT_CONFIG } from '../src/config.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const span = (overrides: Record<string, unknown> = {}) => ({
  traceId,
  spanId: 'b7ad6b7169203331',
  name: 'GET /',
  kind: 2,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000250000000',
  ...overrides,
});
const request = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] }, scopeSpans: [{ spans }] }] });

describe('bad input is refused clearly and the server keeps serving', () => {
  let app: App;
  let url: string;

  beforeAll(async () => {
    app = await createApp({ storage: {}, config: { server: { ...DEFAULT_CONFIG.server, bodyLimitBytes: 64 * 1024 } }, log: () => undefined });
    url = await app.listen(0);
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (path: string, body: string, type = 'application/json') => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers malformed JSON with 400 and says why', async () => {
    const response = await post('/v1/traces', '{"resourceSpans": [');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it('answers a structurally wrong request with 400 naming the field', async () => {
    const response = await post('/v1/traces', JSON.stringify({ resourceSpans: { not: 'an array' } }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 3, message: 'malformed OTLP request: (body).resourceSpans: must be an array' });
  });

  it('accepts the good spans of a batch and reports the bad ones as partial success', async () => {
    const response = await post('/v1/traces', JSON.stringify(request([span(), span({ spanId: '0000000000000000' }), span({ spanId: 'b7ad6b7169203332', traceId: 'xyz' })])));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe(2);
    expect(body.partialSuccess.errorMessage).toContain('spans[1].spanId: must not be all zeros');
    expect(body.partialSuccess.errorMessage).toContain('spans[2].traceId: must be 32 hex characters');
    const stored = (await (await fetch(`${url}/api/v1/traces/${traceId}`)).json()) as { spans: { duration_ms: number }[] };
    expect(stored.spans).toEqual([expect.objectContaining({ duration_ms: 250 })]);
  });

  it('ignores a re-sent span (exporter retry) instead of duplicating it', async () => {
    const response = await post('/v1/traces', JSON.stringify(request([span()])));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const stored = (await (await fetch(`${url}/api/v1/traces/${traceId}`)).json()) as { spans: unknown[] };
    expect(stored.spans).toHaveLength(1);
  });

  it('refuses other encodings with 415', async () => {
    const response = await post('/v1/traces', 'binary', 'application/xml');
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/application\/xml is not supported/);
  });

  it('refuses bodies over the limit with 413', async () => {
    const big = JSON.stringify(request([span({ name: 'x'.repeat(70 * 1024) })]));
    const response = await post('/v1/traces', big);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a gzip body that inflates past the limit (zip bomb) with 413, and unknown encodings with 415', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.from(JSON.stringify(request([span({ name: 'x'.repeat(1 << 20) })]))));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    expect(inflated.status).toBe(413);
    const brotli = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: 'x' });
    expect(brotli.status).toBe(415);
  });

  it('names unknown and bad query parameters, all at once', async () => {
    const response = await fetch(`${url}/api/v1/logs?level=loud&limit=0&colour=red`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string[]; code: string }[] } };
    expect(body.error.code).toBe('QUERY_INVALID');
    expect(body.error.issues.map((i) => [i.path[0], i.code])).toEqual([
      ['level', 'BAD_PARAMETER'],
      ['limit', 'BAD_PARAMETER'],
      ['colour', 'UNKNOWN_PARAMETER'],
    ]);
  });

  it('answers 400 for a malformed trace id and 404 for an unknown one', async () => {
    expect((await fetch(`${url}/api/v1/traces/nope`)).status).toBe(400);
    const missing = await fetch(`${url}/api/v1/traces/${'1'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('TRACE_NOT_FOUND');
  });

  it('still serves after all of the above', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
