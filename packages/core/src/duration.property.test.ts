import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';
import { SightlineError } from './errors.js';

// Cases per property per run (stated in the README's "Property tests" line); seeded, so a
// failure reproduces.
const RUNS = 1_000;
const SEED = 20_261_203;

/** Strings near the grammar: digits, dots and unit letters in any order, plus anything at all. */
const durationish = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9.msdhw ]{0,24}$/),
  fc.array(fc.tuple(fc.stringMatching(/^\d{1,20}(\.\d{0,20})?$/), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w', 'y', '')), { maxLength: 7 }).map((parts) => parts.map(([n, u]) => n + u).join('')),
  fc.constantFrom('0', '', '1e3s', '-1s', '+1s', '1.s', '.5s', 'NaNms', 'Infinityd', '9'.repeat(400) + 'w', '1h1h', '1m1h', ' 1s', '1s '),
);

describe('parseDuration, property-based', () => {
  it('any string gives a finite non-negative integer of ms or throws DURATION_INVALID, nothing else', () => {
    fc.assert(
      fc.property(durationish, (text) => {
        let ms: number;
        try {
          ms = parseDuration(text);
        } catch (error) {
          expect(error).toBeInstanceOf(SightlineError);
          expect((error as SightlineError).code).toBe('DURATION_INVALID');
          return;
        }
        expect(Number.isSafeInteger(ms) && ms >= 0).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('formatDuration then parseDuration gives the same milliseconds back, for every safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer({ min: 0, max: 100 }).map((k) => k * 3_600_000)), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a parsed duration formats and parses back to itself', () => {
    fc.assert(
      fc.property(durationish, (text) => {
        let ms: number;
        try {
          ms = parseDuration(text);
        } catch {
          return;
        }
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
