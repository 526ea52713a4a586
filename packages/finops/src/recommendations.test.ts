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
});
