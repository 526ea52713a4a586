import { IssueCollector } from '@sightline/core';
import type { SloStatus } from './slo-tracker.js';
import { durationOrUndefined, isRecord } from './spec.js';

/** What a team agreed to do when the budget runs low. */
export type PolicyAction = 'notify' | 'throttle' | 'freeze_deploys';

/** A rule holds when any of its conditions does. */
export interface PolicyRule {
  /** Budget remaining (fraction, 0..1) at or below this. */
  readonly budgetRemainingBelow?: number;
  /** Burn rate over `window` above `rate`. */
  readonly burnRateAbove?: { readonly window: string; readonly rate: number };
  readonly action: PolicyAction;
}

/**
 * The default: notify at 50% budget left, throttle risky work at 25%, freeze deploys when the
 * budget is spent or it burns at the page rate (14.4x over 1h).
 */
export const DEFAULT_POLICY: readonly PolicyRule[] = Object.freeze([
  { budgetRemainingBelow: 0.5, action: 'notify' },
  { budgetRemainingBelow: 0.25, action: 'throttle' },
  { budgetRemainingBelow: 0, action: 'freeze_deploys' },
  { burnRateAbove: { window: '1h', rate: 14.4 }, action: 'freeze_deploys' },
]);

/** Validates a policy given as data; `SLO_POLICY_INVALID` lists every problem. */
export function parsePolicy(input: unknown): PolicyRule[] {
  const issues = new IssueCollector();
  if (!Array.isArray(input)) issues.add([], 'expected a list of rules', 'SLO_POLICY_LIST');
  const rules: PolicyRule[] = [];
  (Array.isArray(input) ? input : []).forEach((rule: unknown, i) => {
    if (!isRecord(rule)) return issues.add([i], 'expected an object', 'SLO_POLICY_RULE');
    if (!['notify', 'throttle', 'freeze_deploys'].includes(rule.action as string)) issues.add([i, 'action'], 'must be notify, throttle or freeze_deploys', 'SLO_POLICY_ACTION');
    const below = rule.budgetRemainingBelow;
    const burn = rule.burnRateAbove;
    if (below === undefined && burn === undefined) issues.add([i], 'needs budgetRemainingBelow or burnRateAbove', 'SLO_POLICY_CONDITION');
    if (below !== undefined && (typeof below !== 'number' || below > 1 || !Number.isFinite(below))) issues.add([i, 'budgetRemainingBelow'], 'must be a number <= 1', 'SLO_POLICY_THRESHOLD');
    if (burn !== undefined && !(isRecord(burn) && typeof burn.window === 'string' && durationOrUndefined(burn.window) !== undefined && typeof burn.rate === 'number' && burn.rate > 0)) {
      issues.add([i, 'burnRateAbove'], 'must be { window: "1h", rate: 14.4 }', 'SLO_POLICY_THRESHOLD');
    }
    rules.push(rule as unknown as PolicyRule);
  });
  issues.throwIfAny('SLO_POLICY_INVALID', 'error budget policy');
  return rules;
}

/** Actions whose rules hold for `status`, each with the reason. */
export function policyActions(status: SloStatus, rules: readonly PolicyRule[] = DEFAULT_POLICY, burnRate?: (window: string) => number): { action: PolicyAction; reason: string }[] {
  const out: { action: PolicyAction; reason: string }[] = [];
  for (const rule of rules) {
    if (rule.budgetRemainingBelow !== undefined && status.budget.remainingFraction <= rule.budgetRemainingBelow) {
      out.push({ action: rule.action, reason: `budget remaining ${(status.budget.remainingFraction * 100).toFixed(1)}% <= ${(rule.budgetRemainingBelow * 100).toFixed(1)}%` });
    } else if (rule.burnRateAbove !== undefined) {
      const rate = status.burnRates[rule.burnRateAbove.window] ?? burnRate?.(rule.burnRateAbove.window) ?? 0;
      if (rate > rule.burnRateAbove.rate) out.push({ action: rule.action, reason: `burn rate ${rate.toFixed(2)}x over ${rule.burnRateAbove.window} > ${rule.burnRateAbove.rate}x` });
    }
  }
  return out;
}

/**
 * Whether a deploy may go ahead for this SLO: refused when a `freeze_deploys` rule holds. A CI
 * step prints `reasons` and exits non-zero when `allowed` is false.
 */
export function deployGate(status: SloStatus, rules: readonly PolicyRule[] = DEFAULT_POLICY): { allowed: boolean; slo: string; reasons: string[] } {
  const reasons = policyActions(status, rules).filter((a) => a.action === 'freeze_deploys').map((a) => a.reason);
  return { allowed: reasons.length === 0, slo: status.name, reasons };
}
