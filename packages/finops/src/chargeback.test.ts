import { describe, expect, it } from '@jest/globals';
import { chargeback } from './chargeback.js';
import type { CostRecord } from './cost-record.js';
import { importFocusCsv } from './focus-import.js';
import { generateFocusBill } from './focus-bill-generator.js';
import { record } from './test-fixtures.js';

const records = [
  record({ effectiveCost: 6_000_000, tags: { team: 'web' } }),
  record({ effectiveCost: 3_000_000, tags: { team: 'api' } }),
  record({ effectiveCost: 1_000_000, tags: { team: 'ml' } }),
  record({ effectiveCost: 100, tags: {} }), // untagged: 100 micro-units
  record({ effectiveCost: 1_000_001, chargeCategory: 'Tax' }), // shared
];

describe('chargeback', () => {
  it('splits untagged and shared cost proportionally, shown apart, summing to the source exactly', async () => {
    const report = await chargeback(records, { tagKey: 'team' });
    // direct 6 : 3 : 1. Shared 1,000,001 → 600,000.6 / 300,000.3 / 100,000.1: floors sum 1,000,000, the unit left goes to web (.6).
    // Untagged 100 → 60 / 30 / 10 exactly.
    expect(report.teams).toEqual([
      { team: 'web', direct: 6_000_000, shared: 600_001, untagged: 60, total: 6_600_061, share: 6_600_061 / 11_000_101 },
      { team: 'api', direct: 3_000_000, shared: 300_000, untagged: 30, total: 3_300_030, share: 3_300_030 / 11_000_101 },
      { team: 'ml', direct: 1_000_000, shared: 100_000, untagged: 10, total: 1_100_010, share: 1_100_010 / 11_000_101 },
    ]);
    expect(report).toMatchObject({ total: 11_000_101, sharedTotal: 1_000_001, untaggedTotal: 100 });
  });

  it('splits evenly and by fixed weights, including listed teams without direct cost', async () => {
    const even = await chargeback(records, { tagKey: 'team', sharedSplit: 'even', untaggedSplit: 'even', teams: ['ops'] });
    // 4 teams; shared 1,000,001 / 4 = 250,000.25 → one extra unit to the first in sorted order (api).
    expect(even.teams.find((t) => t.team === 'ops')).toMatchObject({ direct: 0, shared: 250_000, untagged: 25 });
    expect(even.teams.find((t) => t.team === 'api')).toMatchObject({ shared: 250_001, untagged: 25 });
    const weighted = await chargeback(records, { tagKey: 'team', sharedSplit: { weights: { web: 1, api: 1 } }, untaggedSplit: { weights: { ml: 1 } } });
    expect(weighted.teams.find((t) => t.team === 'ml')).toMatchObject({ shared: 0, untagged: 100 });
    // 1,000,001 / 2 = 500,000.5 each; the tie goes to the earlier team in sorted order (api).
    expect(weighted.teams.find((t) => t.team === 'api')).toMatchObject({ shared: 500_001 });
    expect(weighted.teams.find((t) => t.team === 'web')).toMatchObject({ shared: 500_000 });
    await expect(chargeback(records, { tagKey: 'team', sharedSplit: { weights: { nobody: 1 } } })).rejects.toMatchObject({ code: 'FINOPS_WEIGHTS_INVALID' });
  });

  it('refuses to allocate when there is no team to charge: FINOPS_CHARGEBACK_NO_TEAMS', async () => {
    await expect(chargeback([record({ tags: {} })], { tagKey: 'team' })).rejects.toMatchObject({ code: 'FINOPS_CHARGEBACK_NO_TEAMS' });
  });

  it('allocates a whole generated bill with the teams summing to the source total exactly', async () => {
    const rows: CostRecord[] = [];
    await importFocusCsv(generateFocusBill({ rows: 20_000, seed: 3 }), (r) => rows.push(r));
    let source = 0;
    for (const r of rows) source += r.effectiveCost;
    for (const rule of ['even', 'proportional'] as const) {
      const report = await chargeback(rows, { tagKey: 'team', sharedSplit: rule, untaggedSplit: rule });
      expect(report.total).toBe(source);
      expect(report.teams.reduce((sum, t) => sum + t.total, 0)).toBe(source);
      expect(report.untaggedTotal).toBeGreaterThan(0);
    }
  });
});
