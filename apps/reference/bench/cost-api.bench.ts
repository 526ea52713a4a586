// What the cost API costs: a generated FOCUS bill uploaded through the app (streamed into the
// database) and each read the Costs view makes, on PGlite in memory or PostgreSQL (DATABASE_URL).
//   pnpm exec tsx bench/cost-api.bench.ts          (BENCH_ROWS, default 100,000)
import { formatBytes, median } from '@sightline/bench';
import { generateFocusBill } from '@sightline/finops';
import { createApp } from '../src/app.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = 3;
const databaseUrl = process.env.DATABASE_URL;
const app = await createApp({ storage: databaseUrl === undefined ? {} : { databaseUrl }, log: () => undefined });

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const started = performance.now();
const report = await app.costs.import(generateFocusBill({ rows: ROWS, days: 90, seed: 5 }), { uploadedBy: 'bench', filename: 'bench.csv' });
const importSeconds = (performance.now() - started) / 1_000;
clearInterval(sampler);

const reads: Record<string, string> = {
  'breakdown by service, per day': '/api/v1/costs/breakdown?by=ServiceName&granularity=day&top=8',
  'chargeback by team': '/api/v1/costs/chargeback',
  'cost anomalies': '/api/v1/costs/anomalies',
  recommendations: '/api/v1/costs/recommendations',
};
console.log(`${databaseUrl === undefined ? 'PGlite (memory)' : 'PostgreSQL'}; ${report.accepted.toLocaleString('en-US')} rows over 90 days\n`);
console.log(`| step | median of ${RUNS} |\n|---|---:|`);
console.log(`| upload (stream, validate, insert) | ${importSeconds.toFixed(1)} s, ${Math.round(report.accepted / importSeconds).toLocaleString('en-US')} rows/s, peak RSS ${formatBytes(peakRss)} |`);
for (const [name, url] of Object.entries(reads)) {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const response = await app.server.inject({ method: 'GET', url });
    times.push(performance.now() - t0);
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  }
  console.log(`| ${name} | ${(median(times) / 1_000).toFixed(2)} s |`);
}
// Leave a shared PostgreSQL as it was.
await app.db.query(`delete from cost_imports where id = $1`, [report.id]);
await app.close();
