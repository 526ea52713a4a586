import type { JSX } from 'preact';
import { get, type LogRecord, type Page } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { FilterForm, SinceSelect } from '../components/filter-form.js';
import { Histogram, type HistogramBar } from '../components/histogram.js';
import { Pager } from '../components/pager.js';
import { formatTime, SINCE_CHOICES } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { REFRESH_MS, useLoad } from '../use-load.js';

const PAGE_SIZE = 100;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The level band of an OTLP severity number (1-4 trace … 21-24 fatal). */
function band(severity: number): string {
  return severity >= 21 ? 'fatal' : severity >= 17 ? 'error' : severity >= 13 ? 'warn' : severity >= 9 ? 'info' : severity >= 5 ? 'debug' : severity >= 1 ? 'trace' : 'unset';
}

/** `GET /api/v1/logs/histogram`: matching records per time bucket over the whole search. */
interface VolumeHistogram {
  from: number;
  to: number;
  stepMs: number;
  total: number;
  buckets: { t: number; count: number; errors: number }[];
}

/** The time buckets as bars: `14:03:00 – 14:03:30`. */
function volumeBars(histogram: VolumeHistogram): HistogramBar[] {
  return histogram.buckets.map((b) => ({ range: `${formatTime(b.t)} – ${formatTime(b.t + histogram.stepMs)}`, start: formatTime(b.t), end: formatTime(b.t + histogram.stepMs), count: b.count, errors: b.errors }));
}

/**
 * Log search with the CLI's filters (since, level, service, trace id, text), newest first, under
 * the volume of every matching record over time (errors apart). The first page refreshes itself.
 */
export function LogsView(props: { route: Route }): JSX.Element {
  const q = props.route.query;
  const filters = {
    since: q.get('since') ?? '1h',
    level: q.get('level') ?? '',
    service: q.get('service') ?? '',
    traceId: q.get('traceId') ?? '',
    text: q.get('text') ?? '',
  };
  const before = q.get('before') ?? undefined;
  const limitParam = q.get('limit') ?? undefined;
  const search = { ...filters, since: filters.since === 'all' ? undefined : filters.since };
  const query = { ...search, before, limit: Number(limitParam ?? PAGE_SIZE) };
  const refresh = { refreshMs: before === undefined ? REFRESH_MS : undefined };
  const { data, error } = useLoad(JSON.stringify(query), (signal) => get<Page<'logs', LogRecord>>('/api/v1/logs', query, signal), refresh);
  const histogram = useLoad(`histogram:${JSON.stringify(search)}`, (signal) => get<VolumeHistogram>('/api/v1/logs/histogram', search, signal), refresh);
  const base = { ...filters, limit: limitParam };
  return (
    <>
      <div class="title-row">
        <h1>Logs</h1>
      </div>
      <FilterForm path="/logs" label="log search" key={q.toString()}>
        <SinceSelect value={filters.since} choices={SINCE_CHOICES} allowAll />
        <label>
          level ≥
          <select name="level">
            <option value="" selected={filters.level === ''}>any</option>
            {LEVELS.map((l) => <option key={l} value={l} selected={filters.level === l}>{l}</option>)}
          </select>
        </label>
        <label>
          service
          <input name="service" defaultValue={filters.service} placeholder="any" />
        </label>
        <label>
          trace id
          <input name="traceId" defaultValue={filters.traceId} placeholder="32 hex" size={34} class="mono" />
        </label>
        <label>
          text
          <input name="text" defaultValue={filters.text} placeholder="contains" />
        </label>
        {limitParam !== undefined && <input type="hidden" name="limit" value={limitParam} />}
      </FilterForm>
      {error !== undefined && <ErrorBanner error={error} />}
      {histogram.error !== undefined && error === undefined && <ErrorBanner error={histogram.error} />}
      {histogram.data !== undefined && (
        <section class="histogram-section" aria-label="log volume">
          <Histogram bars={volumeBars(histogram.data)} label="Matching log records over time" unit="records" name="log-volume" />
        </section>
      )}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <section data-ready="logs">
          {data.logs.length === 0 ? (
            <p class="muted">No log records match.</p>
          ) : (
            <table class="logs">
              <thead>
                <tr>
                  <th>time</th>
                  <th>level</th>
                  <th>service</th>
                  <th>message</th>
                  <th>trace</th>
                </tr>
              </thead>
              <tbody>
                {data.logs.map((l) => (
                  <tr key={l.id} class={`level-${band(l.severity_number)}`}>
                    <td class="muted nowrap">{formatTime(l.time_ms)}</td>
                    <td><span class={`badge ${band(l.severity_number)}`}>{l.severity_text ?? band(l.severity_number)}</span></td>
                    <td>{l.service}</td>
                    <td class="body">{l.body}</td>
                    <td>{l.trace_id !== null && <Link href={`/traces/${l.trace_id}`} class="mono" title={l.trace_id}>{l.trace_id.slice(0, 8)}</Link>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            firstHref={before === undefined ? undefined : href('/logs', base)}
            nextHref={data.nextBefore === null ? undefined : href('/logs', { ...base, before: data.nextBefore })}
            shown={data.logs.length}
          />
        </section>
      )}
    </>
  );
}
