import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
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
    const changes = comparePeriods(result, { clock: new ManualClock(jan1 + 2 * DAY) });
    expect(changes[0]).toEqual({ group: { ServiceName: 'EC2' }, period: '2026-01-02', previousPeriod: '2026-01-01', previous: 4_000_000, current: 0, change: -4_000_000, changeRatio: -1 });
    expect(changes.find((c) => c.group['ServiceName'] === 'S3')).toMatchObject({ previous: 0, current: 500_000, changeRatio: null });
  });

  it('rejects top < 1 with FINOPS_BREAKDOWN_OPTIONS_INVALID', async () => {
    await expect(breakdownCosts(records, { by: [], top: 0 })).rejects.toMatchObject({ code: 'FINOPS_BREAKDOWN_OPTIONS_INVALID' });
  });
});

describe('comparePeriods compares complete periods only', () => {
  const HOUR = 3_600_000;
  // FOCUS charge periods are [ChargePeriodStart, ChargePeriodEnd): a day is complete once its
  // exclusive end, the next midnight UTC, has passed. Hourly usage rows, as providers write them.
  const hourly = (service: string, day: number, hours: number, perHour: number) =>
    Array.from({ length: hours }, (_, h) => record({ serviceName: service, effectiveCost: perHour, chargePeriodStart: jan1 + day * DAY + h * HOUR, chargePeriodEnd: jan1 + day * DAY + (h + 1) * HOUR }));
  // EC2 1.00/h and S3 0.10/h all day on Jan 1 and Jan 2, EC2 1.10/h on Jan 2; Jan 3 has only 10 hours so far.
  const rows = [
    ...hourly('EC2', 0, 24, 1_000_000), ...hourly('S3', 0, 24, 100_000),
    ...hourly('EC2', 1, 24, 1_100_000), ...hourly('S3', 1, 24, 100_000),
    ...hourly('EC2', 2, 10, 1_100_000), ...hourly('S3', 2, 10, 100_000),
  ];

  it("compares yesterday with the day before, leaving today's partial day out", async () => {
    const daily = await breakdownCosts(rows, { by: ['ServiceName'], granularity: 'day' });
    const changes = comparePeriods(daily, { clock: new ManualClock(jan1 + 2 * DAY + 10 * HOUR) }); // Jan 3, 10:00 UTC
    expect(changes).toEqual([
      // EC2: 24 × 1.10 = 26.40 on Jan 2 against 24 × 1.00 = 24.00 on Jan 1: +2.40, +10%.
      { group: { ServiceName: 'EC2' }, period: '2026-01-02', previousPeriod: '2026-01-01', previous: 24_000_000, current: 26_400_000, change: 2_400_000, changeRatio: 0.1 },
      { group: { ServiceName: 'S3' }, period: '2026-01-02', previousPeriod: '2026-01-01', previous: 2_400_000, current: 2_400_000, change: 0, changeRatio: 0 },
    ]);
    // Today against yesterday would have shown EC2 at 11.00 vs 26.40, about −58%, for no reason.
    expect(changes.every((c) => c.changeRatio !== null && c.changeRatio >= 0)).toBe(true);
  });

  it('counts a day as complete from its exclusive end: midnight UTC', async () => {
    const daily = await breakdownCosts(rows, { by: ['ServiceName'], granularity: 'day' });
    expect(comparePeriods(daily, { clock: new ManualClock(jan1 + 3 * DAY) })[0]).toMatchObject({ period: '2026-01-03', previousPeriod: '2026-01-02' });
    expect(comparePeriods(daily, { clock: new ManualClock(jan1 + 3 * DAY - 1) })[0]).toMatchObject({ period: '2026-01-02', previousPeriod: '2026-01-01' });
    // At 23:59:59.999 on Jan 1 no day is complete yet; just after midnight Jan 1 is, but Dec 31 has no rows.
    expect(comparePeriods(daily, { clock: new ManualClock(jan1 + DAY - 1) })).toEqual([]);
    expect(comparePeriods(daily, { clock: new ManualClock(jan1 + DAY) })).toEqual([]);
  });

  it('compares the calendar period before, not the previous one that has rows', async () => {
    // Rows on Jan 1 and Jan 3 only: Jan 3 is compared with Jan 2, which has none, so nothing is.
    const gappy = await breakdownCosts([...hourly('EC2', 0, 24, 1_000_000), ...hourly('EC2', 2, 24, 1_000_000)], { by: ['ServiceName'] });
    expect(comparePeriods(gappy, { clock: new ManualClock(jan1 + 10 * DAY) })).toEqual([]);
  });

  it('leaves out the running month and week too', async () => {
    const feb = Date.UTC(2026, 1, 1);
    const months = [record({ effectiveCost: 3_000_000 }), record({ effectiveCost: 5_000_000, chargePeriodStart: feb }), record({ effectiveCost: 1_000_000, chargePeriodStart: Date.UTC(2026, 2, 2) })];
    const monthly = await breakdownCosts(months, { by: [], granularity: 'month' });
    expect(comparePeriods(monthly, { clock: new ManualClock(Date.UTC(2026, 2, 15)) })).toEqual([
      { group: {}, period: '2026-02-01', previousPeriod: '2026-01-01', previous: 3_000_000, current: 5_000_000, change: 2_000_000, changeRatio: 2 / 3 },
    ]);
    // Weeks start on Monday: 2025-12-29 (holding Jan 1) and 2026-01-05; on Friday 9 Jan the second is running.
    const weekly = await breakdownCosts([record({ effectiveCost: 2_000_000 }), record({ effectiveCost: 9_000_000, chargePeriodStart: jan1 + 5 * DAY })], { by: [], granularity: 'week' });
    expect(comparePeriods(weekly, { clock: new ManualClock(jan1 + 8 * DAY) })).toEqual([]);
    expect(comparePeriods(weekly, { clock: new ManualClock(jan1 + 11 * DAY) })[0]).toMatchObject({ period: '2026-01-05', previousPeriod: '2025-12-29', change: 7_000_000 });
    expect(comparePeriods(await breakdownCosts(months, { by: [], granularity: 'total' }))).toEqual([]);
  });

  it('uses the system clock by default, so a period that has not ended is never compared', async () => {
    const future = Date.UTC(2999, 0, 1);
    const daily = await breakdownCosts([record({ chargePeriodStart: future }), record({ chargePeriodStart: future + DAY })], { by: [] });
    expect(comparePeriods(daily)).toEqual([]);
  });
});
