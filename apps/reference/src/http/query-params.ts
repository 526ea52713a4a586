import { IssueCollector, parseDuration } from '@sightline/core';

/** What a query parameter may be. */
type ParamSpec =
  | { type: 'string'; pattern?: RegExp; oneOf?: readonly string[] }
  | { type: 'integer'; min: number; max: number }
  | { type: 'boolean' }
  /** A duration back from now (`1h`) or an ISO time / epoch ms: resolved to epoch ms. */
  | { type: 'time' };

type Parsed<S extends Record<string, ParamSpec>> = {
  [K in keyof S]?: S[K] extends { type: 'integer' } | { type: 'time' } ? number : S[K] extends { type: 'boolean' } ? boolean : string;
};

/**
 * Validates a query string against `spec`: unknown parameters and bad values are each reported
 * with their name (code `QUERY_INVALID`, → 400), all at once.
 */
export function parseQuery<S extends Record<string, ParamSpec>>(query: unknown, spec: S, nowMs: number): Parsed<S> {
  const issues = new IssueCollector();
  const input = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    const rule = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (rule === undefined) {
      issues.add([key], `unknown parameter; expected one of ${Object.keys(spec).join(', ')}`, 'UNKNOWN_PARAMETER');
      continue;
    }
    if (typeof raw !== 'string') {
      issues.add([key], 'must be given once', 'REPEATED_PARAMETER');
      continue;
    }
    const value = parseOne(raw, rule, nowMs);
    if (typeof value === 'object' && value !== null && 'problem' in value) issues.add([key], value.problem, 'BAD_PARAMETER');
    else out[key] = value;
  }
  issues.throwIfAny('QUERY_INVALID', 'Invalid query parameters');
  return out as Parsed<S>;
}

function parseOne(raw: string, rule: ParamSpec, nowMs: number): string | number | boolean | { problem: string } {
  switch (rule.type) {
    case 'string':
      if (rule.oneOf !== undefined && !rule.oneOf.includes(raw)) return { problem: `must be one of ${rule.oneOf.join(', ')}` };
      if (rule.pattern !== undefined && !rule.pattern.test(raw)) return { problem: `must match ${rule.pattern}` };
      return raw;
    case 'integer': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < rule.min || n > rule.max) return { problem: `must be an integer from ${rule.min} to ${rule.max}` };
      return n;
    }
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return { problem: 'must be true or false' };
    case 'time': {
      if (/^\d+$/.test(raw)) return Number.isSafeInteger(Number(raw)) ? Number(raw) : { problem: 'must be a duration back from now (e.g. 1h), an ISO time or epoch ms' };
      const iso = Date.parse(raw);
      if (/^\d{4}-/.test(raw) && !Number.isNaN(iso)) return iso;
      try {
        return nowMs - parseDuration(raw);
      } catch {
        return { problem: 'must be a duration back from now (e.g. 1h), an ISO time or epoch ms' };
      }
    }
  }
}
