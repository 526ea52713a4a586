// What the CLI prints against a running server: a trace as a span tree, a chaos run as a summary,
// boolean flags without a value, the cost import hint naming a real flag, and no stack trace for
// an answer it did not expect.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateFocusBill } from '@sightline/finops';
import { parseSloSpec } from '@sightline/slo';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderChaosRun } from '../src/cli/chaos-journal.js';
import { runCli } from '../src/cli/main.js';
import { useTestApp } from './test-app.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}

const t = useTestApp({ slos: [parseSloSpec({ name: 'shop-availability', service: 'shop', objective: 0.99, sli: { kind: 'availability' } })] });
const treeTrace = '5bf92f3577b34da6a3ce929d0e0e4736';
const okTrace = '6bf92f3577b34da6a3ce929d0e0e4736';

describe('sightline CLI output', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-cli-output-'));
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
    const nanos = (ms: number) => `${ms}000000`;
    const now = Date.now();
    const span = (traceId: string, spanId: string, parentSpanId: string | undefined, name: string, start: number, end: number, error = false) => ({
      traceId, spanId, ...(parentSpanId === undefined ? {} : { parentSpanId }), name, kind: 2, startTimeUnixNano: nanos(now + start), endTimeUnixNano: nanos(now + end), ...(error ? { status: { code: 2 } } : {}),
    });
    // In start order the spans are root, reserve, charge, reserve/lock: a flat list would put
    // charge (a child of the root) before lock (a child of reserve).
    const spans = [
      span(treeTrace, 'a000000000000001', undefined, 'POST /orders', 0, 100, true),
      span(treeTrace, 'a000000000000003', 'a000000000000001', 'charge card', 20, 60),
      span(treeTrace, 'a000000000000004', 'a000000000000002', 'lock row', 30, 35),
      span(treeTrace, 'a000000000000002', 'a000000000000001', 'reserve stock', 10, 50),
      span(okTrace, 'b000000000000001', undefined, 'GET /health', 0, 1),
    ];
    const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] }) });
    expect(response.status).toBe(200);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('traces ID prints the span tree: children indented under their parent, siblings by start time', async () => {
    const result = await cli('traces', treeTrace, '--url', t.url);
    expect(result.code).toBe(0);
    const names = result.out.trimEnd().split('\n').slice(1).map((line) => /^\S+\s+\S+\s+checkout {2}( *\S.*?)\s{2,}(ERROR|ok)/.exec(line)?.[1]);
    expect(names).toEqual(['POST /orders', '  reserve stock', '    lock row', '  charge card']);
  });

  it('traces --errors works as a bare flag, and --errors true as before', async () => {
    for (const args of [['--errors'], ['--errors', 'true'], ['--errors=true']]) {
      const result = await cli('traces', ...args, '--url', t.url, '--format', 'json');
      expect(result.code).toBe(0);
      expect((JSON.parse(result.out) as { trace_id: string }[]).map((r) => r.trace_id)).toEqual([treeTrace]);
    }
    const all = await cli('traces', '--errors', 'false', '--url', t.url, '--format', 'json');
    expect((JSON.parse(all.out) as { trace_id: string }[]).map((r) => r.trace_id).sort()).toEqual([treeTrace, okTrace]);
  });

  it('chaos show prints the verdict, the steady state and each activity with its result, not JSON', async () => {
    const file = join(dir, 'experiment.json');
    const probe = { type: 'probe', name: 'shop-slo', provider: { type: 'function', name: 'slo:shop-availability' } };
    writeFileSync(file, JSON.stringify({ title: 'shop keeps its SLO', steadyStateHypothesis: { title: 'SLO holds', probes: [probe] }, method: [{ ...probe, name: 'shop-slo-during' }] }));
    const started = await cli('chaos', 'run', file, '--url', t.url, '--format', 'json');
    const { id } = JSON.parse(started.out) as { id: string };
    await t.app.chaos.settled(id);
    const result = await cli('chaos', 'show', id, '--url', t.url);
    expect(result.code).toBe(0);
    expect(result.out).not.toContain('{');
    const lines = result.out.split('\n');
    expect(lines.slice(0, 2)).toEqual(['shop keeps its SLO', 'verdict: completed']);
    expect(lines).toContain('steady state before: met');
    expect(lines).toContain('steady state after: met');
    expect(result.out).toMatch(/steady-state-before\s+probe\s+shop-slo\s+succeeded\s+met/);
    expect(result.out).toMatch(/method\s+probe\s+shop-slo-during\s+succeeded/);
    expect(JSON.parse((await cli('chaos', 'show', id, '--url', t.url, '--format', 'json')).out)).toMatchObject({ id, status: 'completed' });
  });

  it('chaos show says why a run deviated and which probe missed its tolerance', () => {
    const probe = (phase: 'steady-state-before' | 'steady-state-after', toleranceMet: boolean) => ({ name: 'api-fast', type: 'probe' as const, phase, start: 0, end: 120, durationMs: 120, status: 'succeeded' as const, toleranceMet });
    const text = renderChaosRun({
      id: 'r1',
      title: 'the API answers fast',
      status: 'deviated',
      started_at: Date.UTC(2026, 0, 2, 3, 4, 5),
      journal: {
        title: 'the API answers fast',
        status: 'deviated',
        reason: 'steady state not met after the method',
        start: 0,
        end: 1500,
        durationMs: 1500,
        steadyStateBefore: { met: true, probes: [probe('steady-state-before', true)] },
        steadyStateAfter: { met: false, probes: [probe('steady-state-after', false)] },
        run: [{ name: 'slow-api', type: 'action', phase: 'method', start: 0, end: 3, durationMs: 3, status: 'succeeded' }],
        rollbacks: [],
        faults: [{ description: 'latency 300 ms on demo-api', activity: 'slow-api', stats: {} }],
        weight: 1,
      },
    });
    expect(text.split('\n').slice(0, 6)).toEqual(['the API answers fast', 'verdict: deviated — steady state not met after the method', 'started: 2026-01-02T03:04:05Z', 'took: 1.5 s', 'steady state before: met', 'steady state after: NOT met']);
    expect(text).toMatch(/steady-state-after\s+probe\s+api-fast\s+succeeded\s+NOT met\s+120/);
    expect(text).toContain('  latency 300 ms on demo-api (by slow-api)');
  });

  it('cost import names --mapping, a flag it accepts, for a missing FOCUS column; the mapping then imports the file', async () => {
    const bill = [...generateFocusBill({ rows: 5, days: 1, seed: 1, spike: null })].join('');
    const [header, ...rows] = bill.split('\n');
    const file = join(dir, 'renamed.csv');
    writeFileSync(file, [header!.split(',').map((c) => (c === 'BilledCost' ? 'cost' : c)).join(','), ...rows].join('\n'));
    const missing = await cli('cost', 'import', file, '--url', t.url);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('required FOCUS column BilledCost is missing; add it or map it with --mapping');
    expect(missing.err).not.toContain('columnMapping');
    expect((await cli('cost', 'import', '--help')).out).toContain('--mapping');
    const mapped = await cli('cost', 'import', file, '--mapping', '{"BilledCost":"cost"}', '--url', t.url);
    expect(mapped.err).toBe('');
    expect(mapped.out).toMatch(/accepted 5, rejected 0/);
  });

  it('prints one line, not a stack, for an answer it did not expect; SIGHTLINE_DEBUG adds the stack', async () => {
    const odd = http.createServer((_request, response) => response.end('{}'));
    odd.listen(0, '127.0.0.1');
    await once(odd, 'listening');
    const url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
    try {
      const result = await cli('traces', treeTrace, '--url', url);
      expect(result.code).toBe(1);
      expect(result.err.trimEnd().split('\n')).toEqual([expect.stringMatching(/^sightline: \S/)]);
      process.env.SIGHTLINE_DEBUG = '1';
      expect((await cli('traces', treeTrace, '--url', url)).err).toMatch(/\n\s+at /);
    } finally {
      delete process.env.SIGHTLINE_DEBUG;
      odd.close();
    }
  });

  // Last: it overspends the SLO that the chaos test above needs met.
  it('slo status and slo list say by how much an overspent budget is overspent, not a negative percentage', async () => {
    const now = Date.now();
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] };
    // 10 requests, 5 failed, against a 1 % budget: 4.9 bad events past the 0.1 allowed.
    const spans = Array.from({ length: 10 }, (_, i) => ({
      traceId: `c${String(i).padStart(31, '0')}`, spanId: `c${String(i).padStart(15, '0')}`, name: 'GET /buy', kind: 2,
      startTimeUnixNano: `${now - 60_000 + i}000000`, endTimeUnixNano: `${now - 60_000 + i + 5}000000`, ...(i % 2 === 0 ? { status: { code: 2 } } : {}),
    }));
    const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] }) });
    expect(response.status).toBe(200);
    const status = await cli('slo', 'status', 'shop-availability', '--url', t.url);
    expect(status.out).toMatch(/error budget: overspent by 5 bad events since \d{4}-\d{2}-\d{2}T/);
    expect(status.out).not.toMatch(/-\d+(\.\d+)?% left/);
    const list = await cli('slo', 'list', '--url', t.url);
    expect(list.out).toMatch(/shop-availability\s+shop\s+99\.00%\s+50\.00%\s+overspent 5\s/);
  });
});
