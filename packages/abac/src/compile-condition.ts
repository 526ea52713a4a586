import { RE2JS } from 're2js';
import { cidrContains, ipv4Block, parseCidr, parseIp, parseIpv4Number, type Cidr } from './cidr.js';
import { localTime, parseClockTime, WEEKDAYS, type Weekday } from './clock-time.js';
import type { Comparison, Condition } from './policy.js';
import { lookup, MISSING, typeName, type AccessRequest } from './request.js';

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

/** Bounds on the values a comparison reads (see `RequestLimits`). */
export interface ValueLimits {
  readonly maxStringLength: number;
  readonly maxArrayLength: number;
}

/**
 * Thrown while evaluating when a value a policy reads is over a {@link ValueLimits} bound; the
 * authorizer turns it into an `invalid_request` deny with this message. Checking at the point of
 * reading costs one comparison on a value already in hand, and never touches unread attributes.
 */
export class RequestLimitExceeded extends Error {
  override readonly name = 'RequestLimitExceeded';
}

/** Throws {@link RequestLimitExceeded} when `value` is a string or array over the limits. */
export function checkValueLimits(value: unknown, attr: string, limits: ValueLimits): void {
  if (typeof value === 'string') {
    if (value.length > limits.maxStringLength) throw new RequestLimitExceeded(`${attr} is a string of ${value.length} characters; the limit is ${limits.maxStringLength} (requestLimits.maxStringLength)`);
  } else if (Array.isArray(value) && value.length > limits.maxArrayLength) {
    throw new RequestLimitExceeded(`${attr} is an array of ${value.length} entries; the limit is ${limits.maxArrayLength} (requestLimits.maxArrayLength)`);
  }
}

const NO_LIMITS: ValueLimits = { maxStringLength: Number.POSITIVE_INFINITY, maxArrayLength: Number.POSITIVE_INFINITY };

/** Whether a condition reads the clock (a `time_window` or `weekdays` without `attr`). */
export function readsClock(condition: Condition): boolean {
  if ('all' in condition) return condition.all.some(readsClock);
  if ('any' in condition) return condition.any.some(readsClock);
  if ('not' in condition) return readsClock(condition.not);
  return condition.attr === undefined;
}

/** Compiles a validated condition into closures: each request only walks what it must. */
export function compileCondition(condition: Condition, path = 'condition', limits: ValueLimits = NO_LIMITS): CompiledCondition {
  if ('all' in condition) {
    const parts = condition.all.map((c, i) => compileCondition(c, `${path}.all[${i}]`, limits));
    if (parts.length === 2) {
      const [first, second] = parts as [CompiledCondition, CompiledCondition];
      return (request, now, trace) => {
        const a = first(request, now, trace);
        if (a === FALSE) return FALSE;
        const b = second(request, now, trace);
        return b === FALSE ? FALSE : a === ERROR || b === ERROR ? ERROR : TRUE;
      };
    }
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
    const parts = condition.any.map((c, i) => compileCondition(c, `${path}.any[${i}]`, limits));
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
    const inner = compileCondition(condition.not, `${path}.not`, limits);
    return (request, now, trace) => {
      const outcome = inner(request, now, trace);
      return outcome === ERROR ? ERROR : outcome === TRUE ? FALSE : TRUE;
    };
  }
  return compileComparison(condition, path, limits);
}

/**
 * An own-property reader for one compiled path, unrolled for the usual one and two segments
 * (`action`, `subject.team`); same semantics as {@link lookup}.
 */
function accessor(path: readonly string[]): (request: AccessRequest) => unknown {
  if (path.length === 1) {
    const [k0] = path as [string];
    return (request) => {
      if (!Object.hasOwn(request, k0)) return MISSING;
      const v = (request as unknown as Record<string, unknown>)[k0];
      return v === undefined ? MISSING : v;
    };
  }
  if (path.length === 2) {
    const [k0, k1] = path as [string, string];
    return (request) => {
      if (!Object.hasOwn(request, k0)) return MISSING;
      const parent = (request as unknown as Record<string, unknown>)[k0];
      if (typeof parent !== 'object' || parent === null || Array.isArray(parent) || !Object.hasOwn(parent, k1)) return MISSING;
      const v = (parent as Record<string, unknown>)[k1];
      return v === undefined ? MISSING : v;
    };
  }
  return (request) => lookup(request, path);
}

