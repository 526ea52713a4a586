import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseDuration } from '@sightline/core';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp, type App } from '../src/app.js';
import { runCli } from '../src/cli/main.js';
import { loadConfig, type Config } from '../src/config.js';
import { variablesTheAppReads } from './app-env.js';

// docs/guides/production.md promises that every YAML file it shows is accepted by the app and
// that every `node dist/main.js` command it shows runs; docs/architecture.md that its dependency
// table is what the packages' manifests say. This suite holds them to that.
const guidePath = resolve(import.meta.dirname, '../../../docs/guides/production.md');
const guide = readFileSync(guidePath, 'utf8');

/** The bodies of the fenced blocks of one language, in order. */
function fenced(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const pattern = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm');
  for (const match of markdown.matchAll(pattern)) blocks.push(match[1] ?? '');
  return blocks;
}

const yamlBlocks = fenced(guide, 'yaml');
const shBlocks = fenced(guide, 'sh');
const days = (n: number) => parseDuration(`${n}d`);

describe('docs/guides/production.md: configuration files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads a YAML block as the app would, with no environment, so only the file counts. */
  function load(index: number): Config {
    const file = join(dir, `block-${index}.yaml`);
    writeFileSync(file, yamlBlocks[index] ?? '');
    return loadConfig({ file, env: {} });
  }

  it('shows the YAML files this suite checks', () => {
    expect(yamlBlocks).toHaveLength(2);
  });

  it.each(yamlBlocks.map((_block, i) => [i]))('YAML block %i is accepted by loadConfig', (i) => {
    expect(() => load(i)).not.toThrow();
  });

  it('the production file means what the guide says', () => {
    const config = load(0);
    expect(config.server).toEqual({ host: '0.0.0.0', port: 4318, grpcPort: 4317, bodyLimitBytes: 8_388_608, ingestConcurrency: 32 });
    expect(config.storage.databaseUrl).toBe('postgres://sightline@db.internal:5432/sightline');
    expect(config.retention).toEqual({ spans: days(14), logs: days(14), metrics: days(90), alerts: days(180) });
    expect(config.alerts.dispatchIntervalMs).toBe(5_000);
    expect(config.alerts.webhooks.map((w) => [w.name, w.format ?? 'generic'])).toEqual([['ops', 'generic'], ['chat', 'slack']]);
    expect(config.alerts.escalation).toEqual([{ afterMs: 0, sinks: ['log', 'ops', 'chat'] }]);
    expect(config.slos).toEqual({ file: '/etc/sightline/slos.yaml', evaluationIntervalMs: 15_000 });
    expect(config.access.mode).toBe('token');
    expect(config.access.tokens.map((t) => [t.principal.id, t.principal.kind, t.principal.team, t.principal.roles])).toEqual([
      ['vera', 'user', 'payments', ['viewer']],
      ['ci', 'service', undefined, ['operator']],
      ['payments-otel', 'service', 'payments', ['ingest']],
    ]);
    expect(config.access.serviceOwners).toEqual({ payments: 'payments', checkout: 'payments' });
  });

  it('the example token hashes to the first token of the production file', () => {
    const token = /the token `([^`]+)` hashes to the first `sha256`/.exec(guide)?.[1];
    expect(token).toBeDefined();
    const sha256 = createHash('sha256').update(token!).digest('hex');
    expect(load(0).access.tokens[0]?.sha256).toBe(sha256);
    // The CLI example exports the same token.
    expect(guide).toContain(`export SIGHTLINE_TOKEN=${token}`);
    const ingestToken = /the token\s+`([^`]+)` hashes to the third/.exec(guide)?.[1];
    expect(ingestToken).toBeDefined();
    expect(load(0).access.tokens[2]?.sha256).toBe(createHash('sha256').update(ingestToken!).digest('hex'));
  });

  it('the smaller retention block sets what it shows', () => {
    expect(load(1).retention).toEqual({ spans: days(3), logs: days(3), metrics: days(30), alerts: days(30) });
  });
});

describe('docs/guides/production.md: environment variables', () => {
  it('the table lists exactly the variables the app reads', () => {
    const section = guide.slice(guide.indexOf('### Environment variables'), guide.indexOf('## Storage: PostgreSQL'));
    const documented = new Set([...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));
    expect([...documented].sort()).toEqual(variablesTheAppReads());
  });

  it('the variables set what the table says, over the file', () => {
    const config = loadConfig({
      env: {
        SIGHTLINE_HOST: '0.0.0.0',
        SIGHTLINE_PORT: '9000',
        DATABASE_URL: 'postgres://sightline@db.internal:5432/sightline',
        SIGHTLINE_DATA_DIR: '/var/lib/sightline',
        SIGHTLINE_SLO_FILE: '/etc/sightline/slos.yaml',
        SIGHTLINE_WEBHOOK_URL: 'https://hooks.internal.example/sightline',
        SIGHTLINE_ALERTMANAGER_URL: 'http://alertmanager.internal:9093',
      },
    });
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.port).toBe(9000);
    expect(config.storage).toEqual({ databaseUrl: 'postgres://sightline@db.internal:5432/sightline', dataDir: '/var/lib/sightline' });
    expect(config.slos.file).toBe('/etc/sightline/slos.yaml');
    expect(config.alerts.webhooks).toEqual([{ name: 'default', url: 'https://hooks.internal.example/sightline' }]);
    expect(config.alerts.alertmanagers).toEqual([{ name: 'alertmanager', url: 'http://alertmanager.internal:9093' }]);
  });
});

