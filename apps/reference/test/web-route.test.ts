import { describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { IMMUTABLE_CACHE_CONTROL, isHashedAsset, REVALIDATE_CACHE_CONTROL } from '../src/http/web-route.js';
import { CHECKOUT_TRACE_ID, checkoutTrace, postOtlp, tracesBody } from './browser-seed.js';
import { useTestApp } from './test-app.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as they came over the wire (still compressed). */
  body: Buffer;
}

/** GET without fetch's transparent decompression, so the encoded bytes can be measured. */
function getRaw(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web page is served by the server itself', () => {
  const t = useTestApp();
  const bundlePath = async () => /src="(\/assets\/[^"]+\.js)"/.exec(await (await fetch(`${t.url}/`)).text())![1]!;

  it('serves the built page at / and its bundled assets, with no external URLs', async () => {
    const response = await fetch(`${t.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<div id="app">');
    const scripts = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const asset of scripts) {
      expect(asset.startsWith('/')).toBe(true);
      expect((await fetch(`${t.url}${asset}`)).status).toBe(200);
    }
  });

  it('answers client-side routes with the page, and unknown API routes and bundle files with a JSON 404', async () => {
    expect(await (await fetch(`${t.url}/traces/abc`)).text()).toContain('<div id="app">');
    const api = await fetch(`${t.url}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const gone = await fetch(`${t.url}/assets/index-0ldHa5h0.js`); // a bundle of a previous build
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('sends the JS bundle brotli- or gzip-compressed as the client accepts, smaller than the raw bytes and decoding to them', async () => {
    const path = await bundlePath();
    const raw = await getRaw(`${t.url}${path}`);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.body.length).toBeGreaterThan(10_000);

    const br = await getRaw(`${t.url}${path}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.body.length).toBeLessThan(raw.body.length);
    expect(brotliDecompressSync(br.body).equals(raw.body)).toBe(true);

    const gzip = await getRaw(`${t.url}${path}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.length).toBeLessThan(raw.body.length);
    expect(gunzipSync(gzip.body).equals(raw.body)).toBe(true);
  });

  it('compresses the stylesheet too, and leaves answers under 1 KiB alone', async () => {
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(await (await fetch(`${t.url}/`)).text())![1]!;
    const sheet = await getRaw(`${t.url}${css}`, { 'accept-encoding': 'gzip' });
    expect(sheet.headers['content-encoding']).toBe('gzip');
    const health = await getRaw(`${t.url}/healthz`, { 'accept-encoding': 'gzip' });
    expect(health.headers['content-encoding']).toBeUndefined(); // 15 bytes: under the 1 KiB threshold
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'ok' });
  });

  it('compresses API JSON above 1 KiB too, which still parses to the same answer', async () => {
    await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(Date.now() - 60_000) }]));
    const raw = await getRaw(`${t.url}/api/v1/traces/${CHECKOUT_TRACE_ID}`);
    expect(raw.body.length).toBeGreaterThan(1024);
    const gzip = await getRaw(`${t.url}/api/v1/traces/${CHECKOUT_TRACE_ID}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.length).toBeLessThan(raw.body.length);
    expect(JSON.parse(gunzipSync(gzip.body).toString())).toEqual(JSON.parse(raw.body.toString()));
  });

  it('caches hashed assets for a year as immutable, and has index.html revalidated', async () => {
    const path = await bundlePath();
    const asset = await getRaw(`${t.url}${path}`, { 'accept-encoding': 'br' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(IMMUTABLE_CACHE_CONTROL).toBe('public, max-age=31536000, immutable');
    for (const page of ['/', '/index.html', '/traces/abc', '/logs?level=error']) {
      const answer = await getRaw(`${t.url}${page}`, { 'accept-encoding': 'gzip' });
      expect([page, answer.headers['cache-control']]).toEqual([page, REVALIDATE_CACHE_CONTROL]);
      expect(answer.headers.etag ?? answer.headers['last-modified']).toBeDefined();
    }
    // Revalidating an unchanged page costs a 304 with no body.
    const first = await getRaw(`${t.url}/`);
    const again = await getRaw(`${t.url}/`, { 'if-none-match': String(first.headers.etag) });
    expect([again.status, again.body.length]).toEqual([304, 0]);
  });

  it('recognizes Vite\'s content-hashed asset names and nothing else', () => {
    expect(isHashedAsset('assets/index-CgKjkgTf.js')).toBe(true);
    expect(isHashedAsset('assets/index-m4IHI5ug.css')).toBe(true);
    expect(isHashedAsset('assets/index-CgKjkgTf.js.map')).toBe(true);
    expect(isHashedAsset('assets/vendor_x-A1b2C3d4_e.js')).toBe(true);
    expect(isHashedAsset('index.html')).toBe(false);
    expect(isHashedAsset('favicon.ico')).toBe(false);
    expect(isHashedAsset('assets/logo.svg')).toBe(false);
    expect(isHashedAsset('assets/a-short.js')).toBe(false);
    expect(isHashedAsset('other/index-CgKjkgTf.js')).toBe(false);
  });
});
