import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createFaultActions, exportToChaosMesh, parseExperiment, recommend, resilienceScore, runExperiment, sloProbeFunction, TcpProxy, VirtualScheduler } from '../src/index.js';
import type { Journal, SloStatus } from '../src/index.js';

/** A key-value "database": answers `GET key\n` with `value:key\n`. */
async function startKv(): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (d) => socket.write(`value:${d.toString().trim().slice(4)}\n`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// The fault delays every database reply by FAULT_LATENCY_MS, so under it every request is slow
// for certain. A request counts as slow from SLOW_MS: far above what a loaded two-core machine
// takes for a loopback round trip, so a slow request without the fault is not a coin toss.
const FAULT_LATENCY_MS = 600;
const SLOW_MS = 500;
const WINDOW = 5;

/** The service under test: each request reads one key from the kv store through `dbPort`; latency SLO 99% under SLOW_MS. */
async function startService(dbPort: number) {
  const latencies: number[] = [];
  const server = http.createServer((req, res) => {
    const started = performance.now();
    const db = net.connect(dbPort, '127.0.0.1', () => db.write(`GET ${req.url ?? '/'}\n`));
    db.once('data', (d) => {
      db.destroy();
      latencies.push(performance.now() - started);
      res.end(d.toString());
    });
    db.once('error', () => {
      latencies.push(performance.now() - started);
      res.statusCode = 503;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** SLO over the last WINDOW requests: good = under SLOW_MS, objective 99%. */
  const status = (): SloStatus => {
    const window = latencies.slice(-WINDOW);
    const bad = window.filter((l) => l >= SLOW_MS).length / Math.max(1, window.length);
    const burnRate = bad / 0.01;
    return { budgetRemaining: 1 - burnRate, burnRates: { recent: burnRate }, firing: burnRate >= 14.4 };
  };
  const load = async (n: number) => {
    for (let i = 0; i < n; i += 1) await (await fetch(`${url}/k${i}`)).text();
  };
  return { url, status, load, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const EXPERIMENT_YAML = `
title: checkout survives a slow database
steadyStateHypothesis:
  title: latency SLO holds
  probes:
    - type: probe
      name: checkout-latency-slo
      provider: { type: function, name: checkoutSlo }
method:
  - type: action
    name: slow-database
    provider:
      type: function
      name: injectFault
      arguments: { kind: network, target: kv, action: latency, latencyMs: ${FAULT_LATENCY_MS} }
    pauses: { after: 30s }
`;

let kv: Awaited<ReturnType<typeof startKv>>;
let proxy: TcpProxy;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  kv = await startKv();
  proxy = await TcpProxy.start({ name: 'kv', upstream: kv.address });
  service = await startService(proxy.port);
});

afterAll(async () => {
  await service.close();
  await proxy.close();
  await kv.close();
});

describe('end to end: latency toxic on the database behind a real HTTP service', () => {
  it('the SLO probe deviates under the fault, rollback restores it, and the journal records it all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-e2e-'));
    const journalPath = join(dir, 'journal.json');
    const checkoutSlo = sloProbeFunction(service.status, { maxBurnRate: 14.4 });
    const registry = {
      ...createFaultActions({ proxies: { kv: proxy } }),
      checkoutSlo: async () => {
        await service.load(WINDOW);
        return checkoutSlo();
      },
    };
    const journal = await runExperiment(parseExperiment(EXPERIMENT_YAML), { registry, scheduler: new VirtualScheduler(), journalPath });

    expect(journal.status).toBe('deviated');
    expect(journal.steadyStateBefore?.met).toBe(true);
    const after = journal.steadyStateAfter?.probes[0];
    expect(after?.toleranceMet).toBe(false);
    expect(after?.activeFaults?.[0]).toContain('latency toxic');
    expect((after?.output as { violations: string[] }).violations).toContain('burn-rate alert is firing');
    expect(journal.rollbacks.map((r) => r.status)).toEqual(['succeeded']);
    expect(journal.faults[0]?.stats).toMatchObject({ injectedDelays: expect.any(Number) });

    // rollback restored the system: no toxic, and the SLO holds again
    expect(proxy.toxics()).toEqual([]);
    expect((await registry.checkoutSlo()).ok).toBe(true);

    const written = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
    expect(written.status).toBe('deviated');
    expect(written.run.map((r) => r.name)).toEqual(['slow-database']);
    await rm(dir, { recursive: true });

    // the same journal feeds the score and the recommendations
    expect(resilienceScore([journal]).score).toBe(0);
    const ids = recommend([journal]).map((r) => r.id);
    expect(ids).toContain('steady-state-not-held');

    // and the same experiment exports to Chaos Mesh
    const exported = exportToChaosMesh(parseExperiment(EXPERIMENT_YAML), { targets: { kv: { labelSelectors: { app: 'kv' } } } });
    expect(exported.manifests[0]).toMatchObject({ kind: 'NetworkChaos', spec: { action: 'delay', delay: { latency: `${FAULT_LATENCY_MS}ms` } } });
  });
});
