// `pnpm start` runs the app through turbo, whose strict env mode hands a task only the variables
// turbo.json lists. Every variable the app reads must reach it, and `pnpm start -- --port N` must
// still reach the CLI: these tests run the root `start` task as turbo runs it and read what the
// app says it did.
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { variablesTheAppReads } from './app-env.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface TurboJson {
  tasks: Record<string, { passThroughEnv?: string[]; env?: string[] }>;
}

function passes(patterns: readonly string[], name: string): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** This process's environment without DATABASE_URL (CI sets it), so the app uses its data dir. */
function embeddedStorageEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DATABASE_URL;
  return env;
}

let started: ChildProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  if (started?.pid !== undefined && started.exitCode === null) {
    const exited = new Promise((resolve) => started!.once('exit', resolve));
    process.kill(-started.pid, 'SIGTERM');
    await exited;
  }
  started = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('pnpm start', () => {
  it('lets every variable the app reads through turbo', () => {
    const turbo = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8')) as TurboJson;
    const patterns = turbo.tasks.start?.passThroughEnv ?? [];
    const read = variablesTheAppReads();
    expect(read).toEqual(expect.arrayContaining(['DATABASE_URL', 'SIGHTLINE_CONFIG', 'SIGHTLINE_DATA_DIR', 'SIGHTLINE_PORT']));
    expect(read.filter((name) => !passes(patterns, name))).toEqual([]);
  });

  it('starts the app with SIGHTLINE_DATA_DIR, SIGHTLINE_CONFIG and -- --port as given', async () => {
    const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // `pnpm start` is `turbo run start`; `--only` skips the build tasks before it (the test
    // suite runs after the build, and rebuilding here would rewrite dist/ under other suites).
    expect(rootPackage.scripts.start).toBe('turbo run start');
    const dataDir = mkdtempSync(join(tmpdir(), 'sightline-start-data-'));
    const configDir = mkdtempSync(join(tmpdir(), 'sightline-start-config-'));
    dirs.push(dataDir, configDir);
    const configFile = join(configDir, 'sightline.yaml');
    const tokenHash = createHash('sha256').update('start-test-token').digest('hex');
    writeFileSync(configFile, `access:\n  mode: token\n  tokens:\n    - sha256: ${tokenHash}\n      principal: { id: ops, kind: user, roles: [admin] }\n`);
    const port = await freePort();
    started = spawn(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'start', '--only', '--filter=sightline', '--ui=stream', '--', '--port', String(port)], {
      cwd: root,
      detached: true,
      env: embeddedStorageEnv({ SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_CONFIG: configFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Wait for what the app prints once it listens (or for the task to die), not for time.
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (/access: .*\n/.test(output)) resolve();
      };
      started!.stdout!.on('data', check);
      started!.once('exit', (code) => reject(new Error(`pnpm start exited with ${code}:\n${output}`)));
    });
    expect(output).toContain(`Sightline is listening on http://127.0.0.1:${port} (storage: embedded PGlite in ${dataDir})`);
    expect(output).toContain("access: bearer tokens (1 configured, plus the demo services' ingest token)");
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    // In token mode the demo's services send with their own ingest token: their traces arrive.
    let services = '';
    while (!services.includes('"service":"checkout"')) {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/services?since=10m`, { headers: { authorization: 'Bearer start-test-token' } });
      expect(response.status).toBe(200);
      services = await response.text();
      if (!services.includes('"service":"checkout"')) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
