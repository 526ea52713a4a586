import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../src/app.js';
import { runCli } from '../src/cli/main.js';
import { aggregate } from '../src/health/health-indicators.js';

describe('health indicators', () => {
  let app: App;
  let url: string;
  let dependency: Server;

  beforeAll(async () => {
    dependency = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => dependency.listen(0, '127.0.0.1', resolve));
    const up = `http://127.0.0.1:${(dependency.address() as AddressInfo).port}/health`;
    app = await createApp({
      storage: {},
      log: () => undefined,
      config: { health: { aggregation: 'all', dependencies: [{ name: 'billing', url: up, timeoutMs: 2_000 }, { name: 'ledger', url: 'http://127.0.0.1:9/nothing-listens', timeoutMs: 500 }] } },
    });
    url = await app.listen(0);
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => dependency.close(resolve));
  });

  it('aggregates readings: all takes the worst, majority what most say (ties to the worse), any is up while one is', () => {
    expect(aggregate(['up', 'warning', 'up'], 'all')).toBe('warning');
    expect(aggregate(['up', 'critical', 'up'], 'majority')).toBe('up');
    expect(aggregate(['up', 'critical'], 'majority')).toBe('critical');
    expect(aggregate(['critical', 'up'], 'any')).toBe('up');
    expect(aggregate(['critical', 'warning'], 'any')).toBe('warning');
    expect(aggregate([], 'all')).toBe('up');
  });

  it('/readyz?verbose lists every indicator with its thresholds; readiness stays storage and migrations', async () => {
    const response = await fetch(`${url}/readyz?verbose`);
    expect(response.status).toBe(200); // a dead dependency does not make the app unready
    const body = (await response.json()) as { status: string; health: { status: string; aggregation: string; indicators: { name: string; status: string; unit: string }[] } };
    expect(body.status).toBe('ready');
    expect(body.health.indicators.map((i) => i.name)).toEqual(['database', 'event-loop', 'memory', 'disk', 'ingest-queue', 'http:billing', 'http:ledger']);
    expect(body.health.indicators.find((i) => i.name === 'http:billing')?.status).toBe('up');
    expect(body.health.indicators.find((i) => i.name === 'database')?.status).toBe('up');
    expect(body.health.indicators.find((i) => i.name === 'disk')).toMatchObject({ unit: 'MiB', value: expect.any(Number) });
    expect(body.health.indicators.find((i) => i.name === 'http:ledger')?.status).toBe('critical');
    expect(body.health).toMatchObject({ status: 'critical', aggregation: 'all' });
    expect(((await (await fetch(`${url}/readyz`)).json()) as Record<string, unknown>).health).toBeUndefined();
  });

  it('sightline health --indicator exits by that indicator', async () => {
    const quiet = { out: () => undefined, err: () => undefined };
    expect(await runCli(['health', '--url', url, '--indicator', 'database'], quiet)).toBe(0);
    expect(await runCli(['health', '--url', url, '--indicator', 'http:ledger'], quiet)).toBe(1);
    expect(await runCli(['health', '--url', url, '--indicator', 'nope'], quiet)).toBe(2);
    let out = '';
    expect(await runCli(['health', '--url', url], { out: (s) => (out += s), err: () => undefined })).toBe(0);
    expect(out).toContain('health: critical (all)');
  });
});
