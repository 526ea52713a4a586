import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { FaultSpec } from '../fault-spec.js';
import { networkChaosAdmissionErrors } from '../../test/support/chaos-mesh-admission.js';
import { codeOf } from '../../test/support/codes.js';
import { exportToChaosMesh } from './chaos-mesh.js';

const here = dirname(fileURLToPath(import.meta.url));
const ajv = new Ajv({ strict: false, allErrors: true });
// Kubernetes' OpenAPI integer formats, which ajv does not know.
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
const SCHEMAS: Record<string, string> = {
  NetworkChaos: 'network-chaos.json',
  StressChaos: 'stress-chaos.json',
  PodChaos: 'pod-chaos.json',
  DNSChaos: 'dns-chaos.json',
  IOChaos: 'io-chaos.json',
  TimeChaos: 'time-chaos.json',
};
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([kind, file]) => [kind, ajv.compile(JSON.parse(readFileSync(join(here, 'schemas', file), 'utf8')) as object)]));

function validate(manifest: Record<string, unknown>): string[] {
  const check = validators[manifest.kind as string];
  if (!check) return [`no schema for ${String(manifest.kind)}`];
  return check(manifest) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const faults: FaultSpec[] = [
  { kind: 'network', target: 'db', action: 'latency', latencyMs: 200, jitterMs: 20 },
  { kind: 'network', target: 'db', action: 'loss', probability: 0.25, stream: 'upstream' },
  { kind: 'network', target: 'db', action: 'bandwidth', rateKBps: 128 },
  { kind: 'network', target: 'db', action: 'timeout' },
  { kind: 'network', target: 'db', action: 'slicer', amount: 10 },
  { kind: 'cpu', workers: 2, load: 0.8 },
  { kind: 'memory', bytes: 256 * 1024 * 1024 },
  { kind: 'process-kill', target: 'api' },
  { kind: 'dns', hostnames: ['db.internal', '*.payments.svc'] },
  { kind: 'io', path: '/data/**', action: 'latency', delayMs: 100, probability: 0.5 },
  { kind: 'time', offsetMs: -300_000 },
  { kind: 'event-loop-block', blockMs: 50, everyMs: 100 },
  { kind: 'disk', maxBytes: 1024 },
];

describe('exportToChaosMesh', () => {
  it('produces manifests that validate against the vendored CRD schemas and reports the rest', () => {
    const result = exportToChaosMesh(faults, { namespace: 'shop', targets: { db: { namespaces: ['shop'], labelSelectors: { app: 'postgres' } } }, percentage: 50, duration: '2m' });
    expect(result.manifests.map((m) => m.kind)).toEqual(['NetworkChaos', 'NetworkChaos', 'NetworkChaos', 'NetworkChaos', 'StressChaos', 'StressChaos', 'PodChaos', 'DNSChaos', 'IOChaos', 'TimeChaos']);
    for (const manifest of result.manifests) expect(validate(manifest)).toEqual([]);
    for (const manifest of result.manifests) expect(networkChaosAdmissionErrors(manifest)).toEqual([]);
    expect(result.untranslated.map((u) => [u.index, u.kind])).toEqual([[4, 'network'], [11, 'event-loop-block'], [12, 'disk']]);
    const delay = result.manifests[0] as { spec: Record<string, unknown> };
    expect(delay.spec).toMatchObject({ action: 'delay', mode: 'fixed-percent', value: '50', duration: '2m', selector: { labelSelectors: { app: 'postgres' } }, delay: { latency: '200ms', jitter: '20ms' } });
    expect((result.manifests[1] as { spec: Record<string, unknown> }).spec).toMatchObject({ action: 'loss', direction: 'to', loss: { loss: '25' } });
    // 128 KB/s × 8 = 1024 kbps
    expect((result.manifests[2] as { spec: { bandwidth: { rate: string } } }).spec.bandwidth.rate).toBe('1024kbps');
    expect((result.manifests[4] as { spec: { stressors: unknown } }).spec.stressors).toEqual({ cpu: { workers: 2, load: 80 } });
    const docs = parseAllDocuments(result.yaml).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs).toEqual(result.manifests);
  });

  it('exports latency, loss, bandwidth and timeout without a peer as direction "to", which Chaos Mesh admits', () => {
    const network = faults.filter((f) => f.kind === 'network' && f.action !== 'slicer');
    const { manifests } = exportToChaosMesh(network, { targets: { db: { labelSelectors: { app: 'postgres' } } } });
    expect(manifests.map((m) => (m.spec as { direction: string }).direction)).toEqual(['to', 'to', 'to', 'to']);
    for (const manifest of manifests) {
      expect((manifest.spec as Record<string, unknown>).target).toBeUndefined();
      expect(validate(manifest)).toEqual([]);
      expect(networkChaosAdmissionErrors(manifest)).toEqual([]);
    }
  });

  it('takes a target selector for the peer side and then follows the stream: upstream "to", downstream "from", none "both"', () => {
    const network: FaultSpec[] = [
      { kind: 'network', target: 'db', action: 'latency', latencyMs: 100, stream: 'upstream' },
      { kind: 'network', target: 'db', action: 'loss', probability: 0.1, stream: 'downstream' },
      { kind: 'network', target: 'db', action: 'bandwidth', rateKBps: 64 },
    ];
    const { manifests } = exportToChaosMesh(network, {
      targets: { db: { labelSelectors: { app: 'postgres' } } },
      networkTargets: { db: { selector: { namespaces: ['shop'], labelSelectors: { app: 'checkout' } }, mode: 'fixed-percent', value: '50' } },
    });
    expect(manifests.map((m) => (m.spec as { direction: string }).direction)).toEqual(['to', 'from', 'both']);
    for (const manifest of manifests) {
      expect((manifest.spec as Record<string, unknown>).target).toEqual({ selector: { namespaces: ['shop'], labelSelectors: { app: 'checkout' } }, mode: 'fixed-percent', value: '50' });
      expect(validate(manifest)).toEqual([]);
      expect(networkChaosAdmissionErrors(manifest)).toEqual([]);
    }
  });

  it('the admission check refuses what the CRD schema lets through: a netem action with direction "both" or "from" and no target', () => {
    const [delay] = exportToChaosMesh([{ kind: 'network', target: 'db', action: 'latency', latencyMs: 100 }]).manifests;
    for (const direction of ['both', 'from']) {
      const refused = { ...delay, spec: { ...(delay?.spec as object), direction } };
      expect(validate(refused)).toEqual([]);
      expect(networkChaosAdmissionErrors(refused)).toEqual([`spec.direction: "${direction}" cannot be used without a target in a netem action`]);
    }
    // a partition is not a netem action: the webhook lets it through without a target
    expect(networkChaosAdmissionErrors({ kind: 'NetworkChaos', spec: { action: 'partition', mode: 'all', direction: 'both' } })).toEqual([]);
    expect(networkChaosAdmissionErrors({ kind: 'NetworkChaos', spec: { action: 'delay', mode: 'fixed-percent', value: '0', delay: { latency: '10 ms' } } })).toEqual(['spec.delay.latency: not a Go duration', 'spec.value: must be an integer in 1..100 for mode fixed-percent']);
  });

  it('the schema check catches a broken manifest (the validator can fail)', () => {
    const [manifest] = exportToChaosMesh([{ kind: 'dns', hostnames: ['a'] }]).manifests;
    const broken = { ...manifest, spec: { ...(manifest?.spec as object), action: 'explode' } };
    expect(validate(broken).length).toBeGreaterThan(0);
  });

  it('rejects invalid fault specs with every problem by path', () => {
    let error: unknown;
    try {
      exportToChaosMesh([{ kind: 'cpu', workers: 0, load: 3 } as FaultSpec, { kind: 'quantum' } as unknown as FaultSpec]);
    } catch (e) {
      error = e;
    }
    expect((error as { code: string }).code).toBe('CHAOS_EXPORT_INVALID');
    expect((error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path)).toEqual([[0, 'workers'], [0, 'load'], [1, 'kind']]);
    expect(codeOf(() => exportToChaosMesh([], { percentage: 0 }))).toBe('CHAOS_EXPORT_INVALID');
  });
});
