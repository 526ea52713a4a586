import type { Tolerance } from './experiment.js';

/**
 * Whether a probe's output is within tolerance. With no tolerance an object output's `ok`
 * field decides, and any other output counts as healthy (the probe did not throw).
 */
export function isWithinTolerance(tolerance: Tolerance | undefined, output: unknown): boolean {
  if (tolerance === undefined) {
    if (typeof output === 'object' && output !== null && 'ok' in output) return (output as { ok: unknown }).ok === true;
    return true;
  }
  if (typeof tolerance === 'boolean' || typeof tolerance === 'number' || typeof tolerance === 'string') return output === tolerance;
  if (Array.isArray(tolerance)) return inRange(output, tolerance as readonly [number, number]);
  const t = tolerance as Exclude<Tolerance, boolean | number | string | readonly [number, number]>;
  const value = readPath(output, t.path);
  return t.type === 'range' ? inRange(value, t.range) : value === t.value;
}

function inRange(value: unknown, [min, max]: readonly [number, number]): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

/** Reads `a.b.c` from an object output; missing fields read as undefined. */
function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
