import { IssueCollector, type IssuePath } from '@sightline/core';
import { RE2JS } from 're2js';
import { parseCidr } from './cidr.js';
import { isTimeZone, parseClockTime, WEEKDAYS } from './clock-time.js';
import { OPERATORS, type Comparison, type Operator, type Policy, type PolicySet } from './policy.js';
import { roleCycles } from './roles.js';
import { attributeType, OPERATORS_FOR_TYPE, type AttributeSchema } from './schema.js';

/** Bounds on what a policy set may contain, so a hostile document cannot exhaust the process. */
export interface PolicyLimits {
  maxPolicies: number;
  /** Nesting of all/any/not. */
  maxConditionDepth: number;
  /** Comparisons and combinators in one policy. */
  maxConditionNodes: number;
  /** Entries in one `in`/`not_in` list. */
  maxListSize: number;
  /** Characters in a `matches_pattern`/`glob` pattern. */
  maxPatternLength: number;
}

export const DEFAULT_LIMITS: PolicyLimits = { maxPolicies: 100_000, maxConditionDepth: 32, maxConditionNodes: 1_000, maxListSize: 10_000, maxPatternLength: 1_000 };

const ROOTS = new Set(['subject', 'resource', 'action', 'context']);
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const NO_ATTR_OPERATORS = new Set<Operator>(['time_window', 'weekdays']);

/**
 * Checks a policy set (parsed JSON/YAML) and returns it typed. Every problem is reported with its
 * path in one `ABAC_POLICY_INVALID` error: unknown operators or attributes, operators that do not
 * fit the attribute's declared type, invalid CIDRs, patterns, time zones, role cycles, duplicate
 * ids, and policies that can never apply (empty targets, or allows shadowed by an unconditional deny).
 */
export function validatePolicySet(input: unknown, options: { schema?: AttributeSchema; limits?: Partial<PolicyLimits> } = {}): PolicySet {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const issues = new IssueCollector();
  if (!isObject(input)) {
    issues.add([], 'a policy set must be an object with a "policies" list', 'ABAC_NOT_OBJECT');
    issues.throwIfAny('ABAC_POLICY_INVALID', 'Invalid policy set');
  }
  const set = input as Record<string, unknown>;
  for (const key of Object.keys(set)) if (key !== 'policies' && key !== 'roles') issues.add([key], 'unknown key; expected policies, roles', 'ABAC_UNKNOWN_KEY');
  const roles = validateRoles(set.roles, issues);
  if (!Array.isArray(set.policies)) {
    issues.add(['policies'], 'must be a list of policies', 'ABAC_POLICIES_TYPE');
  } else {
    if (set.policies.length > limits.maxPolicies) issues.add(['policies'], `has ${set.policies.length} policies; the limit is ${limits.maxPolicies}`, 'ABAC_LIMIT');
    const ids = new Map<string, number>();
    set.policies.forEach((policy, i) => {
      validatePolicy(policy, ['policies', i], issues, limits, options.schema, roles);
      const id = isObject(policy) ? policy.id : undefined;
      if (typeof id === 'string') {
        if (ids.has(id)) issues.add(['policies', i, 'id'], `duplicate id ${JSON.stringify(id)} (first at policies[${ids.get(id)}])`, 'ABAC_DUPLICATE_ID');
        else ids.set(id, i);
      }
    });
    if (!issues.hasIssues) findShadowed(set.policies as Policy[], issues);
  }
  issues.throwIfAny('ABAC_POLICY_INVALID', 'Invalid policy set');
  return set as unknown as PolicySet;
}

function validateRoles(value: unknown, issues: IssueCollector): Set<string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    issues.add(['roles'], 'must map role names to { inherits: [...] }', 'ABAC_ROLES_TYPE');
    return undefined;
  }
  const names = new Set(Object.keys(value));
  for (const [role, definition] of Object.entries(value)) {
    if (!isObject(definition)) {
      issues.add(['roles', role], 'must be an object', 'ABAC_ROLES_TYPE');
      continue;
    }
    const inherits = definition.inherits;
    if (inherits === undefined) continue;
    if (!Array.isArray(inherits)) issues.add(['roles', role, 'inherits'], 'must be a list of role names', 'ABAC_ROLES_TYPE');
    else inherits.forEach((parent, i) => !names.has(parent as string) && issues.add(['roles', role, 'inherits', i], `unknown role ${JSON.stringify(parent)}`, 'ABAC_UNKNOWN_ROLE'));
  }
  for (const cycle of roleCycles(value as Record<string, { inherits?: string[] }>)) issues.add(['roles', cycle[0]!], `inheritance cycle: ${cycle.join(' → ')}`, 'ABAC_ROLE_CYCLE');
  return names;
}

