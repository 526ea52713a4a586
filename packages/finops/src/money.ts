import { SightlineError } from '@sightline/core';

/** Micro-units per currency unit: money is held as integer millionths (1 USD = 1,000,000). */
export const MICROS_PER_UNIT = 1_000_000;

/**
 * Parses a decimal string (`"12.345"`, `"-0.1"`) into integer micro-units without going through
 * floating point, so summing 1e5 values of `0.1` gives exactly 100000.000000. Digits beyond the
 * sixth decimal are rounded half away from zero. Returns `undefined` for anything that is not a
 * plain decimal (exponents, thousands separators, currency symbols) or that exceeds the safe
 * integer range (about 9 billion units).
 */
export function parseMicros(text: string): number | undefined {
  return parseMicrosRange(text, 0, text.length);
}

/**
 * {@link parseMicros} of `text[start, end)`, reading the characters in place (the CSV import
 * parses every cost straight out of the decoded chunk, without a string per cell).
 */
export function parseMicrosRange(text: string, start: number, end: number): number | undefined {
  if (end <= start) return undefined;
  let index = start;
  let negative = false;
  const first = text.charCodeAt(start);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    index++;
  }
  let whole = 0;
  let digits = 0;
  for (; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === 46 /* . */) break;
    if (code < 48 || code > 57) return undefined;
    whole = whole * 10 + (code - 48);
    digits++;
  }
  let fraction = 0;
  let fractionDigits = 0;
  let roundUp = false;
  if (index < end) {
    index++; // skip '.'
    for (; index < end; index++) {
      const code = text.charCodeAt(index);
      if (code < 48 || code > 57) return undefined;
      if (fractionDigits < 6) fraction = fraction * 10 + (code - 48);
      else if (fractionDigits === 6) roundUp = code >= 53;
      fractionDigits++;
    }
    if (fractionDigits === 0 && digits === 0) return undefined;
  } else if (digits === 0) return undefined;
  for (let pad = Math.min(fractionDigits, 6); pad < 6; pad++) fraction *= 10;
  const magnitude = whole * MICROS_PER_UNIT + fraction + (roundUp ? 1 : 0);
  if (!Number.isSafeInteger(magnitude)) return undefined;
  // "-0" / "-0.0000001" are zero, not -0 (which would print as -0.00 and break Object.is equality).
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/** Formats integer micro-units as a decimal string with `decimals` places (default 2), rounding half away from zero. */
export function formatMicros(micros: number, decimals = 2): string {
  if (!Number.isSafeInteger(micros)) throw new SightlineError('FINOPS_MONEY_UNSAFE', `amount ${micros} micro-units is not a safe integer`, { micros });
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const scale = 10 ** (6 - decimals);
  const rounded = Math.floor((abs + scale / 2) / scale);
  const unitsScale = 10 ** decimals;
  const units = Math.floor(rounded / unitsScale);
  const rest = rounded % unitsScale;
  const text = decimals === 0 ? `${units}` : `${units}.${String(rest).padStart(decimals, '0')}`;
  return negative && rounded !== 0 ? `-${text}` : text;
}

/** Adds two micro-unit amounts, throwing `FINOPS_MONEY_UNSAFE` rather than losing precision past 2^53. */
export function addMicros(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new SightlineError('FINOPS_MONEY_UNSAFE', `sum of ${a} and ${b} micro-units exceeds the safe integer range; split the data by period`, { a, b });
  return sum;
}

/**
 * Splits `total` micro-units into integer parts proportional to `weights` by the largest-remainder
 * method (Hamilton): each part gets the floor of its exact share, and the micro-units left over go
 * to the parts with the largest fractional remainders (ties to the earlier index). The parts always
 * sum to `total` exactly. Weights must be finite and >= 0 with a positive sum.
 */
export function allocateLargestRemainder(total: number, weights: readonly number[]): number[] {
  let weightSum = 0;
  for (const weight of weights) {
    if (!Number.isFinite(weight) || weight < 0) throw new SightlineError('FINOPS_WEIGHTS_INVALID', `allocation weights must be finite and >= 0; got ${weight}`, { weights: [...weights] });
    weightSum += weight;
  }
  if (!(weightSum > 0)) throw new SightlineError('FINOPS_WEIGHTS_INVALID', 'allocation weights must have a positive sum', { weights: [...weights] });
  const sign = total < 0 ? -1 : 1;
  const magnitude = Math.abs(total);
  const parts = new Array<number>(weights.length);
  const remainders = new Array<number>(weights.length);
  let assigned = 0;
  for (let i = 0; i < weights.length; i++) {
    // BigInt-free exactness: magnitude * weight can exceed 2^53, so split the product.
    const exact = (magnitude / weightSum) * (weights[i] ?? 0);
    const floor = Math.floor(exact);
    parts[i] = floor;
    remainders[i] = exact - floor;
    assigned += floor;
  }
  let left = magnitude - assigned;
  const order = remainders.map((r, i) => i).sort((a, b) => (remainders[b] ?? 0) - (remainders[a] ?? 0) || a - b);
  // Floating error in `exact` can make the floors over- or under-shoot by a unit; fix both ways.
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k] ?? 0] = (parts[order[k] ?? 0] ?? 0) + 1;
  for (let k = order.length - 1; left < 0; k = (k - 1 + order.length) % order.length) {
    const index = order[k] ?? 0;
    if ((parts[index] ?? 0) > 0) {
      parts[index] = (parts[index] ?? 0) - 1;
      left++;
    }
  }
  return parts.map((p) => p * sign);
}
