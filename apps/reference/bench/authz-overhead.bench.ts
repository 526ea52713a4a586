// What access control costs an API request: the same route, same data, through the app with the
// abac hook (bearer token → principal → decision with explanation → audit trail) and without it,
// in-process (Fastify inject, no sockets), interleaved runs, p50 and p99 per request.
//   pnpm exec tsx bench/authz-overhead.bench.ts
import { median, percentile } from '@sightline/bench';
import { createHash } from 'node:crypto';
import { createApp, type App } from '../src/app.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3_000);
const RUNS = 5;
const token = 'bench-token';
const tokens = [{ sha256: createHash('sha256').update(token).digest('hex'), principal: { id: 'vera', kind: 'user' as const, team: 'payments', roles: ['viewer'] } }];

const open = (authorize: boolean) => createApp({ storage: {}, log: () => undefined, authorize, config: { access: { mode: 'token', tokens } } });
const apps: Record<'with' | 'without', App> = { with: await open(true), without: await open(false) };

async function run(app: App): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await app.server.inject({ method: 'GET', url: '/api/v1/alerts?limit=10', headers: { authorization: `Bearer ${token}` } });
    times.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  }
  return times;
}

await run(apps.with); // warm up both
await run(apps.without);
const p50 = { with: [] as number[], without: [] as number[] };
const p99 = { with: [] as number[], without: [] as number[] };
for (let r = 0; r < RUNS; r++) {
  for (const side of ['without', 'with'] as const) {
    const times = await run(apps[side]);
    p50[side].push(percentile(times, 50));
    p99[side].push(percentile(times, 99));
  }
}
const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`GET /api/v1/alerts?limit=10, ${REQUESTS} requests x ${RUNS} interleaved runs (medians of the runs' percentiles):\n`);
console.log('| | p50 | p99 |\n|---|---:|---:|');
console.log(`| without access control | ${fmt(median(p50.without))} | ${fmt(median(p99.without))} |`);
console.log(`| with access control (token, decision + explanation, audit) | ${fmt(median(p50.with))} | ${fmt(median(p99.with))} |`);
console.log(`\noverhead at p50: ${(((median(p50.with) - median(p50.without)) / median(p50.without)) * 100).toFixed(1)}% (target < 5%)`);
await apps.with.close();
await apps.without.close();
