import { createHash } from 'node:crypto';
import { IssueCollector } from './errors.js';
import { isSeverity, type Severity } from './severity.js';
import type { Labels } from './signals.js';

/** Whether an alert is still going on. */
export type AlertStatus = 'firing' | 'resolved';

/**
 * One shape for every alert, whatever raised it (an SLO burn rate, an anomaly, a cost spike).
 * Alerts with the same `fingerprint` are the same alert: pipelines dedup and resolve by it.
 */
export interface Alert {
  /** Unique id of this alert instance. */
  readonly id: string;
  /** What raised it, e.g. `slo`, `anomaly`, `finops`. */
  readonly source: string;
  readonly severity: Severity;
  readonly title: string;
  /** Identifying labels: they (with `source`) make up the fingerprint. */
  readonly labels: Labels;
  /** Descriptive key/values that do not identify the alert (burn rates, links, values). */
  readonly annotations: Labels;
  /** Deterministic hash of `source` + `labels`; see {@link alertFingerprint}. */
  readonly fingerprint: string;
  readonly status: AlertStatus;
  /** Epoch ms when the condition started. */
  readonly startsAt: number;
  /** Epoch ms when it resolved. */
  readonly endsAt?: number;
}

/** What a caller supplies to {@link createAlert}; the rest is derived. */
export interface AlertInput {
  readonly source: string;
  readonly severity: Severity;
  readonly title: string;
  readonly labels?: Labels;
  readonly annotations?: Labels;
  readonly startsAt: number;
  readonly endsAt?: number;
  /** Defaults to `<fingerprint>-<startsAt>`, which is unique per occurrence. */
  readonly id?: string;
}

/** Where alerts go: a webhook, a log, the UI. Delivery errors reject the returned promise. */
export interface AlertSink {
  send(alert: Alert): Promise<void>;
  /** Releases sockets/timers; idempotent. */
  close?(): Promise<void>;
}

/**
 * Deterministic fingerprint of an alert's identity: SHA-256 over `source` and the labels sorted
 * by key, as 16 hex chars. Label order and annotations never change it.
 */
export function alertFingerprint(source: string, labels: Labels = {}): string {
  const hash = createHash('sha256');
  hash.update(source);
  for (const key of Object.keys(labels).sort()) {
    // Separators that cannot occur unescaped in JSON strings keep {a:'b=c'} ≠ {'a=b':'c'}.
    hash.update('\u0000');
    hash.update(JSON.stringify(key));
    hash.update('\u0001');
    hash.update(JSON.stringify(labels[key]));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Validates and builds an {@link Alert}. Throws `ALERT_INVALID` listing every problem.
 * @example
 * createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning budget',
 *   labels: { slo: 'checkout-availability', window: '1h/5m' }, startsAt: clock.now() });
 */
export function createAlert(input: AlertInput): Alert {
  const issues = new IssueCollector();
  if (typeof input.source !== 'string' || input.source === '') issues.add(['source'], 'must be a non-empty string', 'ALERT_SOURCE');
  if (!isSeverity(input.severity)) issues.add(['severity'], `unknown severity ${JSON.stringify(input.severity)}`, 'ALERT_SEVERITY');
  if (typeof input.title !== 'string' || input.title === '') issues.add(['title'], 'must be a non-empty string', 'ALERT_TITLE');
  if (!Number.isFinite(input.startsAt)) issues.add(['startsAt'], 'must be epoch milliseconds', 'ALERT_TIME');
  if (input.endsAt !== undefined && !(Number.isFinite(input.endsAt) && input.endsAt >= input.startsAt)) {
    issues.add(['endsAt'], 'must be epoch milliseconds not before startsAt', 'ALERT_TIME');
  }
  checkLabels(issues, 'labels', input.labels);
  checkLabels(issues, 'annotations', input.annotations);
  issues.throwIfAny('ALERT_INVALID', `Invalid alert ${JSON.stringify(input.title)}`);

  const labels = Object.freeze({ ...input.labels });
  const fingerprint = alertFingerprint(input.source, labels);
  const alert: Alert = {
    id: input.id ?? `${fingerprint}-${input.startsAt}`,
    source: input.source,
    severity: input.severity,
    title: input.title,
    labels,
    annotations: Object.freeze({ ...input.annotations }),
    fingerprint,
    status: input.endsAt === undefined ? 'firing' : 'resolved',
    startsAt: input.startsAt,
    ...(input.endsAt === undefined ? {} : { endsAt: input.endsAt }),
  };
  return Object.freeze(alert);
}

/** The same alert, resolved at `endsAt` (epoch ms). */
export function resolveAlert(alert: Alert, endsAt: number): Alert {
  return createAlert({ ...alert, endsAt });
}

function checkLabels(issues: IssueCollector, field: string, labels: Labels | undefined): void {
  if (labels === undefined) return;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    issues.add([field], 'must be an object of string values', 'ALERT_LABELS');
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') issues.add([field, key], `must be a string, got ${typeof value}`, 'ALERT_LABELS');
  }
}
