import { describe, expect, it } from '@jest/globals';
import { addMicros, allocateLargestRemainder, formatMicros, parseMicros } from './money.js';
import { seededRandom } from '@sightline/core';

describe('parseMicros', () => {
  it('parses decimals into integer micro-units without floating point', () => {
    expect(parseMicros('0.1')).toBe(100_000);
    expect(parseMicros('12.345678')).toBe(12_345_678);
    expect(parseMicros('-3')).toBe(-3_000_000);
    expect(parseMicros('.5')).toBe(500_000);
    expect(parseMicros('7.')).toBe(7_000_000);
  });

  it('reads a negative zero ("-0", "-0.000000", "-0.0000001") as 0, not -0', () => {
    // toBe is Object.is: -0 would fail it, and would leak into records and equality checks.
    expect(parseMicros('-0')).toBe(0);
    expect(parseMicros('-0.000000')).toBe(0);
    expect(parseMicros('-0.0000001')).toBe(0);
    expect(parseMicros('-0.0000005')).toBe(-1);
  });

  it('rounds digits past the sixth decimal half away from zero', () => {
    expect(parseMicros('0.0000005')).toBe(1);
    expect(parseMicros('0.0000004999')).toBe(0);
    expect(parseMicros('-0.0000015')).toBe(-2);
  });

  it('refuses exponents, separators, symbols and empties', () => {
    for (const bad of ['', '-', '.', '1e3', '1,000.00', '$5', '1.2.3', ' 1', 'NaN', '99999999999.0']) expect(parseMicros(bad)).toBeUndefined();
  });
});

describe('exact money', () => {
  it('sums 0.1 + 0.2 a hundred thousand times to exactly 30000.00', () => {
    // In floating point, 1e5 additions of 0.1 and 0.2 give 30000.000000171... ; in micro-units
    // each pair is 100000 + 200000 = 300000, times 1e5 = 30,000,000,000 micro-units = 30000.00.
    let floatSum = 0;
    let micros = 0;
    for (let i = 0; i < 100_000; i++) {
      floatSum += 0.1 + 0.2;
      micros = addMicros(micros, (parseMicros('0.1') ?? 0) + (parseMicros('0.2') ?? 0));
    }
    expect(floatSum).not.toBe(30_000);
    expect(micros).toBe(30_000_000_000);
    expect(formatMicros(micros)).toBe('30000.00');
  });

  it('formats with rounding and sign', () => {
    expect(formatMicros(1_234_567)).toBe('1.23');
    expect(formatMicros(1_235_000)).toBe('1.24');
    expect(formatMicros(-1_005_000)).toBe('-1.01');
    expect(formatMicros(-1_000, 2)).toBe('0.00');
    expect(formatMicros(42, 6)).toBe('0.000042');
  });

  it('refuses a sum past the safe integer range with FINOPS_MONEY_UNSAFE', () => {
    expect(() => addMicros(Number.MAX_SAFE_INTEGER, 1)).toThrow(expect.objectContaining({ code: 'FINOPS_MONEY_UNSAFE' }));
  });
});

describe('allocateLargestRemainder', () => {
  it('gives the leftover units to the largest remainders', () => {
    // 100 over weights 1:1:1 → 33.33 each; floors 33+33+33 = 99; one unit left goes to index 0 (tie → earliest).
    expect(allocateLargestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    // 10 over 0.5:0.3:0.2 → 5, 3, 2 exactly.
    expect(allocateLargestRemainder(10, [5, 3, 2])).toEqual([5, 3, 2]);
    // 7 over 2:1 → 4.667, 2.333: floors 4+2 = 6, leftover to index 0 (remainder .667).
    expect(allocateLargestRemainder(7, [2, 1])).toEqual([5, 2]);
    expect(allocateLargestRemainder(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
  });

  it('always sums to the total exactly on random inputs', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 2_000; trial++) {
      const total = Math.floor((random() - 0.2) * 1e13);
      const weights: number[] = Array.from({ length: 1 + Math.floor(random() * 12) }, () => (random() < 0.1 ? 0 : random() * 1e6));
      if (!weights.some((w) => w > 0)) weights[0] = 1;
      const parts = allocateLargestRemainder(total, weights);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((part, i) => expect(Number.isInteger(part) && (weights[i] !== 0 || part === 0)).toBe(true));
    }
  });

  it('rejects negative weights and a zero sum with FINOPS_WEIGHTS_INVALID', () => {
    expect(() => allocateLargestRemainder(10, [1, -1])).toThrow(expect.objectContaining({ code: 'FINOPS_WEIGHTS_INVALID' }));
    expect(() => allocateLargestRemainder(10, [0, 0])).toThrow(expect.objectContaining({ code: 'FINOPS_WEIGHTS_INVALID' }));
  });
});
