// A chaos experiment run by the app: a small HTTP service whose key-value dependency sits behind
// a proxy the app opened; a latency fault makes the service's latency probe deviate; the fault is
// rolled back; the journal is stored and readable through the API; the experiment exports to
// Chaos Mesh.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSloSpec } from '@sightline/slo';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createApp, type App } from '../src/app.js';
import { runCli } from '../src/cli/main.js';

describe('chaos runs in the app', () => {
  let app: App;
  let url: string;
  let kv: net.Server;
  let service: http.Server;
  let serviceUrl = '';

  beforeAll(async () => {
    app = await createApp({ storage: {}, log: () => undefined, slos: [parseSloSpec({ name: 'shop-availability', service: 'shop', objective: 0.99, sli: { kind: 'availability' } })] });
    url = await app.listen(0);
    kv = net.createServer((socket) => socket.on('data', (d) => socket.write(`value:${d.toString().trim()}\n`)));
    kv.listen(0, '127.0.0.1');
    await once(kv, 'listening');
    const proxy = await fetch(`${url}/api/v1/chaos/proxies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'kv', upstream: `127.0.0.1:${(kv.address() as AddressInfo).port}` }) });
    expect(proxy.status).toBe(201);
    const [, dbPort] = ((await proxy.json()) as { listen: string }).listen.split(':');
    // The service reads one key per request through the proxy.
    service = http.createServer((_req, res) => {
      const db = net.connect(Number(dbPort), '127.0.0.1', () => db.write('GET k\n'));
      db.once('data', () => {
        db.destroy();
        res.end('ok');
      });
    });
    service.listen(0, '127.0.0.1');
    await once(service, 'listening');
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await app.close();
    service.close();
    kv.close();
  });

  const experiment = () => ({
    title: 'shop survives a slow key-value store',
    steadyStateHypothesis: {
      title: 'shop answers fast and its SLO holds',
      probes: [
        { type: 'probe', name: 'shop-fast', provider: { type: 'http', url: serviceUrl, calls: 3, percentile: 95, maxLatencyMs: 150 } },
        { type: 'probe', name: 'shop-slo', provider: { type: 'function', name: 'slo:shop-availability' } },
      ],
    },
    method: [{ type: 'action', name: 'slow-kv', provider: { type: 'function', name: 'injectFault', arguments: { kind: 'network', target: 'kv', action: 'latency', latencyMs: 300 } } }],
  });

  it('runs an experiment: the latency fault makes the steady state deviate, rollback restores, the journal is stored', async () => {
    const started = await fetch(`${url}/api/v1/chaos/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(experiment()) });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await app.chaos.settled(id);
    const run = (await (await fetch(`${url}/api/v1/chaos/runs/${id}`)).json()) as { status: string; journal: { status: string; steadyStateBefore: { met: boolean }; steadyStateAfter: { met: boolean }; faults: unknown[] } };
    expect(run.status).toBe('deviated');
    expect(run.journal).toMatchObject({ status: 'deviated', steadyStateBefore: { met: true }, steadyStateAfter: { met: false } });
    expect(run.journal.faults).toHaveLength(1);
    // Rolled back: no toxic is left on the proxy, and the service answers through it.
    expect(app.chaos.proxies.get('kv')!.toxics()).toEqual([]);
    expect(await (await fetch(serviceUrl)).text()).toBe('ok');
    const list = (await (await fetch(`${url}/api/v1/chaos/runs`)).json()) as { runs: { id: string; status: string }[] };
    expect(list.runs).toEqual([expect.objectContaining({ id, status: 'deviated' })]);
  });

  it('rejects an invalid experiment with every problem, and exports a valid one to Chaos Mesh', async () => {
    const bad = await fetch(`${url}/api/v1/chaos/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: '', method: 'nope' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toMatch(/^CHAOS_/);
    const dir = mkdtempSync(join(tmpdir(), 'sightline-chaos-cli-'));
    writeFileSync(join(dir, 'experiment.yaml'), stringify(experiment()));
    let out = '';
    expect(await runCli(['chaos', 'export', join(dir, 'experiment.yaml'), '--url', url], { out: (s) => (out += s), err: () => undefined })).toBe(0);
    expect(out).toContain('apiVersion: chaos-mesh.org/v1alpha1');
    out = '';
    expect(await runCli(['chaos', 'list', '--url', url], { out: (s) => (out += s), err: () => undefined })).toBe(0);
    expect(out).toContain('deviated');
    rmSync(dir, { recursive: true, force: true });
    const exported = (await (await fetch(`${url}/api/v1/chaos/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(experiment()) })).json()) as { yaml: string };
    expect(exported.yaml).toContain('kind: NetworkChaos');
  });
});
