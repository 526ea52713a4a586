import { afterEach, describe, expect, it } from '@jest/globals';
import { exchange, startEchoServer } from '../../test/support/sockets.js';
import { ToxiproxyServer } from './toxiproxy-api.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('ToxiproxyServer HTTP API', () => {
  it('drives proxies and toxics with toxiproxy-format requests', async () => {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const server = new ToxiproxyServer();
    cleanups.push(() => server.close());
    const base = await server.listen(0);

    expect(await call(base, 'GET', '/version')).toEqual({ status: 200, json: { version: expect.any(String) } });
    const created = await call(base, 'POST', '/proxies', { name: 'redis', listen: '127.0.0.1:0', upstream: echo.address, enabled: true });
    expect(created.status).toBe(201);
    const listen = (created.json as { listen: string }).listen;
    const port = Number(listen.split(':')[1]);
    expect(port).toBeGreaterThan(0);
    expect((await call(base, 'POST', '/proxies', { name: 'redis', upstream: echo.address })).status).toBe(409);

    const all = await call(base, 'GET', '/proxies');
    expect(all.json).toEqual({ redis: { name: 'redis', listen, upstream: echo.address, enabled: true, toxics: [] } });

    const toxic = await call(base, 'POST', '/proxies/redis/toxics', { type: 'latency', attributes: { latency: 100 } });
    expect(toxic).toEqual({ status: 200, json: { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } } });
    const slowed = await exchange(port, 'abc', 3);
    expect(slowed.elapsedMs).toBeGreaterThanOrEqual(95);

    const updated = await call(base, 'POST', '/proxies/redis/toxics/latency_downstream', { attributes: { latency: 200 } });
    expect((updated.json as { attributes: { latency: number } }).attributes.latency).toBe(200);
    expect((await call(base, 'GET', '/proxies/redis/toxics/latency_downstream')).status).toBe(200);
    expect((await call(base, 'GET', '/proxies/redis/toxics')).json).toHaveLength(1);
    expect((await call(base, 'DELETE', '/proxies/redis/toxics/latency_downstream')).status).toBe(204);
    expect((await call(base, 'GET', '/proxies/redis/toxics/latency_downstream')).status).toBe(404);

    const bad = await call(base, 'POST', '/proxies/redis/toxics', { type: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'CHAOS_TOXIC_INVALID', status: 400 });

    expect((await call(base, 'POST', '/proxies/redis', { enabled: false })).json).toMatchObject({ enabled: false });
    const refused = await exchange(port, 'x');
    expect(refused.error).toBe('ECONNREFUSED');

    await call(base, 'POST', '/proxies/redis/toxics', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    expect((await call(base, 'POST', '/reset')).status).toBe(204);
    expect((await call(base, 'GET', '/proxies/redis')).json).toMatchObject({ enabled: true, toxics: [] });
    expect((await exchange(port, 'back', 4)).received.toString()).toBe('back');

    const populated = await call(base, 'POST', '/populate', [{ name: 'redis', listen, upstream: echo.address }, { name: 'pg', listen: '127.0.0.1:0', upstream: echo.address }]);
    expect(populated.status).toBe(201);
    expect((populated.json as { proxies: { name: string }[] }).proxies.map((p) => p.name)).toEqual(['redis', 'pg']);
    expect((await call(base, 'POST', '/populate', { not: 'an array' })).status).toBe(400);

    expect((await call(base, 'DELETE', '/proxies/redis')).status).toBe(204);
    expect((await call(base, 'GET', '/proxies/redis')).status).toBe(404);
  });
});
