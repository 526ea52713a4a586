import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@sightline/core';
import { parseExperiment, validateExperiment } from '../src/experiment.js';
import type { Experiment } from '../src/experiment.js';
import { runExperiment, startExperiment } from '../src/runner.js';
import { VirtualScheduler } from '../src/scheduler.js';
import { isWithinTolerance } from '../src/tolerance.js';
import { runProcess } from '../src/probes/process-provider.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'chaostoolkit');
const fixture = (name: string): Experiment => parseExperiment(readFileSync(join(fixtures, name), 'utf8'));

function issuesOf(fn: () => unknown): [string, string][] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => [i.path.join('.'), i.code]);
  }
  throw new Error('expected a ValidationError');
}

const NODE = process.execPath;

describe('Chaos Toolkit experiment format', () => {
  it('loads every Chaos Toolkit fixture (JSON and YAML) with its hyphenated steady-state-hypothesis kept', () => {
    const files = readdirSync(fixtures).sort();
    expect(files).toEqual(['exploratory.yaml', 'flag-file.yaml', 'http-service-stays-up.json', 'kubernetes-python.json', 'process-probes.yaml']);
    const loaded = files.map(fixture);
    expect(loaded.map((e) => e.steadyStateHypothesis?.probes.length)).toEqual([undefined, 1, 2, 1, 2]);
    expect(loaded[2]?.steadyStateHypothesis?.title).toBe('The catalogue lists its items');
    // the version, contributions and extensions of the documented format are kept, not dropped
    expect(loaded[2]).toMatchObject({ version: '1.0.0', contributions: { availability: 'high' } });
    expect(loaded[0]?.extensions).toEqual([{ name: 'team', owner: 'payments' }]);
  });

  it('resolves a { ref } activity to the activity of that name in the experiment', () => {
    const e = fixture('exploratory.yaml');
    expect(e.method.map((a) => a.name)).toEqual(['queue-depth', 'burst', 'queue-depth']);
    expect(e.method[2]).toEqual(e.method[0]);
    expect(issuesOf(() => validateExperiment({ title: 't', method: [{ type: 'probe', ref: 'nowhere' }] }))).toEqual([['method.0.ref', 'CHAOS_REF_UNKNOWN']]);
    // a reference may point anywhere in the experiment, also to a rollback declared after it
    const later = validateExperiment({ title: 't', method: [{ type: 'action', ref: 'undo' }], rollbacks: [{ type: 'action', name: 'undo', provider: { type: 'function', name: 'undo' } }] });
    expect(later.method[0]?.name).toBe('undo');
  });

  it('accepts an empty method (an experiment that only checks its hypothesis) but not a missing one', async () => {
    const e = validateExperiment({ title: 't', 'steady-state-hypothesis': { title: 'up', probes: [{ type: 'probe', name: 'up', tolerance: true, provider: { type: 'function', name: 'up' } }] }, method: [] });
    const journal = await runExperiment(e, { registry: { up: () => true }, scheduler: new VirtualScheduler() });
    expect([journal.status, journal.steadyStateBefore?.met, journal.steadyStateAfter?.met]).toEqual(['completed', true, true]);
    expect(issuesOf(() => validateExperiment({ title: 't' }))).toEqual([['method', 'CHAOS_METHOD_REQUIRED']]);
  });

  it('fails an activity that outlives its own timeout (seconds) and reverts a fault that arrives late', async () => {
    let release: (value: unknown) => void = () => undefined;
    let reverted = 0;
    const late = { description: 'late fault', active: true, revert: async () => void (reverted += 1), stats: () => ({}) };
    const journal = await runExperiment(
      { title: 't', method: [{ type: 'action', name: 'slow', timeout: 0.05, provider: { type: 'function', name: 'slow' } }] },
      { scheduler: new VirtualScheduler(), registry: { slow: () => new Promise((resolve) => (release = resolve)) } },
    );
    expect(journal.status).toBe('failed');
    expect(journal.run[0]?.error?.code).toBe('CHAOS_ACTIVITY_TIMEOUT');
    release(late);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reverted).toBe(1);
    expect(issuesOf(() => validateExperiment({ title: 't', method: [{ type: 'action', name: 'a', timeout: 'soon', provider: { type: 'function', name: 'f' } }] }))).toEqual([['method.0.timeout', 'CHAOS_ACTIVITY_TIMEOUT']]);
  });

  it('reports unknown keys at every level instead of dropping them', () => {
    const issues = issuesOf(() =>
      validateExperiment({
        title: 't',
        steady_state_hypothesis: { title: 'misspelt', probes: [] },
        method: [{ type: 'probe', name: 'p', provider: { type: 'process', path: 'node', timout: 3 }, tolerence: 0, pauses: { afterwards: 1 } }],
      }),
    );
    expect(issues).toEqual([
      ['steady_state_hypothesis', 'CHAOS_UNKNOWN_KEY'],
      ['method.0.tolerence', 'CHAOS_UNKNOWN_KEY'],
      ['method.0.provider.timout', 'CHAOS_UNKNOWN_KEY'],
      ['method.0.pauses.afterwards', 'CHAOS_UNKNOWN_KEY'],
    ]);
    expect(issuesOf(() => validateExperiment({ title: 't', 'steady-state-hypothesis': { title: 'a' }, steadyStateHypothesis: { title: 'b' }, method: [{ type: 'action', name: 'a', provider: { type: 'function', name: 'f' } }] }))).toEqual([
      ['steadyStateHypothesis', 'CHAOS_SSH_DUPLICATE'],
    ]);
  });

  it('checks the documented provider and tolerance shapes', () => {
    const issues = issuesOf(() =>
      validateExperiment({
        title: 't',
        method: [
          { type: 'probe', name: 'a', provider: { type: 'process', arguments: { '--flag': 1 }, timeout: -1 } },
          { type: 'probe', name: 'b', provider: { type: 'http', url: 'http://x', timeout: [1] }, tolerance: { type: 'regex', pattern: '(' } },
          { type: 'probe', name: 'c', provider: { type: 'python', module: 'chaosk8s' }, tolerance: { type: 'jsonpath', path: 'items' } },
          { type: 'probe', name: 'd', provider: { type: 'function', name: 'f' }, tolerance: { type: 'range', range: [5, 1] } },
        ],
        configuration: { port: { type: 'env', key: 'PORT', env_var_type: 'integer' } },
      }),
    );
    expect(issues).toEqual([
      ['method.0.provider.path', 'CHAOS_PROVIDER_PATH'],
      ['method.0.provider.timeout', 'CHAOS_PROVIDER_TIMEOUT'],
      ['method.1.provider.timeout', 'CHAOS_PROVIDER_TIMEOUT'],
      ['method.1.tolerance.pattern', 'CHAOS_TOLERANCE_PATTERN'],
      ['method.2.provider.func', 'CHAOS_PROVIDER_NAME'],
      ['method.2.tolerance.path', 'CHAOS_TOLERANCE_PATH'],
      ['method.3.tolerance.range', 'CHAOS_TOLERANCE_RANGE'],
      ['configuration.port.env_var_type', 'CHAOS_CONFIGURATION_TYPE'],
    ]);
  });
});

