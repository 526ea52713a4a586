import { describe, expect, it } from '@jest/globals';
import { selectTargets } from './blast-radius.js';
import { codeOf } from '../test/support/codes.js';

const targets = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, labels: { app: i < 8 ? 'checkout' : 'search', zone: i % 2 === 0 ? 'a' : 'b' } }));

describe('selectTargets', () => {
  it('picks ceil(percentage) of the label-matching targets, stable per seed', () => {
    const picked = selectTargets(targets, { selector: { app: 'checkout' }, percentage: 30, seed: 5 });
    // 8 match, 30% of 8 = 2.4 → 3
    expect(picked).toHaveLength(3);
    expect(picked.every((t) => t.labels.app === 'checkout')).toBe(true);
    expect(selectTargets(targets, { selector: { app: 'checkout' }, percentage: 30, seed: 5 })).toEqual(picked);
  });

  it('caps the count and rejects bad percentages', () => {
    expect(selectTargets(targets, { maxTargets: 2 })).toHaveLength(2);
    expect(selectTargets(targets, { selector: { app: 'none' } })).toEqual([]);
    expect(codeOf(() => selectTargets(targets, { percentage: 150 }))).toBe('CHAOS_BLAST_RADIUS_INVALID');
  });
});