function validatePolicy(policy: unknown, path: IssuePath, issues: IssueCollector, limits: PolicyLimits, schema: AttributeSchema | undefined, roles: Set<string> | undefined): void {
  if (!isObject(policy)) {
    issues.add(path, 'a policy must be an object', 'ABAC_POLICY_TYPE');
    return;
  }
  const known = new Set(['id', 'effect', 'description', 'target', 'condition', 'onError']);
  for (const key of Object.keys(policy)) if (!known.has(key)) issues.add([...path, key], `unknown key; expected ${[...known].join(', ')}`, 'ABAC_UNKNOWN_KEY');
  if (typeof policy.id !== 'string' || policy.id === '') issues.add([...path, 'id'], 'must be a non-empty string', 'ABAC_POLICY_ID');
  if (policy.effect !== 'allow' && policy.effect !== 'deny') issues.add([...path, 'effect'], 'must be "allow" or "deny"', 'ABAC_EFFECT');
  if (policy.description !== undefined && typeof policy.description !== 'string') issues.add([...path, 'description'], 'must be a string', 'ABAC_POLICY_TYPE');
  if (policy.onError !== undefined) {
    if (policy.onError !== 'deny' && policy.onError !== 'skip') issues.add([...path, 'onError'], 'must be "deny" or "skip"', 'ABAC_ON_ERROR');
    else if (policy.effect === 'allow') issues.add([...path, 'onError'], 'only deny policies take onError: an allow whose condition errors never applies', 'ABAC_ON_ERROR');
  }
  if (policy.target !== undefined) {
    if (!isObject(policy.target)) issues.add([...path, 'target'], 'must be an object', 'ABAC_TARGET');
    else {
      for (const key of Object.keys(policy.target)) {
        const list = policy.target[key];
        if (key !== 'actions' && key !== 'resourceTypes' && key !== 'roles') issues.add([...path, 'target', key], 'unknown key; expected actions, resourceTypes, roles', 'ABAC_UNKNOWN_KEY');
        else if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v === '')) issues.add([...path, 'target', key], 'must be a list of non-empty strings', 'ABAC_TARGET');
        else if (list.length === 0) issues.add([...path, 'target', key], 'is empty, so the policy can never apply (omit it to match everything)', 'ABAC_POLICY_UNREACHABLE');
        else if (key === 'roles' && roles !== undefined) list.forEach((r, i) => !roles.has(r as string) && issues.add([...path, 'target', 'roles', i], `unknown role ${JSON.stringify(r)}`, 'ABAC_UNKNOWN_ROLE'));
      }
    }
  }
  if (policy.condition !== undefined) {
    const counter = { nodes: 0 };
    validateCondition(policy.condition, [...path, 'condition'], 1, counter, issues, limits, schema);
    if (counter.nodes > limits.maxConditionNodes) issues.add([...path, 'condition'], `has ${counter.nodes} nodes; the limit is ${limits.maxConditionNodes}`, 'ABAC_LIMIT');
  }
}

function validateCondition(condition: unknown, path: IssuePath, depth: number, counter: { nodes: number }, issues: IssueCollector, limits: PolicyLimits, schema: AttributeSchema | undefined): void {
  counter.nodes++;
  if (depth > limits.maxConditionDepth) {
    issues.add(path, `nesting deeper than ${limits.maxConditionDepth}`, 'ABAC_LIMIT');
    return;
  }
  if (!isObject(condition)) {
    issues.add(path, 'a condition must be an object: { all }, { any }, { not } or a comparison { attr, op, value }', 'ABAC_CONDITION_TYPE');
    return;
  }
  const kinds = ['all', 'any', 'not', 'op'].filter((k) => Object.hasOwn(condition, k));
  if (kinds.length !== 1) {
    issues.add(path, 'must have exactly one of all, any, not, op', 'ABAC_CONDITION_TYPE');
    return;
  }
  const kind = kinds[0]!;
  if (kind === 'all' || kind === 'any') {
    const parts = condition[kind];
    if (!Array.isArray(parts) || parts.length === 0) issues.add([...path, kind], 'must be a non-empty list of conditions', 'ABAC_CONDITION_TYPE');
    else parts.forEach((part, i) => validateCondition(part, [...path, kind, i], depth + 1, counter, issues, limits, schema));
    return;
  }
  if (kind === 'not') {
    validateCondition(condition.not, [...path, 'not'], depth + 1, counter, issues, limits, schema);
    return;
  }
  validateComparison(condition as unknown as Comparison, path, issues, limits, schema);
}

