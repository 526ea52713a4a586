// Streaming ingest + daily breakdown of a 1M-row FOCUS CSV against csv-parse (parse only) in the
// same run, and anomaly scoring of 1,000 daily series x 365 days. Run: pnpm bench
// Rows: BENCH_ROWS (default 1,000,000).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { compare, formatBytes, formatRate } from '@sightline/bench';
import { parse } from 'csv-parse';
import { BreakdownAccumulator, detectCostAnomalies, importFocusCsv, writeFocusBill, type CostRecord } from '../src/index.js';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'finops-bench-'));
const file = join(dir, 'bill.csv');
try {
  const out = createWriteStream(file);
  await writeFocusBill(out, { rows: ROWS, days: 90, seed: 1 });
  out.end();
  await finished(out);
  console.log(`generated ${ROWS.toLocaleString('en')} rows, ${formatBytes((await stat(file)).size)} at ${file}`);

  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const rssBefore = process.memoryUsage().rss;
  await compare('FOCUS CSV: ingest (parse + validate) + daily breakdown vs csv-parse parse only', [
    {
      name: '@sightline/finops importFocusCsv + daily breakdown',
      async run() {
        const breakdown = new BreakdownAccumulator({ by: ['ServiceName'], granularity: 'day' });
        const report = await importFocusCsv(createReadStream(file, { highWaterMark: 1 << 20 }), (r) => breakdown.add(r));
        if (report.rejected !== 0 || breakdown.result().rows.length === 0) throw new Error('bench bill did not import cleanly');
      },
    },
    {
      name: 'csv-parse (streaming parse only, no validation)',
      async run() {
        let rows = 0;
        const parser = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse());
        for await (const _row of parser) rows++;
        if (rows === 0) throw new Error('no rows');
      },
    },
  ], { operations: ROWS, runs: 3 });
  clearInterval(sample);
  console.log(`RSS before ${formatBytes(rssBefore)}, peak during ingest runs ${formatBytes(peakRss)}`);

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
  const results = await compare('cost anomalies: 1,000 series x 365 days (seasonal weekly baseline + root cause)', [
    {
      name: 'detectCostAnomalies by ResourceId',
      async run() {
        const anomalies = await detectCostAnomalies(records, { dimension: 'ResourceId', rootCauseDimensions: ['RegionId'] });
        if (!anomalies.some((a) => a.value === 'r-7')) throw new Error('planted anomaly not found');
      },
    },
  ], { operations: records.length, runs: 3 });
  console.log(`scored ${formatRate(results[0]?.opsPerSecond ?? 0)} series-days`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
