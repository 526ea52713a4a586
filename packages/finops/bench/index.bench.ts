// Streaming ingest + daily breakdown of a 1M-row FOCUS CSV against csv-parse (parse only) in the
// same run, RSS sampled through 1M- and 2M-row files (flat memory), and anomaly scoring of 1,000
// daily series x 365 days. Run: pnpm bench
// Rows: BENCH_ROWS (default 1,000,000); the memory run also reads a file of twice as many rows.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { compare, formatBytes, formatRate } from '@sightline/bench';
import { parse } from 'csv-parse';
import { BreakdownAccumulator, detectCostAnomalies, importFocusCsv, writeFocusBill, type CostRecord, type ImportOptions } from '../src/index.js';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const MiB = 1 << 20;
const dir = await mkdtemp(join(tmpdir(), 'finops-bench-'));

async function generate(rows: number): Promise<string> {
  const file = join(dir, `bill-${rows}.csv`);
  const out = createWriteStream(file);
  await writeFocusBill(out, { rows, days: 90, seed: 1 });
  out.end();
  await finished(out);
  console.log(`generated ${rows.toLocaleString('en')} rows, ${formatBytes((await stat(file)).size)} at ${file}`);
  return file;
}

async function ingest(file: string, options: ImportOptions = {}, onRow?: (rowsRead: number) => void): Promise<void> {
  const breakdown = new BreakdownAccumulator({ by: ['ServiceName'], granularity: 'day' });
  let rows = 0;
  const report = await importFocusCsv(createReadStream(file, { highWaterMark: MiB }), (r) => {
    breakdown.add(r);
    if (onRow) onRow(++rows);
  }, options);
  if (report.rejected !== 0 || breakdown.result().rows.length === 0) throw new Error(`bench bill did not import cleanly: ${JSON.stringify(report.rejectsByCode)}`);
}

/** One import with RSS read when 25/50/75/100% of the rows have been ingested, and the peak. */
async function memoryProfile(file: string, rows: number): Promise<{ rss: number[]; peak: number; before: number }> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const marks = [0.25, 0.5, 0.75, 1].map((q) => Math.floor(rows * q) - 5);
  const rss: number[] = [];
  try {
    await ingest(file, {}, (n) => {
      if (n === marks[rss.length]) {
        const now = process.memoryUsage().rss;
        rss.push(now);
        peak = Math.max(peak, now);
      }
    });
  } finally {
    clearInterval(sample);
  }
  return { rss, peak: Math.max(peak, process.memoryUsage().rss), before };
}

try {
  const file = await generate(ROWS);
  const big = await generate(ROWS * 2);

  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const rssBefore = process.memoryUsage().rss;
  await compare('FOCUS CSV: ingest (parse + validate) + daily breakdown vs csv-parse parse only', [
    { name: '@sightline/finops importFocusCsv + daily breakdown', run: () => ingest(file) },
    {
      name: 'csv-parse (streaming parse only, no validation)',
      async run() {
        let rows = 0;
        const parser = createReadStream(file, { highWaterMark: MiB }).pipe(parse());
        for await (const _row of parser) rows++;
        if (rows === 0) throw new Error('no rows');
      },
    },
    { name: "@sightline/finops importFocusCsv, conformance 'focus-1.1' + daily breakdown", run: () => ingest(file, { conformance: 'focus-1.1' }) },
  ], { operations: ROWS, runs: 3 });
  clearInterval(sample);
  console.log(`RSS before ${formatBytes(rssBefore)}, peak during the timed runs ${formatBytes(peakRss)}`);

  console.log('\n## RSS during one import (flat memory: the same at 25% and 100%, and for a file twice the size)');
  console.log('| file | RSS before | 25% | 50% | 75% | 100% | peak | 100% − 25% |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [path, rows] of [[file, ROWS], [big, ROWS * 2]] as const) {
    const { rss, peak, before } = await memoryProfile(path, rows);
    const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
    console.log(`| ${rows.toLocaleString('en')} rows | ${mib(before)} | ${rss.map(mib).join(' | ')} | ${mib(peak)} | ${mib((rss[3] ?? 0) - (rss[0] ?? 0))} |`);
  }

  // 1,000 series x 365 days: one record per resource per day, anomalies by ResourceId.
  const records: CostRecord[] = [];
  const DAY = 86_400_000;
  const start = Date.UTC(2025, 0, 6);
  for (let s = 0; s < 1_000; s++) {
    for (let d = 0; d < 365; d++) {
      const at = start + d * DAY;
      const weekend = d % 7 >= 5 ? 0.7 : 1;
      const cost = Math.round((100 + (s % 50)) * 1e6 * weekend * (1 + ((s * 31 + d * 17) % 13) / 100)) * (s === 7 && d === 300 ? 5 : 1);
      records.push({
        rowNumber: records.length + 2, billedCost: cost, effectiveCost: cost, listCost: cost, contractedCost: cost, billingCurrency: 'USD', billingAccountId: 'a',
        chargePeriodStart: at, chargePeriodEnd: at + DAY, chargeCategory: 'Usage', chargeClass: null, providerName: 'AWS', serviceName: 'EC2', serviceCategory: null,
        regionId: 'us-east-1', resourceId: `r-${s}`, resourceType: null, subAccountId: null, skuId: null, pricingQuantity: null, pricingUnit: null,
        consumedQuantity: null, consumedUnit: null, commitmentDiscountId: null, commitmentDiscountType: null, tags: {},
      });
    }
  }
  const results = await compare('cost anomalies: 1,000 series x 365 days (seasonal weekly baseline + isolation forest over the mix + root cause)', [
    {
      name: 'detectCostAnomalies by ResourceId (seasonal + isolation forest)',
      async run() {
        const anomalies = await detectCostAnomalies(records, { dimension: 'ResourceId', rootCauseDimensions: ['RegionId'] });
        if (!anomalies.some((a) => a.value === 'r-7')) throw new Error('planted anomaly not found');
      },
    },
    {
      name: 'detectCostAnomalies by ResourceId (seasonal only)',
      async run() {
        const anomalies = await detectCostAnomalies(records, { dimension: 'ResourceId', rootCauseDimensions: ['RegionId'], isolationForest: false });
        if (!anomalies.some((a) => a.value === 'r-7')) throw new Error('planted anomaly not found');
      },
    },
  ], { operations: records.length, runs: 3 });
  console.log(`scored ${formatRate(results[0]?.opsPerSecond ?? 0)} series-days`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
