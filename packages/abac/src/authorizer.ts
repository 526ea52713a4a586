import { systemClock, type Clock } from '@sightline/core';
import { checkValueLimits, compileCondition, ERROR, readsClock, RequestLimitExceeded, TRUE, type CompiledCondition, type ComparisonNote, type Trace } from './compile-condition.js';
import type { Condition, Effect, PolicySet } from './policy.js';
import { lookup, MISSING, type AccessRequest } from './request.js';
import { generateDecider, generateSetDecider, type GeneratedPair } from './internal/generate-decider.js';
import { roleClosure } from './roles.js';
import type { AttributeSchema } from './schema.js';
import { validatePolicySet, type PolicyLimits } from './validate.js';

/** Why a decision came out as it did. */
export type DecisionReason = 'allowed' | 'denied_by_policy' | 'denied_on_error' | 'no_applicable_allow' | 'invalid_request';

/** The answer to an access request. Never thrown: every request gets one. */
export interface Decision {
  readonly decision: 'allow' | 'deny';
  readonly reason: DecisionReason;
  /** The policies that determined it (empty for a default deny). */
  readonly policies: readonly string[];
  /** Id of the policy-set version that decided. */
  readonly version: string;
  readonly explanation?: Explanation;
}

/** Everything that mattered for one decision, for a human who has to act on it. */
export interface Explanation {
  readonly allows: readonly string[];
  readonly denies: readonly string[];
  /** Policies targeting this action and resource type that did not apply, and the first reason why. */
  readonly nearMisses: readonly { policyId: string; effect: Effect; because: 'role' | 'condition'; failure?: ComparisonNote }[];
  /** Missing or ill-typed attributes met while evaluating. */
  readonly errors: readonly { policyId: string; note: ComparisonNote }[];
  /** Set when the request itself was refused. */
  readonly requestProblem?: string;
}

/**
 * Bounds on the attribute values a decision reads, checked as each value is read: a value over a
 * bound denies the request with `invalid_request` and says which attribute and bound. Attributes
 * no evaluated policy reads are never walked, so the cost does not grow with what else the
 * request carries.
 */
export interface RequestLimits {
  /** Characters in a string attribute a policy reads (default 4,096). Bounds `matches_pattern`, `glob`, `contains_substring`. */
  maxStringLength: number;
  /** Entries in an array attribute a policy reads, e.g. `subject.roles` (default 1,000). */
  maxArrayLength: number;
}

/** Defaults of {@link RequestLimits}. */
export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({ maxStringLength: 4_096, maxArrayLength: 1_000 });

export interface AuthorizerOptions {
  clock?: Clock;
  schema?: AttributeSchema;
  limits?: Partial<PolicyLimits>;
  /** Bounds on the attribute values policies read; defaults in {@link DEFAULT_REQUEST_LIMITS}. */
  requestLimits?: Partial<RequestLimits>;
  /** Shown in every decision; defaults to `unversioned`. */
  version?: string;
  /**
   * Called with every decision (e.g. an audit trail's `record`); must not throw. `evidence` is
   * absent when the request was refused before any policy could read it (`invalid_request`).
   */
  onDecision?: (request: AccessRequest, decision: Decision, atMs: number, evidence?: DecisionEvidence) => void;
}

/**
 * The attributes that the policies for one (action, resource type) read: every `attr` and `ref`
 * of their conditions, and `subject.roles` when one of them targets roles. A request restricted to
 * these paths, with its action and resource type, decides the same under the same policy-set
 * version and clock time: it is the evidence of the decision. One frozen object per pair.
 */
export interface DecisionEvidence {
  /** Dot paths from the request root (`subject.dept`, `context.mfa`), sorted, no duplicates. */
  readonly paths: readonly string[];
}

