import { checkValueLimits, compileTest, type ValueLimits } from '../compile-condition.js';
import type { Comparison, Condition } from '../policy.js';
import type { AccessRequest } from '../request.js';

/** What the generator needs of one compiled policy. */
export interface GeneratedPolicy<D> {
  readonly effect: 'allow' | 'deny';
  /** Roles whose holders satisfy the target; `undefined` when the target names no roles. */
  readonly roles: ReadonlySet<string> | undefined;
  readonly condition: Condition | undefined;
  readonly failClosed: boolean;
  readonly matchDecision: D;
  readonly errorDecision: D;
}

/** A generated decision function for one candidate list. */
export type GeneratedDecider<D> = (request: AccessRequest, now: number) => D;

/** Past these sizes a generated function would be too big for V8 to optimise: the caller keeps its closures. */
const MAX_POLICIES = 64;
const MAX_NODES = 512;
const INLINE_ROLES = 6;

const LITERAL_TYPES = ['string', 'number', 'boolean'] as const;
const ORDER = { equals: '===', not_equals: '!==', greater_than: '>', greater_than_or_equal: '>=', less_than: '<', less_than_or_equal: '<=' } as const;

/**
 * Compiles the candidates of one (action, resource type) — denies first, then allows — into one
 * JavaScript function generated as source, so a decision is straight-line code: attribute reads
 * are direct property loads, literal comparisons are inlined, the rest call their compiled
 * closures. Same semantics as the closures (three-valued, own attributes only, limits checked on
 * what is read, roles before conditions, deny overrides, fail closed).
 *
 * Safety: nothing from a policy is written into the source. Attribute names, literals, role sets,
 * decisions and closures are closure constants named by their index (`k3`), and the only text
 * generated is fixed operators, these indices and the three `typeof` names.
 *
 * Own attributes: a key is read when `key in object`; when the object's prototype is not
 * `Object.prototype`, when `Object.prototype` itself holds the key (a polluted prototype) or when
 * the object is an array, own-ness is checked with `hasOwnProperty` first. An inherited getter is
 * therefore never called, and a polluted `Object.prototype` is never read as a request value.
 *
 * `rest` decides when no listed policy applied; without it the answer is `otherwise`.
 * @returns the function, or `undefined` when the candidates are too many to generate one.
 */
export function generateDecider<D>(policies: readonly GeneratedPolicy<D>[], rest: GeneratedDecider<D> | undefined, otherwise: D, limits: ValueLimits): GeneratedDecider<D> | undefined {
  if (policies.length > MAX_POLICIES || conditionNodes(policies) > MAX_NODES) return undefined;
  const emitter = createEmitter(limits);
  const body = emitter.candidates(policies, rest, otherwise);
  const source = `${emitter.prelude()}
return function decide(request, now) {
${emitter.locals()}
${body}};`;
  // Generated from fixed text and constant indices only (see above): no policy text reaches the source.
  const factory = new Function('k', 'limit', source) as (k: unknown[], limit: (value: unknown, attr: string) => void) => GeneratedDecider<D>;
  return factory(emitter.constants, (value, attr) => checkValueLimits(value, attr, limits));
}

/** The candidates of one (action, resource type) pair, for {@link generateSetDecider}. */
export interface GeneratedPair<D> {
  readonly action: string;
  readonly type: string;
  readonly policies: readonly GeneratedPolicy<D>[];
  readonly rest: GeneratedDecider<D> | undefined;
  readonly otherwise: D;
}

/** What the whole-set function calls outside its pairs; none of them may be reached for a pair it holds. */
export interface SetDeciderHooks<D> {
  /** Decides an (action, type) pair the function does not hold (the authorizer's candidate cache). */
  readonly fallback: (request: AccessRequest, action: string, type: string, now: number) => D;
  /** The answer for a request whose shape is refused. */
  readonly refused: (request: unknown) => D;
  /** The answer when evaluation threw (a request limit, a throwing getter). */
  readonly failed: (error: unknown) => D;
  /** `decide(request, { explain: true })`. */
  readonly explaining: (request: AccessRequest) => D;
  /** The clock, when a policy reads it; `undefined` passes 0 as the time. */
  readonly now: (() => number) | undefined;
}

