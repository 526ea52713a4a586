// Kill the server with SIGKILL in the middle of ingest, restart it on the same data directory,
// and check that every request that was answered 2xx is in storage.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const appDir = join(import.meta.dirname, '..');

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match !== null) resolve(match[1]!);
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${out}`)));
  });
  return { child, url };
}

function batch(traceId: string, size: number): string {
  const now = Date.now();
  const spans = Array.from({ length: size }, (_, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `op-${i}`,
    kind: 1,
    startTimeUnixNano: `${now}000000`,
    endTimeUnixNano: `${now + 1}000000`,
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'load' } }] }, scopeSpans: [{ spans }] }] });
}

describe('restart after SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every span whose request was acknowledged', async () => {
    const first = await startServer(dataDir);
    // As a load balancer would: send once the server says it is ready.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const acknowledged: string[] = [];
    let killed = false;
    let reachedTarget: () => void = () => undefined;
    const target = new Promise<void>((resolve) => (reachedTarget = resolve));
    // Four concurrent senders, each posting 64-span batches as one trace per request.
    const sender = async () => {
      while (!killed) {
        const traceId = randomBytes(16).toString('hex');
        try {
          const response = await fetch(`${first.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch(traceId, 64), signal: AbortSignal.timeout(10_000) });
          if (response.ok && !killed) acknowledged.push(traceId);
          if (acknowledged.length >= 40) reachedTarget();
        } catch {
          // the server died mid-request: this batch was never acknowledged
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    await target;
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(senders);
    await exited;

    const second = await startServer(dataDir);
    try {
      for (const traceId of acknowledged) {
        const response = await fetch(`${second.url}/api/v1/traces/${traceId}`);
        expect(response.status).toBe(200);
        expect(((await response.json()) as { spans: unknown[] }).spans).toHaveLength(64);
      }
    } finally {
      const exited = new Promise((resolve) => second.child.once('exit', resolve));
      second.child.kill('SIGTERM');
      await exited;
    }
  });
});
