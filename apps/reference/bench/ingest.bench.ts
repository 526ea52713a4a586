// Sustained span ingest over OTLP/HTTP: 512-span batches from concurrent senders into a server
// started as its own process, on PGlite and (when DATABASE_URL is set) PostgreSQL. Reports
// acknowledged spans/s, request latency p50/p99, the server's peak RSS, and checks that every
// acknowledged span is stored.
import { percentile } from '@sightline/bench';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BATCH = 512;
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const appDir = join(import.meta.dirname, '..');

function batchBody(): string {
  const now = Date.now();
  const traceId = randomBytes(16).toString('hex');
  const spans = [];
  for (let i = 0; i < BATCH; i++) {
    spans.push({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: i === 0 ? undefined : '00000000000000ff',
      name: i === 0 ? 'POST /checkout' : `db.query ${i % 7}`,
      kind: i === 0 ? 2 : 3,
      startTimeUnixNano: `${now}000000`,
      endTimeUnixNano: `${now + 3}000000`,
      attributes: [
        { key: 'http.route', value: { stringValue: '/checkout' } },
        { key: 'db.system.name', value: { stringValue: 'postgresql' } },
        { key: 'retry', value: { intValue: '0' } },
      ],
      status: { code: i % 50 === 0 ? 2 : 0 },
    });
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] });
}

async function run(label: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, ['dist/main.js', 'serve', '--port', '0', ...args], { cwd: appDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match !== null) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const bodies = Array.from({ length: 64 }, batchBody); // span ids repeat across laps: count distinct stored below
  const latencies: number[] = [];
  let acknowledged = 0;
  let refused = 0;
  let lap = 0;
  const deadline = Date.now() + SECONDS * 1_000;
  const started = Date.now();
  const sender = async () => {
    while (Date.now() < deadline) {
      const body = bodies[lap++ % bodies.length]!.replace(/"traceId":"[0-9a-f]{32}"/g, `"traceId":"${randomBytes(16).toString('hex')}"`);
      const t = performance.now();
      const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      latencies.push(performance.now() - t);
      if (response.ok) acknowledged += BATCH;
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const elapsed = (Date.now() - started) / 1_000;
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const peakRss = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const services = (await (await fetch(`${url}/api/v1/services?since=${Date.now() - 3_600_000}`)).json()) as { services: { service: string; spans: number }[] };
  const stored = services.services.find((s) => s.service === 'bench')?.spans ?? 0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  console.log(
    `| ${label} | ${(acknowledged / elapsed).toFixed(0)} spans/s | ${percentile(latencies, 50).toFixed(1)} ms | ${percentile(latencies, 99).toFixed(1)} ms | ${peakRss.toFixed(0)} MiB | ${refused} | ${stored === acknowledged ? 'yes' : `NO (${stored} of ${acknowledged})`} |`,
  );
}

console.log(`\n## OTLP/HTTP span ingest: ${SENDERS} senders, ${BATCH}-span batches, ${SECONDS}s each`);
console.log('| storage | acknowledged rate | p50 request | p99 request | server peak RSS | 503s | all acknowledged stored |');
console.log('|---|---:|---:|---:|---:|---:|---|');
const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
await run('PGlite (embedded)', ['--data-dir', dataDir], { DATABASE_URL: '' });
rmSync(dataDir, { recursive: true, force: true });

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: databaseUrl });
const reachable = await admin.connect().then(() => true, () => false);
if (reachable) {
  const name = `sightline_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const target = new URL(databaseUrl);
  target.pathname = `/${name}`;
  await run('PostgreSQL 15 (local)', [], { DATABASE_URL: target.toString() });
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
} else {
  console.log('| PostgreSQL | not reachable at DATABASE_URL; skipped | | | | | |');
}
