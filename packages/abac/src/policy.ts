/** What a policy does when it applies. */
export type Effect = 'allow' | 'deny';

/** Every comparison operator a condition may use. */
export const OPERATORS = [
  'equals', 'not_equals', 'in', 'not_in', 'contains', 'not_contains', 'contains_substring',
  'greater_than', 'greater_than_or_equal', 'less_than', 'less_than_or_equal', 'between',
  'starts_with', 'ends_with', 'glob', 'exists', 'cidr', 'time_window', 'weekdays', 'matches_pattern',
] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * One comparison: the attribute at `attr` (a dot path from the request root: `subject.team`,
 * `resource.env`, `context.ip`) against a literal `value` or another attribute `ref`.
 * `time_window` and `weekdays` read the injected clock when `attr` is absent.
 */
export interface Comparison {
  readonly attr?: string;
  readonly op: Operator;
  readonly value?: unknown;
  readonly ref?: string;
}

/** Conditions compose comparisons with all/any/not. */
export type Condition = { readonly all: readonly Condition[] } | { readonly any: readonly Condition[] } | { readonly not: Condition } | Comparison;

/** Which requests a policy is about; an absent list matches everything, an empty list nothing. */
export interface Target {
  readonly actions?: readonly string[];
  readonly resourceTypes?: readonly string[];
  /** The subject must hold one of these roles (directly or by inheritance). */
  readonly roles?: readonly string[];
}

/** One rule. */
export interface Policy {
  readonly id: string;
  readonly effect: Effect;
  readonly description?: string;
  readonly target?: Target;
  readonly condition?: Condition;
  /**
   * For deny policies: what an evaluation error (missing or ill-typed attribute) means.
   * `deny` (default) fails closed; `skip` treats the policy as not applying.
   */
  readonly onError?: 'deny' | 'skip';
}

/** A role and the roles it inherits every permission of. */
export interface RoleDefinition {
  readonly inherits?: readonly string[];
}

/** A whole policy document. */
export interface PolicySet {
  readonly policies: readonly Policy[];
  readonly roles?: Readonly<Record<string, RoleDefinition>>;
}
