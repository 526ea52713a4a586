import { RE2JS } from 're2js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './cidr.js';
import { localTime, parseClockTime, WEEKDAYS, type Weekday } from './clock-time.js';
import type { Comparison, Condition } from './policy.js';
import { lookup, typeName, type AccessRequest } from './request.js';

/** Three-valued outcome (Kleene logic): an error is "unknown", never silently false or true. */
export const FALSE = 0;
export const TRUE = 1;
export const ERROR = 2;
export type Outcome = typeof FALSE | typeof TRUE | typeof ERROR;

/** Why a comparison did not hold, for explanations. */
export interface ComparisonNote {
  /** Where in the policy: `condition.all[1]`. */
  readonly path: string;
  readonly attr: string;
  readonly op: string;
  /** JSON type of what the request held at `attr` (`missing` when absent). */
  readonly observedType: string;
  readonly outcome: 'false' | 'missing' | 'type_mismatch' | 'invalid_value';
}

/** Collects notes while evaluating in explain mode; absent on the fast path. */
export interface Trace {
  firstFailure?: ComparisonNote;
  errors: ComparisonNote[];
}

/** A compiled condition. */
export type CompiledCondition = (request: AccessRequest, nowMs: number, trace: Trace | undefined) => Outcome;

type Primitive = string | number | boolean;

/** Compiles a validated condition into closures: each request only walks what it must. */
export function compileCondition(condition: Condition, path = 'condition'): CompiledCondition {
  if ('all' in condition) {
    const parts = condition.all.map((c, i) => compileCondition(c, `${path}.all[${i}]`));
    return (request, now, trace) => {
      let result: Outcome = TRUE;
      for (let i = 0; i < parts.length; i++) {
        const outcome = parts[i]!(request, now, trace);
        if (outcome === FALSE) return FALSE;
        if (outcome === ERROR) result = ERROR;
      }
      return result;
    };
  }
  if ('any' in condition) {
    const parts = condition.any.map((c, i) => compileCondition(c, `${path}.any[${i}]`));
    return (request, now, trace) => {
      let result: Outcome = FALSE;
      for (let i = 0; i < parts.length; i++) {
        const outcome = parts[i]!(request, now, trace);
        if (outcome === TRUE) return TRUE;
        if (outcome === ERROR) result = ERROR;
      }
      return result;
    };
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not, `${path}.not`);
    return (request, now, trace) => {
      const outcome = inner(request, now, trace);
      return outcome === ERROR ? ERROR : outcome === TRUE ? FALSE : TRUE;
    };
  }
  return compileComparison(condition, path);
}

function compileComparison(c: Comparison, path: string): CompiledCondition {
  const attrPath = c.attr === undefined ? undefined : c.attr.split('.');
  const refPath = c.ref === undefined ? undefined : c.ref.split('.');
  const test = compileTest(c);
  const note = (observed: unknown, outcome: ComparisonNote['outcome']): ComparisonNote => ({
    path,
    attr: c.attr ?? '(clock)',
    op: c.op,
    observedType: outcome === 'missing' ? 'missing' : typeName(observed),
    outcome,
  });
  return (request, now, trace) => {
    let observed: unknown = now;
    if (attrPath !== undefined) {
      const found = lookup(request, attrPath);
      if (!found.found) {
        if (c.op === 'exists') return fail(trace, note(undefined, 'false'));
        return error(trace, note(undefined, 'missing'));
      }
      observed = found.value;
    }
    if (c.op === 'exists') return TRUE;
    let operand: unknown = c.value;
    if (refPath !== undefined) {
      const found = lookup(request, refPath);
      if (!found.found) return error(trace, { ...note(observed, 'missing'), attr: c.ref! });
      operand = found.value;
    }
    const outcome = test(observed, operand, now);
    if (outcome === TRUE) return TRUE;
    if (outcome === FALSE) return fail(trace, note(observed, 'false'));
    return error(trace, note(observed, 'type_mismatch'));
  };
}

function fail(trace: Trace | undefined, note: ComparisonNote): Outcome {
  if (trace !== undefined && trace.firstFailure === undefined) trace.firstFailure = note;
  return FALSE;
}

function error(trace: Trace | undefined, note: ComparisonNote): Outcome {
  if (trace !== undefined) {
    trace.errors.push(note);
    if (trace.firstFailure === undefined) trace.firstFailure = note;
  }
  return ERROR;
}

