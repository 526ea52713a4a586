import { describe, expect, it } from '@jest/globals';
import type { CostRecord } from './cost-record.js';
import { importFocusCsv } from './focus-import.js';
import { generateFocusBill } from './focus-bill-generator.js';

describe('generateFocusBill', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const a = [...generateFocusBill({ rows: 2_000, seed: 5 })].join('');
    expect([...generateFocusBill({ rows: 2_000, seed: 5 })].join('')).toBe(a);
    expect([...generateFocusBill({ rows: 2_000, seed: 6 })].join('')).not.toBe(a);
  });

  it('produces a bill every row of which passes FOCUS validation, with commitments, credits, taxes and untagged spend', async () => {
    const rows: CostRecord[] = [];
    const report = await importFocusCsv(generateFocusBill({ rows: 5_000, days: 31 }), (r) => rows.push(r));
    expect(report.rejected).toBe(0);
    expect(report.accepted).toBe(rows.length);
    const categories = new Set(rows.map((r) => r.chargeCategory));
    expect([...categories].sort()).toEqual(['Credit', 'Purchase', 'Tax', 'Usage']);
    expect(new Set(rows.map((r) => r.providerName)).size).toBe(3);
    expect(rows.some((r) => r.commitmentDiscountId !== null && r.billedCost === 0 && r.effectiveCost > 0)).toBe(true);
    expect(rows.some((r) => r.chargeCategory === 'Usage' && r.tags['team'] === undefined)).toBe(true);
  });

  it('rejects impossible options with FINOPS_GENERATOR_OPTIONS_INVALID', () => {
    expect(() => [...generateFocusBill({ days: 0 })]).toThrow(expect.objectContaining({ code: 'FINOPS_GENERATOR_OPTIONS_INVALID' }));
  });
});
