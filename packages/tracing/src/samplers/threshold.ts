import type { IssueCollector } from '@sightline/core';

/** A 56-bit rejection threshold split in two exact 28-bit halves. */
export interface Threshold {
  readonly high: number;
  readonly low: number;
}

/**
 * The OpenTelemetry consistent-probability rejection threshold for `ratio`:
 * T = (1 − ratio) × 2^56, rounded to an integer; a trace is kept when its randomness R ≥ T.
 */
export function thresholdFor(ratio: number): Threshold {
  const keep = BigInt(Math.round(ratio * 2 ** 56));
  const threshold = (1n << 56n) - keep;
  return { high: Number(threshold >> 28n), low: Number(threshold & 0xfffffffn) };
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x61 + i] = 10 + i;
  HEX[0x41 + i] = 10 + i;
}

/**
 * Whether `traceId` (32 hex chars) is kept at `threshold`: its randomness R is the least
 * significant 56 bits (the last 14 hex digits), compared as two 28-bit halves. Malformed ids are
 * not kept.
 */
export function isKept(traceId: string, threshold: Threshold): boolean {
  if (traceId.length !== 32) return false;
  let high = 0;
  for (let i = 18; i < 25; i++) {
    const code = traceId.charCodeAt(i);
    const digit = code < 128 ? (HEX[code] as number) : -1;
    if (digit < 0) return false;
    high = high * 16 + digit;
  }
  let low = 0;
  for (let i = 25; i < 32; i++) {
    const code = traceId.charCodeAt(i);
    const digit = code < 128 ? (HEX[code] as number) : -1;
    if (digit < 0) return false;
    low = low * 16 + digit;
  }
  return high > threshold.high || (high === threshold.high && low >= threshold.low);
}

/** Adds an issue unless `ratio` is a number in [0, 1]. */
export function checkRatio(issues: IssueCollector, ratio: unknown, path: string): void {
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    issues.add([path], `must be a ratio between 0 and 1, got ${String(ratio)}`, 'SAMPLER_RATIO');
  }
}

/** Adds an issue unless `value` is a finite number > 0. */
export function checkPositive(issues: IssueCollector, value: unknown, path: string, unit: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    issues.add([path], `must be a finite number of ${unit} > 0, got ${String(value)}`, 'SAMPLER_POSITIVE');
  }
}