interface CompiledPolicy {
  readonly id: string;
  readonly effect: Effect;
  readonly actions: ReadonlySet<string> | undefined;
  readonly types: ReadonlySet<string> | undefined;
  /** Roles whose holders satisfy the target (the target roles and every role inheriting one). */
  readonly roles: ReadonlySet<string> | undefined;
  readonly condition: CompiledCondition | undefined;
  /** The validated condition the closures were compiled from (the generator compiles it again, inlined). */
  readonly conditionSource: Condition | undefined;
  readonly failClosed: boolean;
  readonly matchDecision: Decision;
  readonly errorDecision: Decision;
  /** Literal `equals` comparisons every match requires (top level or under `all`): path → value. */
  readonly requiredEquals: ReadonlyMap<string, string | number | boolean>;
  /** Attribute paths the policy reads (its condition's `attr`/`ref`, `subject.roles` for a role target). */
  readonly paths: readonly string[];
}

/**
 * The candidates for one (action, resource type). When many allows share a required equality
 * on one attribute (`subject.dept equals "d3"`), they are bucketed by its value, so a request
 * only evaluates the allows its own value can satisfy.
 */
interface CandidateSet {
  readonly all: readonly CompiledPolicy[];
  readonly denies: readonly CompiledPolicy[];
  readonly indexPath: readonly string[] | undefined;
  readonly byValue: ReadonlyMap<unknown, readonly CompiledPolicy[]>;
  /** Allows without the indexed equality (always evaluated). */
  readonly unindexed: readonly CompiledPolicy[];
  readonly evidence: DecisionEvidence;
  /** The fast path for these candidates: generated code when they fit, else the closures. */
  readonly decide: (request: AccessRequest, now: number) => Decision;
}

const INDEX_THRESHOLD = 16;

function requiredEquals(condition: Condition | undefined): Map<string, string | number | boolean> {
  const out = new Map<string, string | number | boolean>();
  const visit = (c: Condition) => {
    if ('all' in c) c.all.forEach(visit);
    else if ('op' in c && c.op === 'equals' && c.attr !== undefined && c.ref === undefined && (typeof c.value === 'string' || typeof c.value === 'number' || typeof c.value === 'boolean')) out.set(c.attr, c.value);
  };
  if (condition !== undefined) visit(condition);
  return out;
}

/** Every attribute path a condition reads. */
function conditionPaths(condition: Condition | undefined, out: Set<string>): Set<string> {
  if (condition === undefined) return out;
  if ('all' in condition) for (const c of condition.all) conditionPaths(c, out);
  else if ('any' in condition) for (const c of condition.any) conditionPaths(c, out);
  else if ('not' in condition) conditionPaths(condition.not, out);
  else {
    if (condition.attr !== undefined) out.add(condition.attr);
    if (condition.ref !== undefined) out.add(condition.ref);
  }
  return out;
}

type CandidateIndex = Omit<CandidateSet, 'decide'>;

