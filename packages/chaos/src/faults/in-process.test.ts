import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@sightline/core';
// undici's fetch reads the global dispatcher from this realm; Node's built-in fetch does the same
// in a normal process, but jest runs tests in a separate vm context.
import { fetch, getGlobalDispatcher } from 'undici';
import { codeOf } from '../../test/support/codes.js';
import { VirtualScheduler } from '../scheduler.js';
import { SkewableClock } from './clock-skew.js';
import { createDnsFault } from './dns-fault.js';
import { injectFetchFault } from './fetch-fault.js';
import { wrapFunction } from './function-fault.js';
import { injectHttpFault } from './http-fault.js';

async function startServer(): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => res.end(`ok ${req.url}`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('wrapFunction', () => {
  it('adds at least the configured latency and counts it', async () => {
    const scheduler = new VirtualScheduler();
    const f = wrapFunction(async (x: number) => x * 2, { latency: { distribution: 'uniform', minMs: 100, maxMs: 200 }, seed: 7, scheduler });
    await expect(f.call(21)).resolves.toBe(42);
    expect(scheduler.now()).toBeGreaterThanOrEqual(100);
    expect(scheduler.now()).toBeLessThanOrEqual(200);
    expect(f.stats()).toMatchObject({ matched: 1, injectedDelays: 1 });
  });

  it('fails about errorRate of calls with a seeded random, and none after revert', async () => {
    const f = wrapFunction(async () => 'ok', { errorRate: 0.3, seed: 42 });
    let failed = 0;
    for (let i = 0; i < 1000; i += 1) await f.call().catch(() => (failed += 1));
    expect(failed).toBeGreaterThan(250);
    expect(failed).toBeLessThan(350);
    await f.revert();
    await expect(f.call()).resolves.toBe('ok');
  });

  it('hangs calls until revert releases them, and injects timeouts and rate limits', async () => {
    const hang = wrapFunction(async () => 'ok', { hangRate: 1 });
    const pending = hang.call();
    await hang.revert();
    await expect(pending).rejects.toMatchObject({ code: 'CHAOS_FAULT_REVERTED' });

    const timeout = wrapFunction(async () => 'ok', { timeoutRate: 1, timeoutMs: 5000, scheduler: new VirtualScheduler() });
    await expect(timeout.call()).rejects.toMatchObject({ code: 'CHAOS_INJECTED_TIMEOUT' });

    const clock = new VirtualScheduler();
    const limited = wrapFunction(async () => 'ok', { rateLimit: { limit: 2, windowMs: 1000 }, scheduler: clock });
    await limited.call();
    await limited.call();
    await expect(limited.call()).rejects.toMatchObject({ code: 'CHAOS_RATE_LIMITED' });
    clock.advance(1000);
    await expect(limited.call()).resolves.toBe('ok');
  });

  it('rejects impossible options with CHAOS_FAULT_INVALID', () => {
    expect(codeOf(() => wrapFunction(async () => 1, { errorRate: 2 }))).toBe('CHAOS_FAULT_INVALID');
    expect(codeOf(() => wrapFunction(async () => 1, { latency: { distribution: 'uniform', minMs: 5, maxMs: 1 } }))).toBe('CHAOS_FAULT_INVALID');
  });
});

describe('injectFetchFault', () => {
  it('delays and fails matching global fetch calls, leaves others alone, and restores the dispatcher', async () => {
    const server = await startServer();
    const before = getGlobalDispatcher();
    const fault = injectFetchFault({ match: { host: '127.0.0.1', path: '/slow' }, latency: { distribution: 'fixed', ms: 80 } });
    try {
      const t0 = Date.now();
      expect(await (await fetch(`${server.url}/slow`)).text()).toBe('ok /slow');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
      expect(await (await fetch(`${server.url}/fast`)).text()).toBe('ok /fast');
      expect(fault.stats().matched).toBe(1);
    } finally {
      await fault.revert();
    }
    expect(getGlobalDispatcher()).toBe(before);
    const failing = injectFetchFault({ errorRate: 1 });
    await expect(fetch(`${server.url}/x`)).rejects.toThrow();
    await failing.revert();
    expect(await (await fetch(`${server.url}/x`)).text()).toBe('ok /x');
    await server.close();
  });
});

describe('injectHttpFault', () => {
  it('fails matching http.get calls with the injected error and restores http.get', async () => {
    const server = await startServer();
    const originalGet = http.get;
    const fault = injectHttpFault({ match: { path: '/broken' }, errorRate: 1 });
    const failed = await new Promise<string>((resolve) => {
      http.get(`${server.url}/broken`, () => resolve('responded')).on('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
    });
    expect(failed).toBe('CHAOS_INJECTED_ERROR');
    const ok = await new Promise<number>((resolve, reject) => {
      http.get(`${server.url}/fine`, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    expect(ok).toBe(200);
    await fault.revert();
    expect(http.get).toBe(originalGet);
    await server.close();
  });
});

describe('createDnsFault', () => {
  it('fails lookups for matching hosts and delegates the rest', async () => {
    const fault = createDnsFault([{ hostname: 'db.internal', error: 'EAI_AGAIN' }]);
    const lookup = (host: string) => new Promise<string>((resolve) => fault.lookup(host, {}, (err, address) => resolve(err ? (err.code ?? '') : String(address))));
    expect(await lookup('db.internal')).toBe('EAI_AGAIN');
    expect(await lookup('localhost')).toMatch(/127\.0\.0\.1|::1/);
    await fault.revert();
    expect(await lookup('db.internal')).not.toBe('EAI_AGAIN');
  });
});

describe('SkewableClock', () => {
  it('skews time by the offset until reverted', async () => {
    const base = new ManualClock(1_000);
    const clock = new SkewableClock(base);
    const fault = clock.skew(-300_000);
    expect(clock.now()).toBe(1_000 - 300_000);
    await fault.revert();
    await fault.revert();
    expect(clock.now()).toBe(1_000);
  });
});
