// Every answer carries the security headers: a Content-Security-Policy that allows only the page's
// own script and stylesheet and no framing, nosniff, DENY framing for old browsers, no referrer.
// The built page has no inline script or style that the policy would block.
import { describe, expect, it } from '@jest/globals';
import { useTestApp } from './test-app.js';

function expectSecurityHeaders(response: Response): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('style-src')).toEqual(["'self'"]);
  expect(directives.get('default-src')).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

/** Fetches and reads the whole body: an unread body keeps the connection busy and the server's close waiting. */
async function fetchRead(url: string): Promise<Response> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response;
}

describe('security headers', () => {
  const t = useTestApp();

  it('sends them with the page at /, and the page has no inline script or style', async () => {
    const response = await fetch(`${t.url}/`);
    expect(response.status).toBe(200);
    expectSecurityHeaders(response);
    const html = await response.text();
    // Every <script> loads a file; no <style> block, no style="" or on*="" attribute.
    expect([...html.matchAll(/<script\b([^>]*)>/g)].every((m) => /\bsrc="/.test(m[1]!))).toBe(true);
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
  });

  it('sends them with a client-side view route, a bundled asset, the API and API errors', async () => {
    const view = await fetchRead(`${t.url}/traces/abc`);
    expect(view.status).toBe(200);
    expectSecurityHeaders(view);
    const asset = /src="([^"]+\.js)"/.exec(await (await fetch(`${t.url}/`)).text())?.[1];
    expectSecurityHeaders(await fetchRead(`${t.url}${asset}`));
    const api = await fetchRead(`${t.url}/api/v1/services`);
    expect(api.status).toBe(200);
    expectSecurityHeaders(api);
    const bad = await fetchRead(`${t.url}/api/v1/traces?limit=nope`);
    expect(bad.status).toBe(400);
    expectSecurityHeaders(bad);
    expectSecurityHeaders(await fetchRead(`${t.url}/healthz`));
  });

  it('keeps them on compressed answers', async () => {
    const asset = /src="([^"]+\.js)"/.exec(await (await fetch(`${t.url}/`)).text())?.[1];
    for (const encoding of ['br', 'gzip']) {
      const response = await fetch(`${t.url}${asset}`, { headers: { 'accept-encoding': encoding } });
      await response.arrayBuffer();
      expect(response.headers.get('content-encoding')).toBe(encoding);
      expectSecurityHeaders(response);
    }
  });
});
