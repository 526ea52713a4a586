import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { detectCostAnomalies } from './cost-anomalies.js';
import { importFocusCsv } from './focus-import.js';
import { generateFocusBill } from './focus-bill-generator.js';
import { record } from './test-fixtures.js';

const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 5); // a Monday

function flatBill(days: number, spikeDay: number | undefined): CostRecord[] {
  const rows: CostRecord[] = [];
  for (let d = 0; d < days; d++) {
    const at = start + d * DAY;
    const weekend = [5, 6].includes(d % 7);
    // 1,000.00 a weekday, 700.00 a weekend day, in two regions 60/40.
    const daily = weekend ? 700_000_000 : 1_000_000_000;
    rows.push(record({ chargePeriodStart: at, chargePeriodEnd: at + DAY, effectiveCost: daily * 0.6, regionId: 'us-east-1', tags: { team: 'web' } }));
    rows.push(record({ chargePeriodStart: at, chargePeriodEnd: at + DAY, effectiveCost: daily * 0.4, regionId: 'eu-west-1', tags: { team: 'api' } }));
    if (d === spikeDay) rows.push(record({ chargePeriodStart: at, chargePeriodEnd: at + DAY, effectiveCost: 500_000_000, regionId: 'eu-west-1', resourceId: 'i-runaway', tags: { team: 'api' } }));
  }
  return rows;
}

/**
 * Eight weeks of four services sharing one noisy daily load (uniform 0.8..1.2, 0.7 at weekends)
 * in a steady 40/30/20/10 mix, each with ±3% noise of its own. On `shiftDay` a batch job moves
 * 1,500.00 from S3 to EC2 (new resource i-batch in eu-west-1): the day's total is unchanged and
 * EC2's rise is within what the shared load does to it on an ordinary day.
 */
function mixShiftBill(shiftDay: number | undefined): CostRecord[] {
  const random = seededRandom(5);
  const rows: CostRecord[] = [];
  const mix = [['Amazon EC2', 0.4], ['Amazon S3', 0.3], ['Amazon RDS', 0.2], ['AWS Lambda', 0.1]] as const;
  for (let d = 0; d < 56; d++) {
    const at = start + d * DAY;
    const load = (0.8 + 0.4 * random()) * ([5, 6].includes(d % 7) ? 0.7 : 1);
    for (const [service, share] of mix) {
      let cost = Math.round(10_000_000_000 * share * load * (0.97 + 0.06 * random()));
      if (d === shiftDay && service === 'Amazon EC2') rows.push(record({ chargePeriodStart: at, chargePeriodEnd: at + DAY, serviceName: service, effectiveCost: 1_500_000_000, resourceId: 'i-batch', regionId: 'eu-west-1' }));
      if (d === shiftDay && service === 'Amazon S3') cost -= 1_500_000_000;
      rows.push(record({ chargePeriodStart: at, chargePeriodEnd: at + DAY, serviceName: service, effectiveCost: cost, resourceId: `${service}-1` }));
    }
  }
  return rows;
}