describe('docs/guides/production.md: CLI commands', () => {
  let app: App;
  let url: string;
  const savedToken = process.env.SIGHTLINE_TOKEN;

  /** Each `node dist/main.js ...` line with the token its block exports (if any). */
  const commands = shBlocks.flatMap((block) => {
    const token = /^export SIGHTLINE_TOKEN=(\S+)$/m.exec(block)?.[1];
    return block
      .split('\n')
      .map((line) => /(?:^|\s)node dist\/main\.js (.+)$/.exec(line)?.[1])
      .filter((args): args is string => args !== undefined)
      .map((args) => ({ args: args.trim().split(/\s+/), token }));
  });

  async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
  }

  beforeAll(async () => {
    // The production file's access settings, on in-memory storage (no PostgreSQL, no SLO file).
    const dir = mkdtempSync(join(tmpdir(), 'sightline-docs-'));
    const file = join(dir, 'sightline.yaml');
    writeFileSync(file, yamlBlocks[0] ?? '');
    const config = loadConfig({ file, env: {} });
    rmSync(dir, { recursive: true, force: true });
    app = await createApp({ storage: {}, log: () => undefined, config: { access: config.access, retention: config.retention } });
    url = await app.listen(0);
  });
  afterAll(async () => {
    if (savedToken === undefined) delete process.env.SIGHTLINE_TOKEN;
    else process.env.SIGHTLINE_TOKEN = savedToken;
    await app.close();
  });

  it('shows serve and query commands', () => {
    expect(commands.some((c) => c.args[0] === 'serve')).toBe(true);
    expect(commands.some((c) => c.args[0] !== 'serve')).toBe(true);
  });

  it('every serve command line is accepted (its options parsed, with --help so nothing starts)', async () => {
    for (const { args } of commands.filter((c) => c.args[0] === 'serve')) {
      const result = await cli([...args, '--help']);
      expect({ args, code: result.code, err: result.err }).toEqual({ args, code: 0, err: '' });
    }
  });

  it('every query command runs against a token-mode server with the token the guide exports', async () => {
    for (const { args, token } of commands.filter((c) => c.args[0] !== 'serve')) {
      if (token === undefined) delete process.env.SIGHTLINE_TOKEN;
      else process.env.SIGHTLINE_TOKEN = token;
      const result = await cli([...args, '--url', url]);
      expect({ args, code: result.code, err: result.err }).toEqual({ args, code: 0, err: '' });
    }
  });

  it('OTLP ingest takes the ingest token the guide shows, and refuses a request without one', async () => {
    const ingestToken = /the token\s+`([^`]+)` hashes to the third/.exec(guide)![1]!;
    const now = Date.now();
    const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] }, scopeSpans: [{ spans: [
      { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'POST /charge', kind: 2, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 20}000000` },
    ] }] }] });
    const send = (headers: Record<string, string>) => fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await send({})).status).toBe(401);
    const accepted = await send({ authorization: `Bearer ${ingestToken}` });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({});
  });

  it('without a token the API refuses the same commands (token mode is on)', async () => {
    delete process.env.SIGHTLINE_TOKEN;
    const result = await cli(['slo', 'list', '--url', url]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/UNAUTHENTICATED/);
  });
});

describe('docs/architecture.md: the dependency table', () => {
  const repoRoot = resolve(import.meta.dirname, '../../..');
  const architecture = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8');
  const section = architecture.slice(architecture.indexOf('## Dependency rule'), architecture.indexOf('The rule, as the code keeps it'));
  const rows = [...section.matchAll(/^\| `([a-z]+)` \|(.*)\|(.*)\|(.*)\|$/gm)];
  const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

  it('has a row for every package under packages/', () => {
    expect(rows.map((r) => r[1]).sort()).toEqual(readdirSync(join(repoRoot, 'packages')).filter((d) => statSync(join(repoRoot, 'packages', d)).isDirectory()).sort());
  });

  it.each(rows.map((r) => [r[1]!, r] as const))('%s: dependencies and peer dependencies as in its package.json', (name, row) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    const documented = [...ticked(row[2]!).map((n) => `@sightline/${n}`), ...ticked(row[3]!)];
    expect(documented.sort()).toEqual(Object.keys(manifest.dependencies ?? {}).sort());
    const peers = ticked(row[4]!).filter((t) => t.startsWith('@') && !t.startsWith('@sightline/'));
    expect(peers.sort()).toEqual(Object.keys(manifest.peerDependencies ?? {}).sort());
  });
});