describe('tolerances as Chaos Toolkit defines them', () => {
  it('compares a literal with the output, or with its status when the output has one', () => {
    expect(isWithinTolerance(true, true)).toBe(true);
    expect(isWithinTolerance('ok', 'ok')).toBe(true);
    expect(isWithinTolerance(200, { status: 200, body: '' })).toBe(true);
    expect(isWithinTolerance(0, { status: 1, stdout: '' })).toBe(false);
  });

  it('reads a list as accepted statuses, as a [min, max] range of two numbers, or as accepted values', () => {
    expect(isWithinTolerance([200, 204], { status: 204 })).toBe(true);
    expect(isWithinTolerance([200, 204], { status: 201 })).toBe(false); // statuses: membership, not a range
    expect(isWithinTolerance([10, 20], 15)).toBe(true);
    expect(isWithinTolerance([10, 20], 21)).toBe(false);
    expect(isWithinTolerance(['green', 'amber', 'blue'], 'amber')).toBe(true);
  });

  it('applies range, regex and jsonpath tolerances to the targeted field of the output', () => {
    expect(isWithinTolerance({ type: 'range', range: [0, 100], target: 'stdout' }, { stdout: '42\n' })).toBe(true);
    expect(isWithinTolerance({ type: 'range', range: [0.5, 1.5] }, 2)).toBe(false);
    expect(isWithinTolerance({ type: 'regex', pattern: '^ready', target: 'stdout' }, { stdout: 'ready: 3 replicas' })).toBe(true);
    expect(isWithinTolerance({ type: 'regex', pattern: 'ready$' }, 'not yet')).toBe(false);
    const body = { store: { books: [{ title: 'A', price: 8 }, { title: 'B', price: 12 }, { title: 'C', price: 30 }] } };
    expect(isWithinTolerance({ type: 'jsonpath', path: '$.store.books[*].title', expect: ['A', 'B', 'C'], target: 'body' }, { body })).toBe(true);
    expect(isWithinTolerance({ type: 'jsonpath', path: '$..books[?(@.price < 10)].title', expect: 'A', target: 'body' }, { body })).toBe(true);
    expect(isWithinTolerance({ type: 'jsonpath', path: '$..price', count: 3, target: 'body' }, { body: JSON.stringify(body) })).toBe(true);
    expect(isWithinTolerance({ type: 'jsonpath', path: '$.store.bicycle', target: 'body' }, { body })).toBe(false);
    expect(isWithinTolerance({ type: 'jsonpath', path: '$.store.books[-1:].price', expect: [30], target: 'body' }, { body })).toBe(true);
  });
});

