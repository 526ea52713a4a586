import { SightlineError } from '@sightline/core';
import type { Tolerance } from './experiment.js';
import { compileJsonPath } from './internal/json-path.js';

/**
 * Whether a probe's output is within tolerance, by Chaos Toolkit's rules (see {@link Tolerance}).
 * With no tolerance an object output's `ok` field decides, and any other output counts as
 * healthy (the probe did not throw). A `probe` tolerance needs a call and is judged by the runner;
 * here it throws `CHAOS_TOLERANCE_UNSUPPORTED`.
 */
export function isWithinTolerance(tolerance: Tolerance | undefined, output: unknown): boolean {
  if (tolerance === undefined) {
    if (isRecord(output) && 'ok' in output) return output.ok === true;
    return true;
  }
  if (typeof tolerance === 'number') return hasStatus(output) ? output.status === tolerance : output === tolerance;
  if (typeof tolerance === 'boolean' || typeof tolerance === 'string') return output === tolerance;
  if (Array.isArray(tolerance)) {
    const list = tolerance as readonly unknown[];
    if (hasStatus(output)) return list.includes(output.status);
    if (list.length === 2 && typeof list[0] === 'number' && typeof list[1] === 'number') return inRange(output, [list[0], list[1]]);
    return list.includes(output);
  }
  const t = tolerance as Exclude<Tolerance, boolean | number | string | readonly unknown[]>;
  switch (t.type) {
    case 'equals':
      return readPath(output, t.path) === t.value;
    case 'range': {
      const value = t.path !== undefined ? readPath(output, t.path) : targetOf(output, t.target);
      return inRange(typeof value === 'string' && value.trim() !== '' ? Number(value) : value, t.range);
    }
    case 'regex': {
      const value = targetOf(output, t.target);
      return typeof value === 'string' && new RegExp(t.pattern).test(value);
    }
    case 'jsonpath': {
      let value = targetOf(output, t.target);
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value) as unknown;
        } catch {
          // not JSON text: the path is applied to the string itself and finds nothing
        }
      }
      const found = compileJsonPath(t.path).query(value);
      // Chaos Toolkit: `expect` (a list, or one value) must equal every match in order; else
      // `count` must equal the number of matches; else at least one match.
      if (t.expect !== undefined) return deepEqual(found, Array.isArray(t.expect) ? t.expect : [t.expect]);
      if (t.count !== undefined) return found.length === t.count;
      return found.length > 0;
    }
    case 'probe':
      throw new SightlineError('CHAOS_TOLERANCE_UNSUPPORTED', `a probe tolerance ("${t.name}") is judged by calling it; run it through runExperiment`, { name: t.name });
  }
}

/** Chaos Toolkit's `target`: a field of an object output (`body`, `stdout`...), or the output itself. */
function targetOf(output: unknown, target: string | undefined): unknown {
  if (target === undefined || !isRecord(output) || !(target in output)) return output;
  return output[target];
}

function hasStatus(output: unknown): output is { status: unknown } {
  return isRecord(output) && 'status' in output;
}

function inRange(value: unknown, [min, max]: readonly [number, number]): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

/** Reads `a.b.c` from an object output; missing fields read as undefined. */
function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