const isPrimitive = (v: unknown): v is Primitive => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const sameType = (a: unknown, b: unknown) => isPrimitive(a) && typeof a === typeof b;
const bool = (value: boolean): Outcome => (value ? TRUE : FALSE);

/** The operator's test on (observed, operand): no coercion — mismatched types are ERROR. */
function compileTest(c: Comparison): (observed: unknown, operand: unknown, now: number) => Outcome {
  switch (c.op) {
    case 'equals':
      return (a, b) => (sameType(a, b) ? bool(a === b) : ERROR);
    case 'not_equals':
      return (a, b) => (sameType(a, b) ? bool(a !== b) : ERROR);
    case 'in':
    case 'not_in': {
      const negate = c.op === 'not_in';
      const literal = Array.isArray(c.value) ? new Set<unknown>(c.value) : undefined;
      const literalType = Array.isArray(c.value) && c.value.length > 0 ? typeof c.value[0] : undefined;
      return (a, b) => {
        if (!isPrimitive(a)) return ERROR;
        if (literal !== undefined) {
          if (literalType !== undefined && typeof a !== literalType) return ERROR;
          return bool(literal.has(a) !== negate);
        }
        if (!Array.isArray(b)) return ERROR;
        return bool(b.includes(a) !== negate);
      };
    }
    case 'contains':
    case 'not_contains': {
      const negate = c.op === 'not_contains';
      return (a, b) => {
        if (typeof a === 'string' && typeof b === 'string') return bool(a.includes(b) !== negate);
        if (Array.isArray(a) && isPrimitive(b)) return bool(a.includes(b) !== negate);
        return ERROR;
      };
    }
    case 'greater_than':
      return (a, b) => (typeof a === 'number' && typeof b === 'number' ? bool(a > b) : ERROR);
    case 'greater_than_or_equal':
      return (a, b) => (typeof a === 'number' && typeof b === 'number' ? bool(a >= b) : ERROR);
    case 'less_than':
      return (a, b) => (typeof a === 'number' && typeof b === 'number' ? bool(a < b) : ERROR);
    case 'less_than_or_equal':
      return (a, b) => (typeof a === 'number' && typeof b === 'number' ? bool(a <= b) : ERROR);
    case 'between': {
      const [low, high] = c.value as [number, number];
      return (a) => (typeof a === 'number' ? bool(a >= low && a <= high) : ERROR);
    }
    case 'starts_with':
      return (a, b) => (typeof a === 'string' && typeof b === 'string' ? bool(a.startsWith(b)) : ERROR);
    case 'ends_with':
      return (a, b) => (typeof a === 'string' && typeof b === 'string' ? bool(a.endsWith(b)) : ERROR);
    case 'glob':
    case 'matches_pattern': {
      const regex = c.op === 'glob' ? RE2JS.compile(globToRe2(c.value as string), RE2JS.DOTALL) : RE2JS.compile(c.value as string);
      return (a) => (typeof a === 'string' ? bool(regex.matcher(a).find()) : ERROR);
    }
    case 'cidr': {
      const blocks = (Array.isArray(c.value) ? c.value : [c.value]).map((v) => parseCidr(v as string)).filter((v): v is Cidr => v !== undefined);
      return (a) => {
        if (typeof a !== 'string') return ERROR;
        const ip = parseIp(a);
        if (ip === undefined) return ERROR;
        for (const block of blocks) if (cidrContains(block, ip)) return TRUE;
        return FALSE;
      };
    }
    case 'time_window': {
      const window = c.value as { start: string; end: string; timeZone: string };
      const start = parseClockTime(window.start)!;
      const end = parseClockTime(window.end)!;
      return (a) => {
        if (typeof a !== 'number' || !Number.isFinite(a)) return ERROR;
        const minute = localTime(a, window.timeZone).minuteOfDay;
        // A window may wrap midnight (22:00-06:00); end is exclusive.
        return bool(start <= end ? minute >= start && minute < end : minute >= start || minute < end);
      };
    }
    case 'weekdays': {
      const spec = c.value as { days: readonly Weekday[]; timeZone: string };
      const days = new Set(spec.days);
      return (a) => (typeof a === 'number' && Number.isFinite(a) ? bool(days.has(localTime(a, spec.timeZone).weekday)) : ERROR);
    }
    case 'exists':
      return () => TRUE;
  }
}

/** Translates a glob (`*` any run, `?` one character) into an anchored RE2 pattern. */
export function globToRe2(glob: string): string {
  let out = '^';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += /[\\^$.|+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
  }
  return `${out}$`;
}

export { WEEKDAYS };
