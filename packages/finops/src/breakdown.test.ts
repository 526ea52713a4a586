import { describe, expect, it } from '@jest/globals';
import { breakdownCosts, comparePeriods } from './breakdown.js';
import { record } from './test-fixtures.js';

const DAY = 86_400_000;
const jan1 = Date.UTC(2026, 0, 1);

describe('breakdownCosts', () => {
  const records = [
    record({ serviceName: 'EC2', effectiveCost: 3_000_000, billedCost: 0, tags: { team: 'web' } }),
    record({ serviceName: 'EC2', effectiveCost: 1_000_000, billedCost: 1_000_000, tags: { team: 'api' } }),
    record({ serviceName: 'S3', effectiveCost: 500_000, billedCost: 500_000, chargePeriodStart: jan1 + DAY }),
    record({ serviceName: 'RDS', effectiveCost: 200_000, billedCost: 200_000, chargePeriodStart: jan1 + DAY }),
  ];

  it('groups by column and tag per day, amortised by default', async () => {
    const result = await breakdownCosts(records, { by: ['ServiceName', 'tag:team'] });
    expect(result.total).toBe(4_700_000);
    expect(result.rows).toEqual([
      { period: '2026-01-01', group: { ServiceName: 'EC2', 'tag:team': 'web' }, cost: 3_000_000, records: 1 },
      { period: '2026-01-01', group: { ServiceName: 'EC2', 'tag:team': 'api' }, cost: 1_000_000, records: 1 },
      { period: '2026-01-02', group: { ServiceName: 'S3', 'tag:team': '(untagged)' }, cost: 500_000, records: 1 },
      { period: '2026-01-02', group: { ServiceName: 'RDS', 'tag:team': '(untagged)' }, cost: 200_000, records: 1 },
    ]);
  });

  it('counts a pre-aggregated record as the rows it stands for', async () => {
    const rolledUp = [record({ serviceName: 'EC2', effectiveCost: 2_400_000, rowCount: 24 }), record({ serviceName: 'EC2', effectiveCost: 100_000 })];
    const result = await breakdownCosts(rolledUp, { by: ['ServiceName'] });
    expect(result.rows).toEqual([{ period: '2026-01-01', group: { ServiceName: 'EC2' }, cost: 2_500_000, records: 25 }]);
  });

  it('sums billed cost when asked, folds all but the top N into (other), and supports month/week', async () => {
    const billed = await breakdownCosts(records, { by: ['ServiceName'], granularity: 'month', cost: 'billed', top: 1 });
    // billed: EC2 0 + 1.0 = 1.0, S3 0.5, RDS 0.2 → top 1 is EC2; other = 0.7
    expect(billed.rows).toEqual([
      { period: '2026-01-01', group: { ServiceName: 'EC2' }, cost: 1_000_000, records: 2 },
      { period: '2026-01-01', group: { ServiceName: '(other)' }, cost: 700_000, records: 2 },
    ]);
    // 2026-01-01 is a Thursday, so its ISO week starts Monday 2025-12-29.
    const weekly = await breakdownCosts(records, { by: [], granularity: 'week' });
    expect(weekly.rows).toEqual([{ period: '2025-12-29', group: {}, cost: 4_700_000, records: 4 }]);
  });

  it('never sums two currencies: FINOPS_CURRENCY_MIXED, unless a conversion table is given', async () => {
    const mixed = [record({ effectiveCost: 1_000_000 }), record({ billingCurrency: 'EUR', effectiveCost: 2_000_000, rowNumber: 9 })];
    await expect(breakdownCosts(mixed, { by: [] })).rejects.toMatchObject({ code: 'FINOPS_CURRENCY_MIXED', details: { rowNumber: 9 } });
    // 2.00 EUR at 1.085 USD/EUR = 2.17 USD, so the total is 1.00 + 2.17 = 3.17 USD
    const converted = await breakdownCosts(mixed, { by: [], conversion: { currency: 'USD', rates: { EUR: '1.085' } } });
    expect(converted.total).toBe(3_170_000);
  });

  it('reports period-over-period change per group', async () => {
    const result = await breakdownCosts(records, { by: ['ServiceName'] });
    const changes = comparePeriods(result);
    expect(changes[0]).toEqual({ group: { ServiceName: 'EC2' }, previous: 4_000_000, current: 0, change: -4_000_000, changeRatio: -1 });
    expect(changes.find((c) => c.group['ServiceName'] === 'S3')).toMatchObject({ previous: 0, current: 500_000, changeRatio: null });
  });

  it('rejects top < 1 with FINOPS_BREAKDOWN_OPTIONS_INVALID', async () => {
    await expect(breakdownCosts(records, { by: [], top: 0 })).rejects.toMatchObject({ code: 'FINOPS_BREAKDOWN_OPTIONS_INVALID' });
  });
});
