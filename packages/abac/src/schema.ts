import type { Operator } from './policy.js';

/** The type of one attribute. `epoch_ms` is a time as epoch milliseconds. */
export type AttributeType = 'string' | 'number' | 'boolean' | 'string[]' | 'ip' | 'epoch_ms';

/**
 * Declares the attributes policies may read, per root: `{ subject: { team: 'string' },
 * resource: { env: 'string' }, context: { ip: 'ip', mfa: 'boolean' } }`. Keys are the path
 * below the root (`attributes.clearance` for `subject.attributes.clearance`).
 */
export interface AttributeSchema {
  readonly subject?: Readonly<Record<string, AttributeType>>;
  readonly resource?: Readonly<Record<string, AttributeType>>;
  readonly context?: Readonly<Record<string, AttributeType>>;
}

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'number', 'boolean', 'string[]', 'ip', 'epoch_ms'];

const ALWAYS: readonly Operator[] = ['exists'];

/** Which operators make sense for which attribute type. */
export const OPERATORS_FOR_TYPE: Readonly<Record<AttributeType, readonly Operator[]>> = {
  string: [...ALWAYS, 'equals', 'not_equals', 'in', 'not_in', 'contains_substring', 'starts_with', 'ends_with', 'glob', 'matches_pattern'],
  number: [...ALWAYS, 'equals', 'not_equals', 'in', 'not_in', 'greater_than', 'greater_than_or_equal', 'less_than', 'less_than_or_equal', 'between'],
  boolean: [...ALWAYS, 'equals', 'not_equals'],
  'string[]': [...ALWAYS, 'contains', 'not_contains'],
  ip: [...ALWAYS, 'cidr', 'equals', 'not_equals', 'in', 'not_in'],
  epoch_ms: [...ALWAYS, 'greater_than', 'greater_than_or_equal', 'less_than', 'less_than_or_equal', 'between', 'time_window', 'weekdays'],
};

/** The declared type at `path` (`subject.team`), `undefined` when undeclared. */
export function attributeType(schema: AttributeSchema, path: string): AttributeType | undefined {
  if (path === 'action' || path === 'resource.type' || path === 'subject.id') return 'string';
  if (path === 'subject.roles') return 'string[]';
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const root = path.slice(0, dot) as keyof AttributeSchema;
  const section = schema[root];
  const rest = path.slice(dot + 1);
  return section !== undefined && Object.hasOwn(section, rest) ? section[rest] : undefined;
}