describe('detectCostAnomalies', () => {
  it('flags a spike with its impact and root cause, and not the weekly weekend dip', async () => {
    // Day 23 is a Wednesday: usual 1,000.00, actual 1,500.00 → impact 500.00 (50%).
    const anomalies = await detectCostAnomalies(flatBill(28, 23), { rootCauseDimensions: ['RegionId', 'ResourceId', 'tag:team'] });
    expect(anomalies).toHaveLength(1);
    const [anomaly] = anomalies;
    expect(anomaly).toMatchObject({ value: 'Amazon EC2', day: '2026-01-28', actual: 1_500_000_000, expected: 1_000_000_000, impact: 500_000_000, relativeImpact: 0.5 });
    // The extra 500.00 is all in eu-west-1, team api and the new resource i-runaway: each explains 100%.
    expect(anomaly?.rootCauses.map((c) => [c.dimension, c.value, c.change, c.share])).toEqual([
      ['RegionId', 'eu-west-1', 500_000_000, 1],
      ['ResourceId', 'i-runaway', 500_000_000, 1],
      ['tag:team', 'api', 500_000_000, 1],
    ]);
    expect(anomaly?.alert).toMatchObject({ source: 'finops', severity: 'warning', labels: { dimension: 'ServiceName', value: 'Amazon EC2' }, startsAt: start + 23 * DAY });
  });

  it('needs both thresholds: a 50% rise under the absolute minimum is not an anomaly', async () => {
    expect(await detectCostAnomalies(flatBill(28, 23), { minAbsoluteImpact: 600_000_000 })).toEqual([]);
    expect(await detectCostAnomalies(flatBill(28, 23), { minRelativeImpact: 0.6 })).toEqual([]);
    expect(await detectCostAnomalies(flatBill(28, undefined))).toEqual([]);
  });

  it('finds the planted spike of a generated bill with its service and region as root cause', async () => {
    const rows: CostRecord[] = [];
    await importFocusCsv(generateFocusBill({ rows: 60_000, days: 35, seed: 11, spike: { day: 30, serviceName: 'Amazon EC2', regionId: 'us-east-1', factor: 3 } }), (r) => rows.push(r));
    const anomalies = await detectCostAnomalies(rows, { cost: 'list' });
    const top = anomalies[0];
    expect(top).toMatchObject({ value: 'Amazon EC2', day: '2026-01-31' });
    // The isolation-forest stage runs too (seven services); the spike stays the seasonal stage's find.
    expect(top?.detectors).toContain('seasonal');
    expect(top?.rootCauses[0]).toMatchObject({ dimension: 'RegionId', value: 'us-east-1' });
    expect(top?.rootCauses[0]?.share).toBeGreaterThan(0.9);
    // factor 3 on us-east-1 only: the impact is about twice the usual us-east-1 EC2 cost.
    expect(top?.relativeImpact).toBeGreaterThan(0.5);
  });

  it('rejects negative thresholds with FINOPS_ANOMALY_OPTIONS_INVALID', async () => {
    await expect(detectCostAnomalies([], { minRelativeImpact: -1 })).rejects.toMatchObject({ code: 'FINOPS_ANOMALY_OPTIONS_INVALID' });
  });

  it('finds a mix shift with the isolation forest that the seasonal baseline alone misses', async () => {
    const options = { rootCauseDimensions: ['RegionId', 'ResourceId'] } as const;
    // Day 50 is a Wednesday (2026-02-24).
    const anomalies = await detectCostAnomalies(mixShiftBill(50), options);
    expect(anomalies).toHaveLength(1);
    const [anomaly] = anomalies;
    expect(anomaly).toMatchObject({ value: 'Amazon EC2', day: '2026-02-24', detectors: ['isolation-forest'] });
    expect(anomaly?.mixScore).toBeGreaterThan(0.5);
    // Expected = EC2's usual share of the day × the day's total; the planted 1,500.00 less EC2's own noise.
    expect(anomaly?.impact).toBe((anomaly?.actual ?? 0) - (anomaly?.expected ?? 0));
    expect(anomaly?.impact).toBeGreaterThan(1_200_000_000);
    expect(anomaly?.impact).toBeLessThan(1_800_000_000);
    // The whole 1,500.00 is the new resource in eu-west-1 (ties rank by dimension name).
    expect(anomaly?.rootCauses.slice(0, 2).map((c) => [c.dimension, c.value, c.change, c.share])).toEqual([
      ['RegionId', 'eu-west-1', 1_500_000_000, 1_500_000_000 / (anomaly?.impact ?? 1)],
      ['ResourceId', 'i-batch', 1_500_000_000, 1_500_000_000 / (anomaly?.impact ?? 1)],
    ]);
    expect(anomaly?.alert.annotations).toMatchObject({ detectors: 'isolation-forest' });
    // The seasonal stage alone does not see it, and the same bill without the shift raises nothing.
    expect(await detectCostAnomalies(mixShiftBill(50), { ...options, isolationForest: false })).toEqual([]);
    expect(await detectCostAnomalies(mixShiftBill(undefined), options)).toEqual([]);
  });

  it('rejects isolation-forest options out of range with FINOPS_ANOMALY_OPTIONS_INVALID', async () => {
    await expect(detectCostAnomalies(mixShiftBill(undefined), { isolationForest: { threshold: 0.4 } })).rejects.toMatchObject({ code: 'FINOPS_ANOMALY_OPTIONS_INVALID' });
    await expect(detectCostAnomalies(mixShiftBill(undefined), { isolationForest: { maxValues: 0 } })).rejects.toMatchObject({ code: 'FINOPS_ANOMALY_OPTIONS_INVALID' });
  });
});
