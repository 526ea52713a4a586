import { SightlineError, type Alert, type Clock, type Labels } from '@sightline/core';
import { alertLinks } from './alert-links.js';
import type { AlertNotification, NotificationSink } from './alert-sinks.js';

/** One alert as Alertmanager's v2 API takes it (`POST /api/v2/alerts`, a list of these). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339. */
  startsAt: string;
  /** RFC 3339: the resolve instant, or for a firing alert when Alertmanager may assume it ended without news. */
  endsAt: string;
  generatorURL: string;
}

/** Options of {@link alertmanagerSink}; every one has a default. */
export interface AlertmanagerSinkOptions {
  /** Reads now for a firing alert's `endsAt` (default: the system clock). */
  clock?: Clock;
  /** ms between re-sends of a firing alert (default 60 s, Prometheus' `--rules.alert.resend-delay`). */
  resendIntervalMs?: number;
  /** The app's URL as people reach it, prefixed to `generatorURL` (default `http://localhost:4318`). */
  externalUrl?: string;
  /** ms before a POST counts as failed (default 5 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

const ALERTNAMES: Record<string, string> = { slo: 'SloErrorBudgetBurn', anomaly: 'SeriesAnomaly', finops: 'CostAnomaly' };
/** Alertmanager 0.25 validates label and annotation names as Prometheus label names. */
const INVALID_NAME_CHARS = /[^a-zA-Z0-9_]/g;

/**
 * A sink that delivers to a Prometheus Alertmanager through its v2 API, as Prometheus does: each
 * firing alert is POSTed to `<url>/api/v2/alerts` with its labels (plus `alertname` and
 * `severity`), its annotations (plus `summary`, live values as `current_*`, and links), and an
 * `endsAt` four re-send intervals ahead, and re-sent every `resendIntervalMs` while it fires (the
 * pipeline queues the re-sends), so Alertmanager keeps it active and drops it if the app goes
 * away; a resolution is POSTed with `endsAt` the instant the condition cleared.
 * @example
 * alertmanagerSink('alertmanager', 'http://alertmanager:9093', { externalUrl: 'https://sightline.example.com' })
 */
export function alertmanagerSink(name: string, url: string, options: AlertmanagerSinkOptions = {}): NotificationSink {
  const resendIntervalMs = options.resendIntervalMs ?? 60_000;
  if (!(Number.isFinite(resendIntervalMs) && resendIntervalMs > 0)) throw new SightlineError('ALERTMANAGER_INVALID', `resendIntervalMs of ${name} must be > 0 ms, got ${resendIntervalMs}`);
  const endpoint = `${url.replace(/\/+$/, '')}/api/v2/alerts`;
  const now = () => options.clock?.now() ?? Date.now();
  const externalUrl = (options.externalUrl ?? 'http://localhost:4318').replace(/\/+$/, '');
  return {
    name,
    resendIntervalMs,
    async send(notification) {
      const body = [toPostableAlert(notification, { now: now(), resendIntervalMs, externalUrl })];
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`alertmanager ${name} answered ${response.status}: ${text.slice(0, 200)}`);
    },
  };
}

/**
 * One notification in Alertmanager's shape. A firing alert's `endsAt` is `now` + 4 re-send
 * intervals (Prometheus' rule: Alertmanager resolves it by itself if the sender stops).
 */
export function toPostableAlert(n: AlertNotification, context: { now: number; resendIntervalMs: number; externalUrl: string }): PostableAlert {
  const { alert } = n;
  const links = alertLinks(alert);
  const annotations: Labels = {
    summary: alert.title,
    ...alert.annotations,
    ...(n.live === undefined ? {} : { current: n.live.summary, ...prefixed('current_', n.live.values) }),
    ...(links.cause === undefined ? {} : { cause_url: `${context.externalUrl}${links.cause.href}` }),
    ...(links.traces[0] === undefined ? {} : { trace_url: `${context.externalUrl}${links.traces[0].href}` }),
    ...(links.logs[0] === undefined ? {} : { logs_url: `${context.externalUrl}${links.logs[0].href}` }),
    sightline_id: alert.id,
  };
  const endsAt = n.status === 'resolved' ? (alert.endsAt ?? context.now) : Math.max(context.now, alert.startsAt) + 4 * context.resendIntervalMs;
  return {
    labels: cleanNames({ alertname: alertnameOf(alert), severity: alert.severity, ...alert.labels }),
    annotations: cleanNames(annotations),
    startsAt: new Date(alert.startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    generatorURL: `${context.externalUrl}${links.cause?.href ?? `/alerts?fingerprint=${alert.fingerprint}`}`,
  };
}

/** The `alertname` label: the alert's own when it has one, else one per source (`SloErrorBudgetBurn`...). */
function alertnameOf(alert: Pick<Alert, 'source' | 'labels'>): string {
  return alert.labels.alertname ?? ALERTNAMES[alert.source] ?? `Sightline_${alert.source.replace(INVALID_NAME_CHARS, '_')}`;
}

function prefixed(prefix: string, values: Labels): Labels {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}

/** Names made valid Prometheus label names (other characters → `_`); empty values left out, as Alertmanager drops them. */
function cleanNames(values: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === '') continue;
    const name = key.replace(INVALID_NAME_CHARS, '_');
    out[/^[0-9]/.test(name) ? `_${name}` : name] = value;
  }
  return out;
}
