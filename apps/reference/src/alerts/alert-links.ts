import type { Alert } from '@sightline/core';

/** One link of the web page (a path and query, relative to the app's root) with what it shows. */
export interface AlertLink {
  href: string;
  label: string;
}

/** Where an alert leads in one click: what raised it, example traces, and the logs of those traces. */
export interface AlertLinks {
  /** The SLO, the anomaly timeline or the cost breakdown behind the alert; absent for other sources. */
  cause?: AlertLink;
  /** Example traces: the `traceIds` annotation (error traces found when it opened) and a `trace_id` label. */
  traces: AlertLink[];
  /** The logs of each example trace, in the same order. */
  logs: AlertLink[];
}

/** At most this many example traces are linked: enough to start from, few enough to read. */
const MAX_TRACES = 5;
const HOUR = 3_600_000;

/** The trace ids an alert carries: the `traceIds` annotation (comma separated), then a `trace_id` label. */
function exampleTraceIds(alert: Pick<Alert, 'labels' | 'annotations'>): string[] {
  const ids = (alert.annotations.traceIds ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (alert.labels.trace_id !== undefined && !ids.includes(alert.labels.trace_id)) ids.push(alert.labels.trace_id);
  return ids.slice(0, MAX_TRACES);
}

/**
 * The page links of an alert: its cause by source (`slo` → the SLO, `anomaly` → its series'
 * anomaly timeline from an hour before it started, `finops` → the cost breakdown by the anomalous
 * dimension), and each example trace with its logs.
 * @example
 * alertLinks(alert).cause?.href // '/slos/checkout-latency'
 */
export function alertLinks(alert: Pick<Alert, 'source' | 'labels' | 'annotations' | 'startsAt'>): AlertLinks {
  const traceIds = exampleTraceIds(alert);
  const cause = causeLink(alert);
  return {
    ...(cause === undefined ? {} : { cause }),
    traces: traceIds.map((id) => ({ href: `/traces/${encodeURIComponent(id)}`, label: `trace ${id.slice(0, 8)}` })),
    logs: traceIds.map((id) => ({ href: `/logs?${new URLSearchParams({ traceId: id, since: 'all' }).toString()}`, label: `logs of trace ${id.slice(0, 8)}` })),
  };
}

function causeLink(alert: Pick<Alert, 'source' | 'labels' | 'startsAt'>): AlertLink | undefined {
  const { labels } = alert;
  if (alert.source === 'slo' && labels.slo !== undefined) return { href: `/slos/${encodeURIComponent(labels.slo)}`, label: `SLO ${labels.slo}` };
  if (alert.source === 'anomaly') {
    // The anomalies page from an hour before the start (context), narrowed to the alert's series.
    const since = Math.max(0, Math.floor(alert.startsAt - HOUR));
    const query = new URLSearchParams({ since: String(since), ...(labels.series === undefined ? {} : { series: labels.series }) });
    return { href: `/anomalies?${query.toString()}`, label: `anomaly ${labels.series ?? labels.service ?? ''}`.trim() };
  }
  if (alert.source === 'finops') {
    const by = labels.dimension ?? 'ServiceName';
    return { href: `/costs?${new URLSearchParams({ by }).toString()}`, label: `costs by ${by}${labels.value === undefined ? '' : ` (${labels.value})`}` };
  }
  return undefined;
}