function validateComparison(c: Comparison, path: IssuePath, issues: IssueCollector, limits: PolicyLimits, schema: AttributeSchema | undefined): void {
  for (const key of Object.keys(c)) if (!['attr', 'op', 'value', 'ref'].includes(key)) issues.add([...path, key], 'unknown key; expected attr, op, value, ref', 'ABAC_UNKNOWN_KEY');
  if (!(OPERATORS as readonly string[]).includes(c.op)) {
    issues.add([...path, 'op'], `unknown operator ${JSON.stringify(c.op)}; expected one of ${OPERATORS.join(', ')}`, 'ABAC_UNKNOWN_OPERATOR');
    return;
  }
  if (c.attr === undefined) {
    if (!NO_ATTR_OPERATORS.has(c.op)) issues.add([...path, 'attr'], 'is required', 'ABAC_ATTRIBUTE_PATH');
  } else checkPath(c.attr, [...path, 'attr'], issues);
  if (c.ref !== undefined) checkPath(c.ref, [...path, 'ref'], issues);
  const takesOperand = c.op !== 'exists';
  const operands = (c.value !== undefined ? 1 : 0) + (c.ref !== undefined ? 1 : 0);
  if (!takesOperand && operands > 0) issues.add(path, '"exists" takes neither value nor ref', 'ABAC_OPERAND');
  if (takesOperand && operands !== 1) issues.add(path, 'needs exactly one of value or ref', 'ABAC_OPERAND');
  if (c.value !== undefined) checkValue(c, [...path, 'value'], issues, limits);

  if (schema !== undefined && c.attr !== undefined) {
    const type = attributeType(schema, c.attr);
    if (type === undefined) issues.add([...path, 'attr'], `unknown attribute ${c.attr}: it is not declared in the schema`, 'ABAC_UNKNOWN_ATTRIBUTE');
    else if (!OPERATORS_FOR_TYPE[type].includes(c.op)) issues.add([...path, 'op'], `"${c.op}" does not apply to ${c.attr}, which is ${type}; use one of ${OPERATORS_FOR_TYPE[type].join(', ')}`, 'ABAC_OPERATOR_TYPE');
    if (c.ref !== undefined) {
      const refType = attributeType(schema, c.ref);
      if (refType === undefined) issues.add([...path, 'ref'], `unknown attribute ${c.ref}: it is not declared in the schema`, 'ABAC_UNKNOWN_ATTRIBUTE');
      else if (type !== undefined && refType !== type && !(type === 'string[]' && refType === 'string')) issues.add([...path, 'ref'], `${c.ref} is ${refType} but ${c.attr} is ${type}`, 'ABAC_OPERATOR_TYPE');
    }
  }
}

function checkPath(text: unknown, path: IssuePath, issues: IssueCollector): void {
  if (typeof text !== 'string' || text === '') {
    issues.add(path, 'must be a dot path such as subject.team', 'ABAC_ATTRIBUTE_PATH');
    return;
  }
  const segments = text.split('.');
  if (!ROOTS.has(segments[0]!)) issues.add(path, `must start with subject, resource, action or context: ${JSON.stringify(text)}`, 'ABAC_ATTRIBUTE_PATH');
  if (segments.some((s) => s === '')) issues.add(path, `has an empty segment: ${JSON.stringify(text)}`, 'ABAC_ATTRIBUTE_PATH');
  if (segments.some((s) => FORBIDDEN_SEGMENTS.has(s))) issues.add(path, `${JSON.stringify(text)} names an inherited property; only own attributes are read`, 'ABAC_ATTRIBUTE_PATH');
}