describe('process providers', () => {
  it('runs the command and returns its exit status, stdout and stderr', async () => {
    const ok = await runProcess({ path: NODE, arguments: ['-e', 'console.log("up"); console.error("warn")'], timeout: 20 });
    expect(ok).toEqual({ status: 0, stdout: 'up\n', stderr: 'warn\n' });
    const failing = await runProcess({ path: NODE, arguments: ['-e', 'process.exit(3)'] });
    expect(failing.status).toBe(3);
    // a string of arguments goes through the shell, appended to the path
    const shell = await runProcess({ path: JSON.stringify(NODE), arguments: '-e "console.log(1 + 1)"' });
    expect(shell.stdout).toBe('2\n');
    // a mapping becomes key value pairs
    const mapped = await runProcess({ path: NODE, arguments: { '-e': 'console.log(process.argv.slice(1).join(","))', '--': null, a: 'b' } });
    expect(mapped.stdout).toBe('a,b\n');
  });

  it('kills a command that outlives its timeout and fails the activity with CHAOS_PROCESS_TIMEOUT', async () => {
    await expect(runProcess({ path: NODE, arguments: ['-e', 'setInterval(() => {}, 1000)'], timeout: 0.3 })).rejects.toMatchObject({ code: 'CHAOS_PROCESS_TIMEOUT' });
    await expect(runProcess({ path: '/no/such/command' })).rejects.toMatchObject({ code: 'CHAOS_PROCESS_START' });
    const journal = await runExperiment(
      { title: 't', method: [{ type: 'probe', name: 'hangs', provider: { type: 'process', path: NODE, arguments: ['-e', 'setInterval(() => {}, 1000)'], timeout: 0.3 } }] },
      { scheduler: new VirtualScheduler() },
    );
    expect(journal.status).toBe('failed');
    expect(journal.run[0]?.error?.code).toBe('CHAOS_PROCESS_TIMEOUT');
  });

  it('runs the YAML fixture: status and stdout tolerances, secrets and configuration from the environment, pauses in seconds, rollbacks', async () => {
    const scheduler = new VirtualScheduler(0);
    const journal = await runExperiment(fixture('process-probes.yaml'), { scheduler, env: { WORKER_NAME: 'worker-7', WORKER_API_KEY: 's3cret', PATH: process.env.PATH } });
    expect(journal.status).toBe('completed');
    expect(journal.steadyStateBefore?.probes.map((p) => [p.name, p.toleranceMet])).toEqual([
      ['health-command-exits-zero', true],
      ['health-output-says-healthy', true],
    ]);
    expect(journal.run.map((r) => [r.name, r.status, r.toleranceMet])).toEqual([
      ['restart-worker', 'succeeded', undefined],
      ['worker-exit-code-is-in-range', 'succeeded', true],
    ]);
    expect((journal.run[0]?.output as { stdout: string }).stdout).toBe('restart:s3cret');
    expect((journal.rollbacks[0]?.output as { stdout: string }).stdout).toBe('hello again\n');
    // pauses.after: 2 is two seconds (Chaos Toolkit), on the virtual clock
    expect(journal.durationMs).toBe(2000);
  });

  it('deviates when a real command breaks the steady state, and the rollback repairs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-flag-'));
    const flagFile = join(dir, 'flag.json');
    writeFileSync(flagFile, JSON.stringify({ enabled: true }));
    try {
      const journal = await runExperiment(fixture('flag-file.yaml'), { scheduler: new VirtualScheduler(), env: { FLAG_FILE: flagFile, PATH: process.env.PATH } });
      expect([journal.status, journal.steadyStateBefore?.met, journal.steadyStateAfter?.met]).toEqual(['deviated', true, false]);
      expect(journal.rollbacks.map((r) => [r.name, r.status])).toEqual([['restore-the-flag', 'succeeded']]);
      expect(JSON.parse(readFileSync(flagFile, 'utf8'))).toEqual({ enabled: true });
      expect(journal.durationMs).toBe(500); // pauses.after: 0.5 s
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every missing environment variable before running anything', () => {
    const issues = issuesOf(() => startExperiment(fixture('process-probes.yaml'), { env: {} }));
    expect(issues).toEqual([
      ['configuration.worker_name', 'CHAOS_ENV_MISSING'],
      ['secrets.ops.api_key', 'CHAOS_ENV_MISSING'],
    ]);
    let message = '';
    try {
      startExperiment(fixture('process-probes.yaml'), { env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('WORKER_NAME');
    expect(message).toContain('WORKER_API_KEY');
    expect(issuesOf(() => startExperiment(fixture('http-service-stays-up.json'), { env: { CATALOGUE_URL: 'http://x', CATALOGUE_TOKEN: 't', CATALOGUE_ITEMS: 'two' } }))).toEqual([
      ['configuration.expected_items', 'CHAOS_ENV_TYPE'],
    ]);
  });
});

describe('http providers', () => {
  const seen: { method: string; url: string; authorization?: string; body: string }[] = [];
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}), body });
        if (request.url?.startsWith('/items')) {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ items: [{ id: 'a1' }, { id: 'b2' }] }));
        } else if (request.url === '/never') {
          // never answers: only the caller's timeout ends the call
        } else if (request.url === '/cache/flush' || request.url === '/cache/last-flush') {
          response.statusCode = 202;
          response.end('accepted');
        } else {
          response.statusCode = 404;
          response.end();
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('runs the JSON fixture: status, status list and JSON path tolerances, headers and a JSON body with a secret', async () => {
    seen.length = 0;
    const journal = await runExperiment(fixture('http-service-stays-up.json'), { scheduler: new VirtualScheduler(), env: { CATALOGUE_URL: base, CATALOGUE_TOKEN: 'tok-1' } });
    expect(journal.status).toBe('completed');
    expect(journal.steadyStateAfter?.probes.map((p) => p.toleranceMet)).toEqual([true, true]);
    expect(journal.run.map((r) => [r.name, r.toleranceMet])).toEqual([
      ['flush-the-cache', undefined],
      ['flush-was-accepted', true],
      ['catalogue-answers-200', true],
    ]);
    const flush = seen.find((s) => s.url === '/cache/flush');
    expect(flush).toEqual({ method: 'POST', url: '/cache/flush', authorization: 'Bearer tok-1', body: '{"scope":"all"}' });
    expect(journal.durationMs).toBe(1000);
  });

  it('sends GET arguments as query parameters and compares the status (even a 404) with the tolerance', async () => {
    seen.length = 0;
    const journal = await runExperiment(
      {
        title: 'missing page',
        'steady-state-hypothesis': { title: 'home is up', probes: [{ type: 'probe', name: 'items', tolerance: 200, provider: { type: 'http', url: `${base}/items`, arguments: { page: 2, q: 'a b' } } }] },
        method: [{ type: 'probe', name: 'missing', tolerance: 404, provider: { type: 'http', url: `${base}/missing` } }],
      },
      { scheduler: new VirtualScheduler() },
    );
    expect(journal.status).toBe('completed');
    expect(seen[0]?.url).toBe('/items?page=2&q=a+b');
    expect(journal.run[0]?.toleranceMet).toBe(true);
    expect((journal.run[0]?.output as { status: number }).status).toBe(404);
  });

  it('ends a call at its timeout in seconds: no response is status 0, out of a 200 tolerance', async () => {
    const journal = await runExperiment({ title: 't', method: [{ type: 'probe', name: 'never', tolerance: 200, provider: { type: 'http', url: `${base}/never`, timeout: 0.1 } }] }, { scheduler: new VirtualScheduler() });
    expect(journal.run[0]?.toleranceMet).toBe(false);
    expect(journal.run[0]?.output).toMatchObject({ status: 0, body: null, errors: 1 });
  });

  it('retries a call that got no response up to max_retries times', async () => {
    let attempts = 0;
    const flaky = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      attempts += 1;
      if (attempts % 3 !== 0) throw new TypeError('fetch failed');
      return fetch(input, init);
    }) as typeof fetch;
    const probe = (retries: number) => ({ title: 't', method: [{ type: 'probe', name: 'items', tolerance: 200, provider: { type: 'http', url: `${base}/items`, max_retries: retries } }] });
    const twice = await runExperiment(probe(2), { fetch: flaky, scheduler: new VirtualScheduler() });
    expect([attempts, twice.run[0]?.toleranceMet]).toEqual([3, true]);
    attempts = 0;
    const once = await runExperiment(probe(1), { fetch: flaky, scheduler: new VirtualScheduler() });
    expect([attempts, once.run[0]?.toleranceMet, (once.run[0]?.output as { status: number }).status]).toEqual([2, false, 0]);
  });

  it('judges with a probe tolerance called with the output as value', async () => {
    const values: unknown[] = [];
    const journal = await runExperiment(
      // a tolerance probe is written as a whole probe (pauses included); only its provider is used
      { title: 't', method: [{ type: 'probe', name: 'items', tolerance: { type: 'probe', name: 'has-items', pauses: { after: 1 }, provider: { type: 'function', name: 'hasItems', arguments: { min: 2 } } }, provider: { type: 'http', url: `${base}/items` } }] },
      {
        scheduler: new VirtualScheduler(),
        registry: {
          hasItems: ({ value, min }) => {
            values.push(value);
            return ((value as { body: { items: unknown[] } }).body.items.length >= (min as number));
          },
        },
      },
    );
    expect(journal.run[0]?.toleranceMet).toBe(true);
    expect((values[0] as { status: number }).status).toBe(200);
  });
});

