import { describe, expect, it } from '@jest/globals';
import { useTestApp } from './test-app.js';

describe('the web page is served by the server itself', () => {
  const t = useTestApp();

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

  it('answers client-side routes with the page, and unknown API routes with a JSON 404', async () => {
    expect(await (await fetch(`${t.url}/traces/abc`)).text()).toContain('<div id="app">');
    const api = await fetch(`${t.url}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
