import type { AuditEntry } from './audit-trail.js';

/** Which policies decided something over an audit period, and which never did. */
export interface PolicyCoverage {
  /** Policy id → number of decisions it determined. */
  readonly matched: ReadonlyMap<string, number>;
  /** Policies of the set that determined no decision in the period. */
  readonly neverMatched: readonly string[];
}

/** Policy coverage over audit entries (e.g. the last 30 days of the trail). */
export function policyCoverage(policyIds: readonly string[], entries: readonly AuditEntry[]): PolicyCoverage {
  const matched = new Map<string, number>();
  for (const entry of entries) for (const id of entry.policies) matched.set(id, (matched.get(id) ?? 0) + 1);
  return { matched, neverMatched: policyIds.filter((id) => !matched.has(id)) };
}