/** Past these totals the whole-set function is not generated (the per-pair functions still are). */
const MAX_SET_POLICIES = 128;
const MAX_SET_NODES = 1_024;

/**
 * Compiles a whole policy set's decision — the request's shape checks, the dispatch on action and
 * resource type, and the candidates of every listed pair — into one generated function with the
 * signature of `Authorizer.decide`, so a decision is one call with no lookup: `===` on the action,
 * then on the type, then the pair's straight-line code (as {@link generateDecider} writes it).
 * Pairs not listed go to `hooks.fallback`. Same safety as {@link generateDecider}: actions and
 * types are closure constants, never source text.
 * @returns the function, or `undefined` when the pairs are too many or too big.
 */
export function generateSetDecider<D>(pairs: readonly GeneratedPair<D>[], hooks: SetDeciderHooks<D>, limits: ValueLimits): ((request: AccessRequest, options?: { explain?: boolean }) => D) | undefined {
  let total = 0;
  let nodes = 0;
  for (const pair of pairs) {
    if (pair.policies.length > MAX_POLICIES) return undefined;
    total += pair.policies.length;
    nodes += conditionNodes(pair.policies);
  }
  if (total > MAX_SET_POLICIES || nodes > MAX_SET_NODES) return undefined;
  const emitter = createEmitter(limits);
  const { constant } = emitter;
  const byAction = new Map<string, GeneratedPair<D>[]>();
  for (const pair of pairs) byAction.set(pair.action, [...(byAction.get(pair.action) ?? []), pair]);
  const fallback = `return ${constant(hooks.fallback)}(request, action, type, now);\n`;
  let dispatch = '';
  for (const [action, list] of byAction) {
    dispatch += `if (action === ${constant(action)}) {\n`;
    for (const pair of list) dispatch += `if (type === ${constant(pair.type)}) {\n${emitter.candidates(pair.policies, pair.rest, pair.otherwise)}}\n`;
    dispatch += `${fallback}}\n`;
  }
  dispatch += fallback;
  const explaining = constant(hooks.explaining);
  const refused = constant(hooks.refused);
  const failed = constant(hooks.failed);
  const now = hooks.now === undefined ? '0' : `${constant(hooks.now)}()`;
  // The shape checks are requestProblem's, each value read once and in the same order as the
  // closures path reads them; a request that fails them gets requestProblem's answer.
  const source = `${emitter.prelude()}
return function decide(request, options) {
if (options !== undefined && options !== null && options.explain === true) return ${explaining}(request);
const now = ${now};
try {
if (typeof request !== "object" || request === null) return ${refused}(request);
const action = request.action, subject = request.subject, resource = request.resource, context = request.context;
if (typeof action !== "string" || action === "" || typeof subject !== "object" || subject === null || isA(subject) || typeof resource !== "object" || resource === null || isA(resource)) return ${refused}(request);
const type = resource.type;
if (typeof type !== "string" || (context !== undefined && (typeof context !== "object" || context === null || isA(context)))) return ${refused}(request);
${emitter.locals()}
${dispatch}} catch (error) {
return ${failed}(error);
}
};`;
  // Generated from fixed text and constant indices only (see above): no policy text reaches the source.
  const factory = new Function('k', 'limit', source) as (k: unknown[], limit: (value: unknown, attr: string) => void) => (request: AccessRequest, options?: { explain?: boolean }) => D;
  return factory(emitter.constants, (value, attr) => checkValueLimits(value, attr, limits));
}

function conditionNodes(policies: readonly GeneratedPolicy<unknown>[]): number {
  let nodes = 0;
  const count = (c: Condition): void => {
    nodes++;
    if ('all' in c) c.all.forEach(count);
    else if ('any' in c) c.any.forEach(count);
    else if ('not' in c) count(c.not);
  };
  for (const p of policies) if (p.condition !== undefined) count(p.condition);
  return nodes;
}

