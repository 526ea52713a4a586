import { SightlineError } from './errors.js';

/** How bad something is, lowest first. One scale for alerts and anomalies alike. */
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;

/** A severity level; compare with {@link compareSeverity}, never with string order. */
export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2, critical: 3 };

/** Whether `value` is one of {@link SEVERITIES}. */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** Parses user input (config, CLI flag) into a severity; throws `SEVERITY_INVALID` otherwise. */
export function parseSeverity(value: unknown): Severity {
  if (isSeverity(value)) return value;
  throw new SightlineError('SEVERITY_INVALID', `Invalid severity ${JSON.stringify(value)}: expected one of ${SEVERITIES.join(', ')}`, { value });
}

/** Negative when `a` is less severe than `b`, zero when equal, positive when more severe. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

/** Whether `severity` is at least as severe as `threshold`. */
export function isAtLeastSeverity(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** The most severe of the given severities (`info` for none). */
export function maxSeverity(...severities: readonly Severity[]): Severity {
  let best: Severity = 'info';
  for (const s of severities) if (RANK[s] > RANK[best]) best = s;
  return best;
}
