import { IssueCollector } from './errors.js';

/** Whether a principal is a person or a workload. */
export type PrincipalKind = 'user' | 'service';

/**
 * Who did something: the identity every package attributes work, cost and access decisions to.
 * Attribute names follow OpenTelemetry's `user.*` conventions where tracing stamps them.
 */
export interface Principal {
  /** Stable identifier: a user id or a service name. */
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly team?: string;
  readonly department?: string;
  readonly tenant?: string;
  /** Roles or groups, used by access policies. */
  readonly roles?: readonly string[];
  /** Any further attributes (e.g. `{ clearance: 3 }`); values are plain data. */
  readonly attributes?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

const OPTIONAL_STRINGS = ['team', 'department', 'tenant'] as const;

/**
 * Validates unknown input (a token claim, a config entry) into a {@link Principal}.
 * Throws `PRINCIPAL_INVALID` listing every problem with its path.
 */
export function parsePrincipal(input: unknown): Principal {
  const issues = new IssueCollector();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    issues.add([], 'a principal must be an object', 'PRINCIPAL_NOT_OBJECT');
    issues.throwIfAny('PRINCIPAL_INVALID', 'Invalid principal');
  }
  const value = input as Record<string, unknown>;
  if (typeof value.id !== 'string' || value.id.trim() === '') {
    issues.add(['id'], 'must be a non-empty string', 'PRINCIPAL_ID');
  }
  const kind = value.kind ?? 'user';
  if (kind !== 'user' && kind !== 'service') {
    issues.add(['kind'], `must be "user" or "service", got ${JSON.stringify(kind)}`, 'PRINCIPAL_KIND');
  }
  for (const key of OPTIONAL_STRINGS) {
    if (value[key] !== undefined && typeof value[key] !== 'string') issues.add([key], 'must be a string', 'PRINCIPAL_FIELD_TYPE');
  }
  if (value.roles !== undefined) {
    if (!Array.isArray(value.roles)) issues.add(['roles'], 'must be an array of strings', 'PRINCIPAL_ROLES');
    else value.roles.forEach((r, i) => typeof r !== 'string' && issues.add(['roles', i], 'must be a string', 'PRINCIPAL_ROLES'));
  }
  if (value.attributes !== undefined && (typeof value.attributes !== 'object' || value.attributes === null || Array.isArray(value.attributes))) {
    issues.add(['attributes'], 'must be an object', 'PRINCIPAL_ATTRIBUTES');
  }
  issues.throwIfAny('PRINCIPAL_INVALID', 'Invalid principal');

  const principal: { -readonly [K in keyof Principal]: Principal[K] } = { id: value.id as string, kind: kind as PrincipalKind };
  for (const key of OPTIONAL_STRINGS) if (typeof value[key] === 'string') principal[key] = value[key];
  if (Array.isArray(value.roles)) principal.roles = Object.freeze([...(value.roles as string[])]);
  if (value.attributes !== undefined) principal.attributes = Object.freeze({ ...(value.attributes as Principal['attributes']) });
  return Object.freeze(principal);
}
