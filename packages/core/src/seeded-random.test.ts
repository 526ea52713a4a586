import { describe, expect, it } from '@jest/globals';
import { SeededRandom, seededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed, resumes from a stored state, and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(first);
    const stored = new SeededRandom(7);
    stored.next();
    const resumed = new SeededRandom(0);
    resumed.state = stored.state;
    expect(resumed.next()).toBe(stored.next());
    const values = Array.from({ length: 10_000 }, seededRandom(1));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
  });
});
