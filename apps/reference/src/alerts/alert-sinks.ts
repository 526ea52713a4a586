import type { Alert } from '@sightline/core';

/** What every sink receives: one alert state change, with the key alerts are grouped by. */
export interface AlertNotification {
  version: '1';
  status: Alert['status'];
  /** Alerts with the same group key belong together (same source and service). */
  groupKey: string;
  alert: Alert;
}

/** A named destination for notifications. `send` rejects when delivery failed (→ retry). */
export interface NotificationSink {
  readonly name: string;
  send(notification: AlertNotification): Promise<void>;
}

/** Group key: the source plus the `service` label when there is one. */
export function groupKeyOf(alert: Alert): string {
  return `${alert.source}/${alert.labels.service ?? '-'}`;
}

/** POSTs each notification as JSON; any non-2xx answer or a timeout is a failed delivery. */
export function webhookSink(name: string, url: string, options: { timeoutMs?: number; headers?: Record<string, string> } = {}): NotificationSink {
  return {
    name,
    async send(notification) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(notification),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      // Drain the body so the socket is reused.
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`webhook ${name} answered ${response.status}`);
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