function candidateSet(list: CompiledPolicy[]): CandidateIndex {
  const denies = list.filter((p) => p.effect === 'deny');
  const allows = list.filter((p) => p.effect === 'allow');
  const evidence: DecisionEvidence = Object.freeze({ paths: Object.freeze([...new Set(list.flatMap((p) => p.paths))].sort()) });
  const empty = { all: list, denies, indexPath: undefined, byValue: new Map(), unindexed: allows, evidence };
  if (allows.length < INDEX_THRESHOLD) return empty;
  const counts = new Map<string, number>();
  for (const p of allows) for (const path of p.requiredEquals.keys()) counts.set(path, (counts.get(path) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (best === undefined || best[1] < allows.length / 2) return empty;
  const byValue = new Map<unknown, CompiledPolicy[]>();
  const unindexed: CompiledPolicy[] = [];
  for (const p of allows) {
    if (!p.requiredEquals.has(best[0])) unindexed.push(p);
    else {
      const value = p.requiredEquals.get(best[0]);
      byValue.set(value, [...(byValue.get(value) ?? []), p]);
    }
  }
  return { all: list, denies, indexPath: best[0].split('.'), byValue, unindexed, evidence };
}

/** Decides access requests against one compiled policy set. */
export interface Authorizer {
  readonly version: string;
  /** Decides; with `explain` the decision carries an {@link Explanation}. Never throws. */
  decide(request: AccessRequest, options?: { explain?: boolean }): Decision;
  /** Actions named by any policy that `subject` may perform on `resource` now. */
  permittedActions(subject: AccessRequest['subject'], resource: AccessRequest['resource'], context?: AccessRequest['context']): string[];
  /** Ids of every policy, in document order. */
  readonly policyIds: readonly string[];
}

const CANDIDATE_CACHE_LIMIT = 10_000;
const FRONT_ACTIONS = 8;
const FRONT_TYPES = 8;
/** Past these, the whole-set generated function is not built: (action, type) pairs the policies name, and candidates in one pair. */
const MAX_SET_PAIRS = 64;
const MAX_SET_PAIR_POLICIES = 64;

/**
 * Validates and compiles a policy set once into closures indexed by action and resource type,
 * so a decision only evaluates the policies that can apply. Semantics: default deny; deny
 * overrides; a deny whose condition errors denies (fail closed) unless it says `onError: skip`;
 * an allow whose condition errors does not apply; no type coercion; own attributes only.
 */
export function createAuthorizer(policySet: unknown, options: AuthorizerOptions = {}): Authorizer {
  const set: PolicySet = validatePolicySet(policySet, { ...(options.schema === undefined ? {} : { schema: options.schema }), ...(options.limits === undefined ? {} : { limits: options.limits }) });
  const version = options.version ?? 'unversioned';
  const clock = options.clock ?? systemClock;
  const requestLimits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, ...options.requestLimits };
  const closure = roleClosure(set.roles ?? {});
  const satisfying = (targetRoles: readonly string[]): Set<string> => {
    const out = new Set(targetRoles);
    for (const [role, held] of closure) if (targetRoles.some((t) => held.has(t))) out.add(role);
    return out;
  };
  const compiled: CompiledPolicy[] = set.policies.map((p) => ({
    id: p.id,
    effect: p.effect,
    actions: p.target?.actions === undefined ? undefined : new Set(p.target.actions),
    types: p.target?.resourceTypes === undefined ? undefined : new Set(p.target.resourceTypes),
    roles: p.target?.roles === undefined ? undefined : satisfying(p.target.roles),
    condition: p.condition === undefined ? undefined : compileCondition(p.condition, 'condition', requestLimits),
    conditionSource: p.condition,
    failClosed: p.effect === 'deny' && p.onError !== 'skip',
    matchDecision: Object.freeze({ decision: p.effect, reason: p.effect === 'allow' ? 'allowed' : 'denied_by_policy', policies: Object.freeze([p.id]), version }),
    errorDecision: Object.freeze({ decision: 'deny', reason: 'denied_on_error', policies: Object.freeze([p.id]), version }),
    requiredEquals: requiredEquals(p.condition),
    paths: [...conditionPaths(p.condition, new Set(p.target?.roles === undefined ? [] : ['subject.roles']))],
  }));
  const defaultDeny: Decision = Object.freeze({ decision: 'deny', reason: 'no_applicable_allow', policies: Object.freeze([]), version });

  // Candidates per (action, resource type), denies first so a matching deny ends the search.
  const byAction = new Map<string, CompiledPolicy[]>();
  const anyAction: CompiledPolicy[] = [];
  for (const policy of compiled) {
    if (policy.actions === undefined) anyAction.push(policy);
    else for (const action of policy.actions) byAction.set(action, [...(byAction.get(action) ?? []), policy]);
  }
  // Keyed by action, then by type: two maps, so no pair of strings can share a key (a joined
  // `${action}\0${type}` key let `read` on `x\0secret` answer for `read\0x` on `secret`).
  const cache = new Map<string, Map<string, CandidateSet>>();
  let cached = 0;
  const order = new Map(compiled.map((p, i) => [p, i]));
  // The first pairs seen are also kept in small arrays scanned with `===` (action, then type):
  // for the few actions and types most policy sets name, cheaper than two hash lookups.
  const frontActions: string[] = [];
  const frontTypes: string[][] = [];
  const frontSets: CandidateSet[][] = [];
  const candidatesFor = (action: string, type: string): CandidateSet => {
    for (let i = 0; i < frontActions.length; i++) {
      if (frontActions[i] !== action) continue;
      const types = frontTypes[i]!;
      for (let j = 0; j < types.length; j++) if (types[j] === type) return frontSets[i]![j]!;
      break;
    }
    let byType = cache.get(action);
    let set = byType?.get(type);
    if (set !== undefined) return set;
    const list = [...(byAction.get(action) ?? []), ...anyAction]
      .filter((p) => p.types === undefined || p.types.has(type))
      .sort((a, b) => (a.effect === b.effect ? order.get(a)! - order.get(b)! : a.effect === 'deny' ? -1 : 1));
    set = withDecider(candidateSet(list), list);
    if (cached < CANDIDATE_CACHE_LIMIT) {
      if (byType === undefined) cache.set(action, (byType = new Map()));
      byType.set(type, set);
      cached++;
      let i = frontActions.indexOf(action);
      if (i < 0 && frontActions.length < FRONT_ACTIONS) {
        i = frontActions.push(action) - 1;
        frontTypes.push([]);
        frontSets.push([]);
      }
      if (i >= 0 && frontTypes[i]!.length < FRONT_TYPES) {
        frontTypes[i]!.push(type);
        frontSets[i]!.push(set);
      }
    }
    return set;
  };

  // The clock is read per decision only when a policy reads it or `onDecision` needs the time.
  const needsClock = options.onDecision !== undefined || set.policies.some((p) => p.condition !== undefined && readsClock(p.condition));
  const holdsRole = (policy: CompiledPolicy, request: AccessRequest): boolean => {
    if (policy.roles === undefined) return true;
    const roles = Object.hasOwn(request.subject, 'roles') ? request.subject.roles : undefined;
    if (!Array.isArray(roles)) return false;
    if (roles.length > requestLimits.maxArrayLength) checkValueLimits(roles, 'subject.roles', requestLimits);
    for (let i = 0; i < roles.length; i++) if (typeof roles[i] === 'string' && policy.roles.has(roles[i] as string)) return true;
    return false;
  };

  const decideFast = (request: AccessRequest, set: CandidateIndex, now: number): Decision => {
    // Every deny first; then the first matching allow can answer: no deny is left to override it.
    for (let i = 0; i < set.denies.length; i++) {
      const policy = set.denies[i]!;
      if (policy.roles !== undefined && !holdsRole(policy, request)) continue;
      const outcome = policy.condition === undefined ? TRUE : policy.condition(request, now, undefined);
      if (outcome === TRUE) return policy.matchDecision;
      if (outcome === ERROR && policy.failClosed) return policy.errorDecision;
    }
    return allowsAfterDenies(request, set, now);
  };

  const allowsAfterDenies = (request: AccessRequest, set: CandidateIndex, now: number): Decision => {
    if (set.indexPath !== undefined) {
      const found = lookup(request, set.indexPath);
      const bucket = found === MISSING ? undefined : set.byValue.get(found);
      if (bucket !== undefined) {
        const allowed = firstAllow(bucket, request, now);
        if (allowed !== undefined) return allowed;
      }
    }
    return firstAllow(set.unindexed, request, now) ?? defaultDeny;
  };

  const firstAllow = (allows: readonly CompiledPolicy[], request: AccessRequest, now: number): Decision | undefined => {
    for (let i = 0; i < allows.length; i++) {
      const policy = allows[i]!;
      if ((policy.roles === undefined || holdsRole(policy, request)) && (policy.condition === undefined || policy.condition(request, now, undefined) === TRUE)) return policy.matchDecision;
    }
    return undefined;
  };

  // Generated deciders, shared by pairs with the same candidate list (an unknown action or type
  // gets the policies that target any action or type: one function, not one per string).
  const generated = new Map<string, (request: AccessRequest, now: number) => Decision>();
  const toGenerated = (p: CompiledPolicy) => ({ effect: p.effect, roles: p.roles, condition: p.conditionSource, failClosed: p.failClosed, matchDecision: p.matchDecision, errorDecision: p.errorDecision });
  // With an equality index the denies are generated and the bucketed allows keep their closures.
  const generatedParts = (index: CandidateIndex) => ({
    policies: (index.indexPath === undefined ? [...index.denies, ...index.unindexed] : index.denies).map(toGenerated),
    rest: index.indexPath === undefined ? undefined : (request: AccessRequest, now: number) => allowsAfterDenies(request, index, now),
    otherwise: defaultDeny,
  });
  const withDecider = (index: CandidateIndex, list: readonly CompiledPolicy[]): CandidateSet => {
    const key = list.map((p) => order.get(p)).join(',');
    let fast = generated.get(key);
    if (fast === undefined) {
      const { policies, rest } = generatedParts(index);
      let generatedDecide: ((request: AccessRequest, now: number) => Decision) | undefined;
      try {
        generatedDecide = generateDecider(policies, rest, defaultDeny, requestLimits);
      } catch {
        // Code generation refused (node --disallow-code-generation-from-strings): the closures decide alike.
      }
      fast = generatedDecide ?? ((request, now) => decideFast(request, index, now));
      if (generated.size < CANDIDATE_CACHE_LIMIT) generated.set(key, fast);
    }
    return { ...index, decide: fast };
  };

  const decideExplained = (request: AccessRequest, set: CandidateSet, now: number): Decision => {
    const allows: string[] = [];
    const denies: string[] = [];
    const nearMisses: { policyId: string; effect: Effect; because: 'role' | 'condition'; failure?: ComparisonNote }[] = [];
    const errors: { policyId: string; note: ComparisonNote }[] = [];
    let errorDeny: string | undefined;
    for (const policy of set.all) {
      if (!holdsRole(policy, request)) {
        nearMisses.push({ policyId: policy.id, effect: policy.effect, because: 'role' });
        continue;
      }
      const trace: Trace = { errors: [] };
      const outcome = policy.condition === undefined ? TRUE : policy.condition(request, now, trace);
      for (const note of trace.errors) errors.push({ policyId: policy.id, note });
      if (outcome === TRUE) (policy.effect === 'allow' ? allows : denies).push(policy.id);
      else {
        if (outcome === ERROR && policy.failClosed) errorDeny ??= policy.id;
        nearMisses.push({ policyId: policy.id, effect: policy.effect, because: 'condition', ...(trace.firstFailure === undefined ? {} : { failure: trace.firstFailure }) });
      }
    }
    const explanation: Explanation = { allows, denies, nearMisses, errors };
    if (denies.length > 0) return { decision: 'deny', reason: 'denied_by_policy', policies: denies, version, explanation };
    if (errorDeny !== undefined) return { decision: 'deny', reason: 'denied_on_error', policies: [errorDeny], version, explanation };
    if (allows.length > 0) return { decision: 'allow', reason: 'allowed', policies: allows, version, explanation };
    return { decision: 'deny', reason: 'no_applicable_allow', policies: [], version, explanation };
  };

  const onDecision = options.onDecision;
  const refused = (problem: string, explain: boolean): Decision => ({ decision: 'deny', reason: 'invalid_request', policies: [], version, ...(explain ? { explanation: { allows: [], denies: [], nearMisses: [], errors: [], requestProblem: problem } } : {}) });

  const decide = (request: AccessRequest, decideOptions?: { explain?: boolean }): Decision => {
    if (decideOptions?.explain === true) return decideExplaining(request);
    const now = needsClock ? clock.now() : 0;
    let decision: Decision | undefined;
    let set: CandidateSet | undefined;
    try {
      // The checks of requestProblem, each value read once; a request that fails them is refused
      // below, with requestProblem's message.
      if (typeof request === 'object' && request !== null) {
        const action: unknown = request.action;
        const subject: unknown = request.subject;
        const resource: unknown = request.resource;
        const context: unknown = request.context;
        let type: unknown;
        if (typeof action === 'string' && action !== '' && typeof subject === 'object' && subject !== null && !Array.isArray(subject) && typeof resource === 'object' && resource !== null && !Array.isArray(resource) && typeof (type = (resource as Record<string, unknown>).type) === 'string' && (context === undefined || (typeof context === 'object' && context !== null && !Array.isArray(context)))) {
          set = candidatesFor(action, type);
          decision = set.decide(request, now);
        }
      }
      decision ??= refused(requestProblem(request) ?? 'the request changed while it was read', false);
    } catch (error) {
      // Decisions never throw: a value over the request limits, or anything unexpected (a getter
      // that throws, a Proxy), denies.
      set = undefined;
      decision = refused(error instanceof RequestLimitExceeded ? error.message : `evaluation failed: ${safeMessage(error)}`, false);
    }
    if (onDecision !== undefined) onDecision(request, decision, now, set?.evidence);
    return decision;
  };

  const decideExplaining = (request: AccessRequest): Decision => {
    const now = needsClock ? clock.now() : 0;
    let decision: Decision;
    let set: CandidateSet | undefined;
    try {
      const problem = requestProblem(request);
      if (problem !== undefined) {
        decision = refused(problem, true);
      } else {
        set = candidatesFor(request.action, request.resource.type);
        decision = decideExplained(request, set, now);
      }
    } catch (error) {
      // Decisions never throw: a value over the request limits, or anything unexpected (a getter
      // that throws, a Proxy), denies.
      set = undefined;
      decision = refused(error instanceof RequestLimitExceeded ? error.message : `evaluation failed: ${safeMessage(error)}`, true);
    }
    onDecision?.(request, decision, now, set?.evidence);
    return decision;
  };

  const knownActions = [...new Set(set.policies.flatMap((p) => p.target?.actions ?? []))].sort();
  // Without onDecision, the whole decision — shape checks, dispatch on the actions and types the
  // policies name, their candidates — is one generated function: no lookup and no indirect call
  // before the first policy. Other pairs, and a set too big for it, go through the cache above.
  const decideUnrecorded = onDecision === undefined ? generateWholeSet() : undefined;
  function generateWholeSet(): Authorizer['decide'] | undefined {
    const knownTypes = [...new Set(set.policies.flatMap((p) => p.target?.resourceTypes ?? []))].sort();
    if (knownActions.length * knownTypes.length > MAX_SET_PAIRS) return undefined;
    const pairs: GeneratedPair<Decision>[] = [];
    for (const action of knownActions) {
      for (const type of knownTypes) {
        const index = candidatesFor(action, type);
        if (index.all.length > MAX_SET_PAIR_POLICIES) return undefined;
        pairs.push({ action, type, ...generatedParts(index) });
      }
    }
    try {
      return generateSetDecider(
        pairs,
        {
          fallback: (request, action, type, now) => candidatesFor(action, type).decide(request, now),
          refused: (request) => refused(requestProblem(request) ?? 'the request changed while it was read', false),
          failed: (error) => refused(error instanceof RequestLimitExceeded ? error.message : `evaluation failed: ${safeMessage(error)}`, false),
          explaining: (request) => decideExplaining(request),
          now: needsClock ? () => clock.now() : undefined,
        },
        requestLimits,
      );
    } catch {
      // Code generation refused (node --disallow-code-generation-from-strings): the closures decide alike.
      return undefined;
    }
  }
  return {
    version,
    decide: decideUnrecorded ?? decide,
    permittedActions(subject, resource, context) {
      return knownActions.filter((action) => decide({ subject, action, resource, ...(context === undefined ? {} : { context }) }).decision === 'allow');
    },
    policyIds: set.policies.map((p) => p.id),
  };
}

/** Why a request cannot be evaluated, or `undefined` when it can: its shape only. Never throws. */
function requestProblem(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return 'the request must be an object';
  const r = request as Record<string, unknown>;
  if (typeof r.action !== 'string' || r.action === '') return 'action must be a non-empty string';
  if (typeof r.subject !== 'object' || r.subject === null || Array.isArray(r.subject)) return 'subject must be an object';
  if (typeof r.resource !== 'object' || r.resource === null || Array.isArray(r.resource)) return 'resource must be an object';
  if (typeof (r.resource as Record<string, unknown>).type !== 'string') return 'resource.type must be a string';
  if (r.context !== undefined && (typeof r.context !== 'object' || r.context === null || Array.isArray(r.context))) return 'context must be an object';
  return undefined;
}

/** The message of anything thrown, without letting a hostile error object throw again. */
function safeMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unreadable error';
  }
}
