import { describe, expect, it } from '@jest/globals';
import type { CostRecord } from './cost-record.js';
import { recommend } from './recommendations.js';
import { record } from './test-fixtures.js';

const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 1);

function days(n: number, make: (d: number, at: number) => CostRecord[]): CostRecord[] {
  const out: CostRecord[] = [];
  for (let d = 0; d < n; d++) out.push(...make(d, start + d * DAY));
  return out;
}

describe('recommend', () => {
  it('finds an idle resource with hand-computed savings, ROI and payback', async () => {
    // disk-1: 5.00/day with ConsumedQuantity 0 for 10 days → 50.00 / 10 days × 30 = 150.00 a month.
    // Low effort = 2 h × 100.00 = 200.00. ROI = (12 × 150 − 200) / 200 = 8. Payback = 200 / 150 = 1.333 months.
    const rows = days(10, (d, at) => [record({ chargePeriodStart: at, resourceId: 'disk-1', serviceCategory: 'Storage', effectiveCost: 5_000_000, consumedQuantity: 0 })]);
    const [rec] = await recommend(rows);
    expect(rec).toMatchObject({ kind: 'idle-resource', target: 'disk-1', monthlySavings: 150_000_000, effort: 'low', implementationCost: 200_000_000, roi: 8 });
    expect(rec?.paybackMonths).toBeCloseTo(4 / 3, 10);
  });

  it('sizes a commitment on the lowest day of on-demand compute and ranks by ROI', async () => {
    // EC2 on-demand per day: 100.00 on even days, 60.00 on odd days → baseline 60.00/day.
    // Savings = 60 × 30 × 0.28 = 504.00 a month. Medium effort = 8 h × 100 = 800.00.
    // ROI = (12 × 504 − 800) / 800 = 6.56; payback = 800 / 504 = 1.587 months.
    const rows = days(10, (d, at) => [record({ chargePeriodStart: at, resourceId: `vm-${d % 2}`, serviceCategory: 'Compute', effectiveCost: d % 2 === 0 ? 100_000_000 : 60_000_000, consumedQuantity: 24, tags: { env: 'prod' } })]);
    const recs = await recommend(rows);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ kind: 'commitment', target: 'Amazon EC2', monthlySavings: 504_000_000, implementationCost: 800_000_000, roi: 6.56 });
    expect(recs[0]?.paybackMonths).toBeCloseTo(800 / 504, 10);
  });

  it('suggests spot for non-production compute with overridable rates', async () => {
    // ci-runner: 10.00/day for 4 days → 300.00/month; spot at 0.5 saves 150.00. Commitment on the
    // same 10.00/day at 0.2: 10 × 30 × 0.2 = 60.00.
    const rows = days(4, (d, at) => [record({ chargePeriodStart: at, resourceId: 'ci-runner', serviceCategory: 'Compute', effectiveCost: 10_000_000, consumedQuantity: 24, tags: { env: 'ci' } })]);
    const recs = await recommend(rows, { rates: { spot: 0.5, commitment: 0.2 } });
    // ROI: spot (12 × 150 − 800) / 800 = 1.25; commitment (12 × 60 − 800) / 800 = −0.1 → spot first.
    expect(recs.map((r) => [r.kind, r.monthlySavings, r.roi])).toEqual([['spot', 150_000_000, 1.25], ['commitment', 60_000_000, -0.1]]);
  });

  it('moves rarely-read storage to the cheapest tier that suits its requests, with hand-computed savings', async () => {
    // 10 days. cold-bucket stores 1,000 GB-Mo a day at 2.30/day and serves 50 requests a day:
    // 500 requests / 10,000 GB-Mo = 0.05 per GB-month <= 10 → archive (ratio 0.17, medium effort).
    // Storage cost 23.00 / 10 days × 30 = 69.00 a month; savings = 69 × (1 − 0.17) = 57.27.
    // Medium = 8 h × 100 = 800.00; ROI = (12 × 57.27 − 800) / 800 = −0.140950; payback = 800 / 57.27.
    // warm-bucket: the same storage and 50 × "1K Requests" = 50,000 requests a day:
    // 500,000 / 10,000 = 50 per GB-month: over 10, under 100 → infrequent access (ratio 0.54, low
    // effort): savings = 69 × 0.46 = 31.74; low = 200.00; ROI = (12 × 31.74 − 200) / 200 = 0.9044.
    // hot-bucket: 5,000 × 1K requests a day → 5,000 per GB-month: no tier.
    const storageRow = (at: number, id: string) => record({ chargePeriodStart: at, resourceId: id, serviceName: 'Amazon S3', serviceCategory: 'Storage', effectiveCost: 2_300_000, consumedQuantity: 1_000, consumedUnit: 'GB-Mo' });
    const requestRow = (at: number, id: string, quantity: number, unit: string) => record({ chargePeriodStart: at, resourceId: id, serviceName: 'Amazon S3', serviceCategory: 'Storage', effectiveCost: 10_000, consumedQuantity: quantity, consumedUnit: unit });
    const rows = days(10, (d, at) => [
      storageRow(at, 'cold-bucket'), requestRow(at, 'cold-bucket', 50, 'Requests'),
      storageRow(at, 'warm-bucket'), requestRow(at, 'warm-bucket', 50, '1K Requests'),
      storageRow(at, 'hot-bucket'), requestRow(at, 'hot-bucket', 5_000, '1K Requests'),
    ]);
    const recs = (await recommend(rows)).filter((r) => r.kind === 'storage-tiering');
    expect(recs.map((r) => [r.target, r.monthlySavings, r.effort, r.implementationCost])).toEqual([
      ['warm-bucket', 31_740_000, 'low', 200_000_000],
      ['cold-bucket', 57_270_000, 'medium', 800_000_000],
    ]);
    expect(recs[0]?.roi).toBeCloseTo((12 * 31.74 - 200) / 200, 10);
    expect(recs[0]?.paybackMonths).toBeCloseTo(200 / 31.74, 10);
    expect(recs[1]?.roi).toBeCloseTo((12 * 57.27 - 800) / 800, 10);
    expect(recs[1]?.paybackMonths).toBeCloseTo(800 / 57.27, 10);
    expect(recs[1]?.detail).toMatch(/archive-instant-retrieval/);
  });

  it('uses overridden storage tiers and skips storage whose requests the bill does not meter', async () => {
    // One tier at ratio 0.5 for <= 1,000 requests per GB-month: cold-bucket (0.05) qualifies;
    // savings = 69.00 × 0.5 = 34.50. unmetered-bucket has storage rows only, in a service with no
    // request rows at all: its access is unknown, so no recommendation.
    const rows = days(10, (d, at) => [
      record({ chargePeriodStart: at, resourceId: 'cold-bucket', serviceName: 'Amazon S3', serviceCategory: 'Storage', effectiveCost: 2_300_000, consumedQuantity: 1_000, consumedUnit: 'GB-Mo' }),
      record({ chargePeriodStart: at, resourceId: 'cold-bucket', serviceName: 'Amazon S3', serviceCategory: 'Storage', effectiveCost: 0, consumedQuantity: 50, consumedUnit: 'Requests' }),
      record({ chargePeriodStart: at, resourceId: 'unmetered-bucket', serviceName: 'Blob Storage', serviceCategory: 'Storage', effectiveCost: 2_300_000, consumedQuantity: 1_000, consumedUnit: 'GB-Mo' }),
    ]);
    const recs = await recommend(rows, { rates: { storageTiers: [{ name: 'cool', priceRatio: 0.5, maxRequestsPerGbMonth: 1_000, effort: 'low' }] } });
    expect(recs.map((r) => [r.kind, r.target, r.monthlySavings])).toEqual([['storage-tiering', 'cold-bucket', 34_500_000]]);
  });

  it('right-sizes from supplied utilisation with savings proportional to the size steps', async () => {
    // Each VM costs 20.00 a day for 10 days → 20.00 × 30 = 600.00 a month (covered by a savings
    // plan, so no commitment or spot advice gets in the way).
    // vm-quiet: max(p95) = 0.12 → 0.24 after one step, 0.48 after two, 0.96 after three: 2 steps
    // (<= 0.6). Savings = 600 × (1 − 0.5²) = 450.00; medium 800.00 → ROI (5,400 − 800) / 800 = 5.75.
    // vm-half: max(p95) = 0.28 (memory) → 0.56 after one step: 1 step, 600 × 0.5 = 300.00;
    // ROI (3,600 − 800) / 800 = 3.5. vm-busy: 0.35 → 0.70 > 0.6: none. vm-unknown: no rows.
    const rows = days(10, (d, at) => ['vm-quiet', 'vm-half', 'vm-busy'].map((id) => record({ chargePeriodStart: at, resourceId: id, serviceCategory: 'Compute', effectiveCost: 20_000_000, consumedQuantity: 24, commitmentDiscountId: 'sp-1', tags: { env: 'prod' } })));
    const utilization = [
      { resourceId: 'vm-quiet', cpuP95: 0.12, memP95: 0.1 },
      { resourceId: 'vm-half', cpuP95: 0.2, memP95: 0.28 },
      { resourceId: 'vm-busy', cpuP95: 0.35, memP95: 0.2 },
      { resourceId: 'vm-unknown', cpuP95: 0.01, memP95: 0.01 },
    ];
    const recs = await recommend(rows, { utilization });
    expect(recs.map((r) => [r.kind, r.target, r.monthlySavings, r.roi])).toEqual([
      ['right-sizing', 'vm-quiet', 450_000_000, 5.75],
      ['right-sizing', 'vm-half', 300_000_000, 3.5],
    ]);
    expect(recs[0]?.paybackMonths).toBeCloseTo(800 / 450, 10);
    expect(recs[0]?.detail).toMatch(/2 sizes down/);
    // A size step of 0.75 (a 4/3 smaller size) and a 0.9 target: vm-busy 0.35 → 0.467 → 0.622 → 0.830 → 1.106:
    // 3 steps; savings = 600 × (1 − 0.75³) = 600 × 0.578125 = 346.875000.
    const tuned = await recommend(rows, { utilization: [utilization[2] as (typeof utilization)[number]], rates: { sizeStepRatio: 0.75, targetUtilization: 0.9 } });
    expect(tuned.map((r) => [r.target, r.monthlySavings])).toEqual([['vm-busy', 346_875_000]]);
  });
});