function compileComparison(c: Comparison, path: string, limits: ValueLimits): CompiledCondition {
  const { maxStringLength, maxArrayLength } = limits;
  const read = c.attr === undefined ? undefined : accessor(c.attr.split('.'));
  const readRef = c.ref === undefined ? undefined : accessor(c.ref.split('.'));
  const test = compileTest(c);
  const note = (observed: unknown, outcome: ComparisonNote['outcome']): ComparisonNote => ({
    path,
    attr: c.attr ?? '(clock)',
    op: c.op,
    observedType: outcome === 'missing' ? 'missing' : typeName(observed),
    outcome,
  });
  // The common comparisons of an attribute with a literal get a closure of their own: one read,
  // one typeof, one compare, no generic test call.
  if (read !== undefined && readRef === undefined && (typeof c.value === 'string' || typeof c.value === 'number' || typeof c.value === 'boolean')) {
    const literal = c.value;
    const literalType = typeof literal;
    const attr = c.attr!;
    const compare = c.op === 'equals' ? 0 : c.op === 'not_equals' ? 1 : c.op === 'greater_than' ? 2 : c.op === 'greater_than_or_equal' ? 3 : c.op === 'less_than' ? 4 : c.op === 'less_than_or_equal' ? 5 : -1;
    if (compare >= 0 && (compare < 2 || literalType === 'number')) {
      return (request, _now, trace) => {
        const observed = read(request);
        if (observed === MISSING) return trace === undefined ? ERROR : error(trace, note(undefined, 'missing'));
        if (typeof observed !== literalType) {
          if (Array.isArray(observed) && observed.length > maxArrayLength) checkValueLimits(observed, attr, limits);
          return trace === undefined ? ERROR : error(trace, note(observed, 'type_mismatch'));
        }
        if (literalType === 'string' && (observed as string).length > maxStringLength) checkValueLimits(observed, attr, limits);
        let holds: boolean;
        switch (compare) {
          case 0: holds = observed === literal; break;
          case 1: holds = observed !== literal; break;
          case 2: holds = (observed as number) > (literal as number); break;
          case 3: holds = (observed as number) >= (literal as number); break;
          case 4: holds = (observed as number) < (literal as number); break;
          default: holds = (observed as number) <= (literal as number);
        }
        return holds ? TRUE : (trace === undefined ? FALSE : fail(trace, note(observed, 'false')));
      };
    }
  }
  return (request, now, trace) => {
    let observed: unknown = now;
    if (read !== undefined) {
      observed = read(request);
      if (observed === MISSING) {
        if (c.op === 'exists') return trace === undefined ? FALSE : fail(trace, note(undefined, 'false'));
        return trace === undefined ? ERROR : error(trace, note(undefined, 'missing'));
      }
      if (typeof observed === 'string' ? observed.length > maxStringLength : Array.isArray(observed) && observed.length > maxArrayLength) checkValueLimits(observed, c.attr!, limits);
    }
    if (c.op === 'exists') return TRUE;
    let operand: unknown = c.value;
    if (readRef !== undefined) {
      operand = readRef(request);
      if (operand === MISSING) return trace === undefined ? ERROR : error(trace, { ...note(observed, 'missing'), attr: c.ref! });
      if (typeof operand === 'string' ? operand.length > maxStringLength : Array.isArray(operand) && operand.length > maxArrayLength) checkValueLimits(operand, c.ref!, limits);
    }
    const outcome = test(observed, operand, now);
    if (outcome === TRUE) return TRUE;
    if (outcome === FALSE) return trace === undefined ? FALSE : fail(trace, note(observed, 'false'));
    return trace === undefined ? ERROR : error(trace, note(observed, 'type_mismatch'));
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
export function compileTest(c: Comparison): (observed: unknown, operand: unknown, now: number) => Outcome {
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
      // Collection membership only: a string attribute is not a collection of its substrings
      // ("pii-free" does not contain "pii"), so it is a type mismatch — unknown, fail closed.
      const negate = c.op === 'not_contains';
      return (a, b) => (Array.isArray(a) && isPrimitive(b) ? bool(a.includes(b) !== negate) : ERROR);
    }
    case 'contains_substring':
      return (a, b) => (typeof a === 'string' && typeof b === 'string' ? bool(a.includes(b)) : ERROR);
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
      // Blocks are parsed once here; IPv4 blocks become (base, mask) numbers, so the common
      // IPv4 request costs one allocation-free parse and a mask per block.
      const blocks = (Array.isArray(c.value) ? c.value : [c.value]).map((v) => parseCidr(v as string)).filter((v): v is Cidr => v !== undefined);
      const v4 = blocks.filter((b) => b.bytes.length === 4).map(ipv4Block);
      const v6 = blocks.filter((b) => b.bytes.length === 16);
      const v4Bases = Float64Array.from(v4, (b) => b.base);
      const v4Masks = Float64Array.from(v4, (b) => b.mask);
      let lastV6: string | undefined;
      let lastV6Outcome: Outcome = ERROR;
      return (a) => {
        if (typeof a !== 'string') return ERROR;
        const n = parseIpv4Number(a);
        if (n >= 0) {
          for (let i = 0; i < v4Bases.length; i++) if ((n & v4Masks[i]!) >>> 0 === v4Bases[i]) return TRUE;
          return FALSE;
        }
        if (!a.includes(':')) return ERROR;
        // The last IPv6 address's answer is kept (a client's requests come in runs): parsing one allocates.
        if (a === lastV6) return lastV6Outcome;
        const ip = parseIp(a);
        let outcome: Outcome = ip === undefined ? ERROR : FALSE;
        if (ip !== undefined) {
          for (let i = 0; i < v6.length; i++) {
            if (cidrContains(v6[i]!, ip)) {
              outcome = TRUE;
              break;
            }
          }
        }
        lastV6 = a;
        lastV6Outcome = outcome;
        return outcome;
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