function checkValue(c: Comparison, path: IssuePath, issues: IssueCollector, limits: PolicyLimits): void {
  const v = c.value;
  const bad = (why: string, code = 'ABAC_VALUE') => issues.add(path, why, code);
  const primitive = (x: unknown) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)) || typeof x === 'boolean';
  switch (c.op) {
    case 'equals':
    case 'not_equals':
    case 'contains':
    case 'not_contains':
      if (!primitive(v)) bad('must be a string, finite number or boolean');
      return;
    case 'in':
    case 'not_in':
      if (!Array.isArray(v) || v.length === 0 || !v.every(primitive)) bad('must be a non-empty list of strings, numbers or booleans');
      else if (new Set(v.map((x) => typeof x)).size > 1) bad('must hold values of one type (no coercion between types)');
      else if (v.length > limits.maxListSize) bad(`has ${v.length} entries; the limit is ${limits.maxListSize}`, 'ABAC_LIMIT');
      return;
    case 'greater_than':
    case 'greater_than_or_equal':
    case 'less_than':
    case 'less_than_or_equal':
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('must be a finite number');
      return;
    case 'between':
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || (v[0] as number) > (v[1] as number)) bad('must be [low, high], finite numbers with low <= high');
      return;
    case 'starts_with':
    case 'ends_with':
    case 'contains_substring':
      if (typeof v !== 'string') bad('must be a string');
      return;
    case 'glob':
    case 'matches_pattern':
      if (typeof v !== 'string') bad('must be a string');
      else if (v.length > limits.maxPatternLength) bad(`is ${v.length} characters; the limit is ${limits.maxPatternLength}`, 'ABAC_LIMIT');
      else if (c.op === 'matches_pattern') {
        try {
          RE2JS.compile(v);
        } catch (error) {
          bad(`is not a valid RE2 pattern (linear-time syntax: no backreferences or lookaround): ${(error as Error).message}`, 'ABAC_PATTERN');
        }
      }
      return;
    case 'cidr': {
      const blocks = Array.isArray(v) ? v : [v];
      if (blocks.length === 0) bad('must be a CIDR or a non-empty list of CIDRs', 'ABAC_CIDR');
      blocks.forEach((b, i) => typeof b === 'string' && parseCidr(b) !== undefined ? undefined : issues.add(Array.isArray(v) ? [...path, i] : path, `${JSON.stringify(b)} is not a valid IPv4/IPv6 CIDR`, 'ABAC_CIDR'));
      return;
    }
    case 'time_window': {
      if (!isObject(v)) return bad('must be { start: "HH:MM", end: "HH:MM", timeZone }');
      if (parseClockTime(v.start) === undefined) issues.add([...path, 'start'], 'must be HH:MM (24 h)', 'ABAC_TIME');
      if (parseClockTime(v.end) === undefined) issues.add([...path, 'end'], 'must be HH:MM (24 h)', 'ABAC_TIME');
      if (typeof v.timeZone !== 'string' || !isTimeZone(v.timeZone)) issues.add([...path, 'timeZone'], 'must be an IANA time zone such as Europe/Paris', 'ABAC_TIME');
      return;
    }
    case 'weekdays': {
      if (!isObject(v)) return bad('must be { days: ["mon", ...], timeZone }');
      if (!Array.isArray(v.days) || v.days.length === 0 || !v.days.every((d) => (WEEKDAYS as readonly unknown[]).includes(d))) issues.add([...path, 'days'], `must be a non-empty list of ${WEEKDAYS.join(', ')}`, 'ABAC_TIME');
      if (typeof v.timeZone !== 'string' || !isTimeZone(v.timeZone)) issues.add([...path, 'timeZone'], 'must be an IANA time zone such as Europe/Paris', 'ABAC_TIME');
      return;
    }
    case 'exists':
      return;
  }
}

/** An allow is unreachable when an unconditional deny covers its whole target. */
function findShadowed(policies: readonly Policy[], issues: IssueCollector): void {
  const covers = (outer: readonly string[] | undefined, inner: readonly string[] | undefined) => outer === undefined || (inner !== undefined && inner.every((x) => outer.includes(x)));
  const blanketDenies = policies.filter((p) => p.effect === 'deny' && p.condition === undefined);
  policies.forEach((policy, i) => {
    if (policy.effect !== 'allow') return;
    const denier = blanketDenies.find((d) => covers(d.target?.actions, policy.target?.actions) && covers(d.target?.resourceTypes, policy.target?.resourceTypes) && covers(d.target?.roles, policy.target?.roles));
    if (denier !== undefined) issues.add(['policies', i], `can never allow: the unconditional deny ${JSON.stringify(denier.id)} covers its whole target`, 'ABAC_POLICY_SHADOWED');
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