/**
 * Writes decision code: the constants table (`k3`), locals shared by every candidate list it
 * writes (only one list runs per call), and the code of each list.
 */
function createEmitter(limits: ValueLimits) {
  const constants: unknown[] = [];
  const constant = (value: unknown): string => {
    let i = constants.indexOf(value);
    if (i < 0) i = constants.push(value) - 1;
    return `k${i}`;
  };
  const maxString = constant(limits.maxStringLength);
  const maxArray = constant(limits.maxArrayLength);
  let vars = 0;
  const fresh = (): string => `o${vars++}`;
  let labels = 0;
  /** Reads own key `key` of `v` into `v` (`undefined` for missing), when `v` is not already missing. */
  const readKey = (key: string): string => {
    const k = constant(key);
    return `if (v !== undefined) { if (typeof v !== "object" || v === null || !(${k} in v)) v = undefined; else if (gp(v) !== OP || OP[${k}] !== undefined || isA(v)) v = isA(v) || !hp.call(v, ${k}) ? undefined : v[${k}]; else v = v[${k}]; }\n`;
  };
  // Each path is read at most once per decision, when first needed, into its own local (`U` until
  // read): what the closures read lazily is read lazily here too, and never twice.
  const paths = new Map<string, string>();
  const ensure = (path: string): [code: string, local: string] => {
    let local = paths.get(path);
    if (local !== undefined) return [`if (${local} === U) { ${ensureCode(path, local)} }\n`, local];
    local = `p${paths.size}`;
    paths.set(path, local);
    return [`if (${local} === U) { ${ensureCode(path, local)} }\n`, local];
  };
  const ensureCode = (path: string, local: string): string => {
    const dot = path.lastIndexOf('.');
    let parent = 'v = request;\n';
    if (dot >= 0) {
      const [code, parentLocal] = ensure(path.slice(0, dot));
      parent = `${code}v = ${parentLocal};\n`;
    }
    return `${parent}${readKey(path.slice(dot + 1))}${local} = v;`;
  };
  const overLimit = (value: string, attr: string): string => `if (typeof ${value} === "string" ? ${value}.length > ${maxString} : isA(${value}) && ${value}.length > ${maxArray}) lim(${value}, ${constant(attr)});\n`;

  const emitComparison = (c: Comparison, out: string): string => {
    const literalType = LITERAL_TYPES.indexOf(typeof c.value as (typeof LITERAL_TYPES)[number]);
    const op = ORDER[c.op as keyof typeof ORDER] as string | undefined;
    if (c.attr !== undefined && c.ref === undefined && literalType >= 0 && op !== undefined && (op === '===' || op === '!==' || literalType === 1)) {
      // An attribute against a literal: one typeof, one compare (a mismatch is unknown, never false).
      const type = LITERAL_TYPES[literalType]!;
      const attr = constant(c.attr);
      const literal = constant(c.value);
      const [read, local] = ensure(c.attr);
      return `${read}v = ${local};
if (v === undefined) ${out} = 2;
else if (typeof v !== "${type}") { if (isA(v) && v.length > ${maxArray}) lim(v, ${attr}); ${out} = 2; }
else { ${type === 'string' ? `if (v.length > ${maxString}) lim(v, ${attr}); ` : ''}${out} = v ${op} ${literal} ? 1 : 0; }\n`;
    }
    // Every other operator: the operator's compiled test, on the values read here (as compileComparison does).
    const test = constant(compileTest(c));
    let code = '';
    let close = '';
    if (c.attr !== undefined) {
      const [read, local] = ensure(c.attr);
      code += `${read}a = ${local};\nif (a === undefined) ${out} = ${c.op === 'exists' ? 0 : 2};\nelse {\n${overLimit('a', c.attr)}`;
      close = '}\n';
    }
    const observed = c.attr === undefined ? 'now' : 'a';
    if (c.op === 'exists') code += `${out} = 1;\n`;
    else if (c.ref !== undefined) {
      const [read, local] = ensure(c.ref);
      code += `${read}b = ${local};\nif (b === undefined) ${out} = 2;\nelse {\n${overLimit('b', c.ref)}${out} = ${test}(${observed}, b, now);\n}\n`;
    } else code += `${out} = ${test}(${observed}, ${constant(c.value)}, now);\n`;
    return code + close;
  };

  const emit = (c: Condition, out: string): string => {
    if ('all' in c || 'any' in c) {
      const isAll = 'all' in c;
      const parts = isAll ? c.all : c.any;
      const label = `L${labels++}`;
      // all: FALSE ends it, an ERROR makes it ERROR; any: TRUE ends it, an ERROR makes it ERROR.
      const [start, stop] = isAll ? [1, 0] : [0, 1];
      let code = `${label}: { ${out} = ${start};\n`;
      for (const part of parts) {
        const o = fresh();
        code += `${emit(part, o)}if (${o} === ${stop}) { ${out} = ${stop}; break ${label}; }\nif (${o} === 2) ${out} = 2;\n`;
      }
      return `${code}}\n`;
    }
    if ('not' in c) {
      const o = fresh();
      return `${emit(c.not, o)}${out} = ${o} === 2 ? 2 : ${o} === 1 ? 0 : 1;\n`;
    }
    return emitComparison(c, out);
  };

  const roleSets = new Map<string, string>();
  /** The code of one candidate list (denies first, then allows); it always returns. */
  const candidates = <D>(policies: readonly GeneratedPolicy<D>[], rest: GeneratedDecider<D> | undefined, otherwise: D): string => {
    let body = '';
    for (const policy of policies) {
      const label = `L${labels++}`;
      let code = '';
      if (policy.roles !== undefined) {
        // As the closures do: subject.roles must be an own array holding one satisfying role name.
        // The array is read (and its length checked) once; each distinct role set is tested once.
        const roleKey = [...policy.roles].sort().join('\u0000');
        let held = roleSets.get(roleKey);
        if (held === undefined) roleSets.set(roleKey, (held = `h${roleSets.size}`));
        // A few roles are compared one by one (cheaper than a hash lookup); more use the set.
        const test = policy.roles.size <= INLINE_ROLES ? [...policy.roles].map((role) => `r === ${constant(role)}`).join(' || ') || 'false' : `${constant(policy.roles)}.has(r)`;
        code += `if (roles === U) { v = request.subject;\n${readKey('roles')}roles = v; if (isA(v) && v.length > ${maxArray}) lim(v, ${constant('subject.roles')}); }
  if (${held} === -1) { ${held} = 0; if (isA(roles)) for (let i = 0; i < roles.length; i++) { const r = roles[i]; if (typeof r === "string" && (${test})) { ${held} = 1; break; } } }
  if (${held} === 0) break ${label};\n`;
      }
      const o = fresh();
      code += policy.condition === undefined ? `${o} = 1;\n` : emit(policy.condition, o);
      code += `if (${o} === 1) return ${constant(policy.matchDecision)};\n`;
      if (policy.effect === 'deny' && policy.failClosed) code += `if (${o} === 2) return ${constant(policy.errorDecision)};\n`;
      body += `${label}: {\n${code}}\n`;
    }
    body += rest === undefined ? `return ${constant(otherwise)};\n` : `return ${constant(rest)}(request, now);\n`;
    return body;
  };
  return {
    constants,
    constant,
    candidates,
    prelude: (): string => {
      const declarations = constants.map((_, i) => `k${i} = k[${i}]`).join(', ');
      return `"use strict";
const OP = Object.prototype, gp = Object.getPrototypeOf, isA = Array.isArray, hp = OP.hasOwnProperty, U = {}, lim = limit${declarations === '' ? '' : `, ${declarations}`};`;
    },
    locals: (): string => {
      const list = [...Array.from({ length: vars }, (_, i) => `o${i}`), ...[...paths.values()].map((p) => `${p} = U`), ...[...roleSets.values()].map((h) => `${h} = -1`)].join(', ');
      return `let v, a, b, roles = U${list === '' ? '' : `, ${list}`};`;
    },
  };
}
