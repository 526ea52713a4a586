import type { Alert } from '@sightline/core';
import type { LiveValues } from './live-values.js';

/** What every sink receives: one alert state change, with the key alerts are grouped by. */
export interface AlertNotification {
  version: '1';
  status: Alert['status'];
  /** Alerts with the same group key belong together (same source and service). */
  groupKey: string;
  alert: Alert;
  /** What the condition measures at send time (e.g. an SLO's burn now), when its source has live values. */
  live?: LiveValues;
}

/** A named destination for notifications. `send` rejects when delivery failed (→ retry). */
export interface NotificationSink {
  readonly name: string;
  send(notification: AlertNotification): Promise<void>;
  /**
   * When set, ms: a firing alert this sink was told of is sent again after this long without
   * news (with its current state), as Prometheus re-sends to Alertmanager. Unset: state changes only.
   */
  readonly resendIntervalMs?: number;
}

/** Group key: the source plus the `service` label when there is one. */
export function groupKeyOf(alert: Alert): string {
  return `${alert.source}/${alert.labels.service ?? '-'}`;
}

/** The body a channel expects: Sightline's own JSON, a Slack incoming webhook, PagerDuty Events v2. */
export type ChannelFormat = 'generic' | 'slack' | 'pagerduty';

/**
 * POSTs each notification in the channel's format; any non-2xx answer or a timeout is a failed
 * delivery. `routingKey` is PagerDuty's integration key (required for that format).
 */
export function webhookSink(name: string, url: string, options: { timeoutMs?: number; headers?: Record<string, string>; format?: ChannelFormat; routingKey?: string } = {}): NotificationSink {
  const format = options.format ?? 'generic';
  const encode = (n: AlertNotification): unknown => (format === 'slack' ? slackMessage(n) : format === 'pagerduty' ? pagerDutyEvent(n, options.routingKey ?? '') : n);
  return {
    name,
    async send(notification) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(encode(notification)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      // Drain the body so the socket is reused.
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`webhook ${name} answered ${response.status}`);
    },
  };
}

/** A Slack incoming-webhook message: a fallback `text` and Block Kit blocks with the labels. */
export function slackMessage(n: AlertNotification): { text: string; blocks: unknown[] } {
  const icon = n.status === 'resolved' ? ':white_check_mark:' : n.alert.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const text = `${icon} [${n.status.toUpperCase()}] ${n.alert.title}`;
  const labels = Object.entries(n.alert.labels).map(([k, v]) => `*${k}*: ${v}`).join('  ');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${n.alert.source} · ${n.alert.severity} · since ${new Date(n.alert.startsAt).toISOString()}${labels === '' ? '' : ` · ${labels}`}` }] },
    ],
  };
}

/**
 * A PagerDuty Events API v2 event: `trigger` with the payload for a firing alert, `resolve` for a
 * resolved one, deduplicated by the alert's fingerprint (so resolve closes the same incident).
 */
export function pagerDutyEvent(n: AlertNotification, routingKey: string): Record<string, unknown> {
  const base = { routing_key: routingKey, dedup_key: n.alert.fingerprint };
  if (n.status === 'resolved') return { ...base, event_action: 'resolve' };
  return {
    ...base,
    event_action: 'trigger',
    payload: {
      summary: n.alert.title.slice(0, 1024),
      source: n.alert.labels.service ?? n.alert.source,
      severity: n.alert.severity, // Sightline's severities are PagerDuty's: critical, error, warning, info
      timestamp: new Date(n.alert.startsAt).toISOString(),
      component: n.alert.labels.service,
      class: n.alert.source,
      custom_details: { labels: n.alert.labels, annotations: n.alert.annotations },
    },
  };
}

/** Writes each notification as one structured log line. */
export function logSink(write: (line: Record<string, unknown>) => void): NotificationSink {
  return {
    name: 'log',
    async send(notification) {
      write({ msg: `alert ${notification.status}: ${notification.alert.title}`, alert: notification.alert, groupKey: notification.groupKey });
    },
  };
}