describe('what is not supported is reported, with names', () => {
  it('refuses python providers naming module and function, unless a function is registered under that name', async () => {
    const e = fixture('kubernetes-python.json');
    expect(issuesOf(() => startExperiment(e))).toEqual([
      ['steadyStateHypothesis.probes.0.provider', 'CHAOS_PROVIDER_UNSUPPORTED'],
      ['method.0.provider', 'CHAOS_PROVIDER_UNSUPPORTED'],
    ]);
    let message = '';
    try {
      startExperiment(e);
    } catch (error) {
      message = (error as ValidationError).issues.map((i) => i.message).join('\n');
    }
    expect(message).toContain('chaosk8s.pod.probes.pods_in_phase');
    expect(message).toContain('chaosk8s.pod.actions.terminate_pods');
    const calls: unknown[] = [];
    const journal = await runExperiment(e, {
      scheduler: new VirtualScheduler(),
      registry: {
        'chaosk8s.pod.probes.pods_in_phase': () => true,
        'chaosk8s.pod.actions.terminate_pods': (args) => calls.push(args),
      },
    });
    expect(journal.status).toBe('completed');
    // configuration substituted into the arguments; pauses.after: 10 is ten seconds
    expect(calls).toEqual([{ label_selector: 'app=checkout', qty: 1, ns: 'shop' }]);
    expect(journal.durationMs).toBe(10_000);
  });

  it('applies a python provider timeout (seconds) to its registered stand-in', async () => {
    const journal = await runExperiment(
      { title: 't', method: [{ type: 'action', name: 'drain', provider: { type: 'python', module: 'chaosk8s.node.actions', func: 'drain_nodes', timeout: 0.05 } }] },
      { scheduler: new VirtualScheduler(), registry: { 'chaosk8s.node.actions.drain_nodes': () => new Promise(() => undefined) } },
    );
    expect(journal.run[0]?.error?.code).toBe('CHAOS_ACTIVITY_TIMEOUT');
  });

  it('reports controls, background activities, runtime strategies and non-env secret stores', () => {
    const issues = issuesOf(() =>
      startExperiment({
        title: 't',
        controls: [{ name: 'tracing', provider: { type: 'python', module: 'chaostracing.control' } }],
        runtime: { rollbacks: { strategy: 'always' } },
        secrets: { k8s: { token: { type: 'vault', path: 'secret/k8s' } } },
        method: [{ type: 'action', name: 'a', background: true, provider: { type: 'function', name: 'f' } }],
      }),
    );
    expect(issues).toEqual([
      ['method.0.background', 'CHAOS_BACKGROUND_UNSUPPORTED'],
      ['controls', 'CHAOS_CONTROLS_UNSUPPORTED'],
      ['runtime', 'CHAOS_RUNTIME_UNSUPPORTED'],
      ['secrets.k8s.token', 'CHAOS_CONFIGURATION_UNSUPPORTED'],
    ]);
  });
});
