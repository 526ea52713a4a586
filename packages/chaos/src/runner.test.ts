import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@sightline/core';
import type { Experiment } from './experiment.js';
import { parseExperiment, validateExperiment } from './experiment.js';
import { injectMethodFault } from './faults/function-fault.js';
import { runExperiment, startExperiment } from './runner.js';
import { codeOf } from '../test/support/codes.js';
import { VirtualScheduler } from './scheduler.js';

function service() {
  const svc = {
    async query(): Promise<string> {
      return 'row';
    },
  };
  return svc;
}

function baseExperiment(extra: Partial<Experiment> = {}): Experiment {
  return {
    title: 'query survives errors',
    steadyStateHypothesis: { title: 'queries work', probes: [{ type: 'probe', name: 'query-ok', provider: { type: 'function', name: 'queryOk' }, tolerance: true }] },
    method: [{ type: 'action', name: 'break-query', provider: { type: 'function', name: 'breakQuery' }, pauses: { after: '5m' } }],
    ...extra,
  };
}

function registryFor(svc: ReturnType<typeof service>, errorRate: number) {
  return {
    queryOk: async () => svc.query().then(() => true, () => false),
    breakQuery: () => injectMethodFault(svc, 'query', { errorRate, seed: 1 }),
  };
}

describe('validateExperiment', () => {
  it('reports every problem with its path and a stable code', () => {
    let caught: unknown;
    try {
      validateExperiment({ title: '', method: [{ type: 'act', name: 'x', provider: { type: 'http', url: 'nope' } }], maxDuration: 'soon', rollbacks: [{ type: 'probe', name: 'p', provider: { type: 'function', name: 'f' } }] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('CHAOS_EXPERIMENT_INVALID');
    expect(error.issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['title', 'CHAOS_TITLE_REQUIRED'],
      ['method.0.type', 'CHAOS_ACTIVITY_TYPE'],
      ['method.0.provider.url', 'CHAOS_PROVIDER_URL'],
      ['rollbacks.0.type', 'CHAOS_ACTIVITY_TYPE'],
      ['maxDuration', 'CHAOS_DURATION_INVALID'],
    ]);
  });

  it('parses YAML experiments and rejects broken text with a code', () => {
    const e = parseExperiment('title: t\nmethod:\n  - type: probe\n    name: p\n    provider: { type: function, name: f }\n    tolerance: [0, 10]\n');
    expect(e.method[0]?.name).toBe('p');
    expect(codeOf(() => parseExperiment('title: ['))).toBe('CHAOS_EXPERIMENT_INVALID');
  });
});

describe('runExperiment', () => {
  it('completes, reverts the fault and writes the journal when the steady state holds', async () => {
    const svc = service();
    const original = svc.query;
    const dir = await mkdtemp(join(tmpdir(), 'chaos-journal-'));
    const scheduler = new VirtualScheduler(1_000);
    const journal = await runExperiment(baseExperiment(), { registry: registryFor(svc, 0), scheduler, journalPath: join(dir, 'journal.json') });
    expect(journal.status).toBe('completed');
    expect(svc.query).toBe(original);
    // the 5m pause cost virtual time, not real time
    expect(journal.durationMs).toBe(5 * 60_000);
    const written = JSON.parse(await readFile(join(dir, 'journal.json'), 'utf8')) as { status: string; rollbacks: unknown[] };
    expect(written.status).toBe('completed');
    expect(written.rollbacks).toHaveLength(1);
    await rm(dir, { recursive: true });
  });

  it('deviates when the fault breaks the steady state, and still reverts it', async () => {
    const svc = service();
    const original = svc.query;
    const journal = await runExperiment(baseExperiment(), { registry: registryFor(svc, 1), scheduler: new VirtualScheduler() });
    expect(journal.status).toBe('deviated');
    expect(journal.steadyStateAfter?.probes[0]?.activeFaults).toEqual(['fault on method query']);
    expect(svc.query).toBe(original);
    await expect(svc.query()).resolves.toBe('row');
    expect(journal.faults[0]?.stats).toMatchObject({ matched: 1, injectedErrors: 1 });
  });

  it('refuses to inject when the steady state does not hold first', async () => {
    let injected = false;
    const journal = await runExperiment(baseExperiment(), {
      registry: { queryOk: () => false, breakQuery: () => { injected = true; } },
      scheduler: new VirtualScheduler(),
    });
    expect(journal.status).toBe('failed');
    expect(injected).toBe(false);
  });

  it('fails and rolls back when an action throws, running explicit rollbacks too', async () => {
    const svc = service();
    const original = svc.query;
    const calls: string[] = [];
    const experiment = baseExperiment({
      method: [
        { type: 'action', name: 'break-query', provider: { type: 'function', name: 'breakQuery' } },
        { type: 'action', name: 'explode', provider: { type: 'function', name: 'explode' } },
      ],
      rollbacks: [{ type: 'action', name: 'notify', provider: { type: 'function', name: 'notify' } }],
    });
    const journal = await runExperiment(experiment, {
      registry: { ...registryFor(svc, 1), explode: () => { throw new Error('boom'); }, notify: () => { calls.push('notify'); } },
      scheduler: new VirtualScheduler(),
    });
    expect(journal.status).toBe('failed');
    expect(journal.reason).toContain('boom');
    expect(calls).toEqual(['notify']);
    expect(svc.query).toBe(original);
  });

  it('aborts on a tripped stop condition during a pause and reverts', async () => {
    const svc = service();
    const original = svc.query;
    let errorRatio = 0;
    const scheduler = new VirtualScheduler();
    const experiment = baseExperiment({
      stopConditions: [{ name: 'error ratio below 5%', provider: { type: 'function', name: 'errorRatio' }, tolerance: [0, 0.05], every: '30s' }],
    });
    const journal = await runExperiment(experiment, {
      registry: { ...registryFor(svc, 1), errorRatio: () => { errorRatio += 0.02; return errorRatio; } },
      scheduler,
    });
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toContain('error ratio below 5%');
    // 0.02, 0.04 pass (before the action, after 30s of pause); 0.06 trips after 60s
    expect(journal.run.filter((r) => r.type === 'stop-condition')).toHaveLength(3);
    expect(svc.query).toBe(original);
  });

  it('dead-man timer reverts faults and aborts when the caller stops heartbeating during a hung action', async () => {
    const svc = service();
    const original = svc.query;
    const experiment: Experiment = {
      title: 'hang',
      method: [
        { type: 'action', name: 'break-query', provider: { type: 'function', name: 'breakQuery' } },
        { type: 'action', name: 'hang', provider: { type: 'function', name: 'hang' } },
      ],
    };
    const run = startExperiment(experiment, { registry: { ...registryFor(svc, 1), hang: () => new Promise(() => undefined) }, deadManMs: 50 });
    const journal = await run.journal;
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toContain('dead-man');
    expect(svc.query).toBe(original);
    expect(run.activeFaults()).toEqual([]);
  });

  it('aborts at the hard maximum duration and on SIGTERM', async () => {
    const hung = await runExperiment({ title: 'max', maxDuration: 30, method: [{ type: 'action', name: 'hang', provider: { type: 'function', name: 'hang' } }] }, { registry: { hang: () => new Promise(() => undefined) } });
    expect(hung.status).toBe('aborted');
    expect(hung.reason).toContain('maximum duration');

    const run = startExperiment({ title: 'sig', method: [{ type: 'action', name: 'hang', provider: { type: 'function', name: 'hang' } }] }, { registry: { hang: () => new Promise(() => undefined) }, handleProcessSignals: true });
    setImmediate(() => process.emit('SIGTERM'));
    const journal = await run.journal;
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toBe('received SIGTERM');
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('runs http providers against a real server and judges them by tolerance', async () => {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const journal = await runExperiment({
      title: 'http',
      steadyStateHypothesis: { title: 'up', probes: [{ type: 'probe', name: 'up', provider: { type: 'http', url: `${base}/up`, calls: 3 } }] },
      method: [{ type: 'probe', name: 'down', provider: { type: 'http', url: `${base}/down` }, tolerance: { type: 'range', path: 'errorRatio', range: [0, 0.1] } }],
    });
    expect(journal.status).toBe('completed');
    expect(journal.steadyStateBefore?.probes[0]).toMatchObject({ toleranceMet: true, output: { calls: 3, statuses: [200, 200, 200] } });
    expect(journal.run[0]).toMatchObject({ toleranceMet: false, output: { errorRatio: 1 } });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('rejects an invalid experiment before running anything', async () => {
    await expect(runExperiment({ title: 'no method' })).rejects.toMatchObject({ code: 'CHAOS_EXPERIMENT_INVALID' });
  });

  it('reports an unknown registry function as a failed activity with CHAOS_PROVIDER_UNKNOWN', async () => {
    const journal = await runExperiment({ title: 'x', method: [{ type: 'action', name: 'a', provider: { type: 'function', name: 'missing' } }] }, { scheduler: new VirtualScheduler() });
    expect(journal.status).toBe('failed');
    expect(journal.run[0]?.error?.code).toBe('CHAOS_PROVIDER_UNKNOWN');
  });

  it('enforces the cap on concurrent faults', async () => {
    const svc = service();
    const other = service();
    const original = other.query;
    const journal = await runExperiment(
      { title: 'cap', method: [{ type: 'action', name: 'a', provider: { type: 'function', name: 'a' } }, { type: 'action', name: 'b', provider: { type: 'function', name: 'b' } }] },
      { registry: { a: () => injectMethodFault(svc, 'query', { errorRate: 1 }), b: () => injectMethodFault(other, 'query', { errorRate: 1 }) }, maxConcurrentFaults: 1, scheduler: new VirtualScheduler() },
    );
    expect(journal.status).toBe('failed');
    expect(journal.run[1]?.error?.code).toBe('CHAOS_BLAST_RADIUS_EXCEEDED');
    expect(other.query).toBe(original);
  });
});
