import type { JSX } from 'preact';
import { get, type Page, type TraceSummary } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { FilterForm, SinceSelect } from '../components/filter-form.js';
import { Histogram, type HistogramBar } from '../components/histogram.js';
import { Pager } from '../components/pager.js';
import { formatDuration, formatTime, SINCE_CHOICES } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { REFRESH_MS, useLoad } from '../use-load.js';

const PAGE_SIZE = 50;

/** `GET /api/v1/traces/histogram`: trace durations (ms) in log-scaled buckets over the whole search. */
interface DurationHistogram {
  total: number;
  buckets: { fromMs: number; toMs: number; count: number; errors: number }[];
}

/** The duration buckets as bars: `10.0 ms – 17.8 ms`. */
function durationBars(histogram: DurationHistogram): HistogramBar[] {
  return histogram.buckets.map((b) => ({ range: `${formatDuration(b.fromMs)} – ${formatDuration(b.toMs)}`, start: formatDuration(b.fromMs), end: formatDuration(b.toMs), count: b.count, errors: b.errors }));
}

/**
 * Trace search: service, time window, errors only, the app's own traces; newest first, paginated by
 * `nextBefore`, with the duration distribution of every matching trace above the list. The first
 * page refreshes itself; older pages stay put (new traces would shift them).
 */
export function TracesView(props: { route: Route }): JSX.Element {
  const q = props.route.query;
  const service = q.get('service') ?? '';
  const since = q.get('since') ?? '1h';
  const errorsOnly = q.get('errorsOnly') === 'true';
  const includeSelf = q.get('includeSelf') === 'true';
  const before = q.get('before') ?? undefined;
  const limit = Number(q.get('limit') ?? PAGE_SIZE);
  const filters = { service, since, errorsOnly: errorsOnly ? true : undefined, includeSelf: includeSelf ? true : undefined };
  const query = { ...filters, before, limit };
  const refresh = { refreshMs: before === undefined ? REFRESH_MS : undefined };
  const { data, error } = useLoad(JSON.stringify(query), (signal) => get<Page<'traces', TraceSummary>>('/api/v1/traces', query, signal), refresh);
  const histogram = useLoad(`histogram:${JSON.stringify(filters)}`, (signal) => get<DurationHistogram>('/api/v1/traces/histogram', filters, signal), refresh);
  const services = useLoad('services', (signal) => get<{ services: { service: string }[] }>('/api/v1/services', { since: '24h' }, signal));
  const base = { service, since, errorsOnly: errorsOnly ? 'true' : undefined, includeSelf: includeSelf ? 'true' : undefined, limit: q.get('limit') ?? undefined };
  return (
    <>
      <div class="title-row">
        <h1>Traces</h1>
      </div>
      <FilterForm path="/traces" label="trace search" key={props.route.query.toString()}>
        <label>
          service
          <input name="service" list="service-names" defaultValue={service} placeholder="any" />
          <datalist id="service-names">{services.data?.services.map((s) => <option key={s.service} value={s.service} />)}</datalist>
        </label>
        <SinceSelect value={since} choices={SINCE_CHOICES} />
        <label class="check">
          <input type="checkbox" name="errorsOnly" value="true" defaultChecked={errorsOnly} /> errors only
        </label>
        <label class="check" title="Traces of this app's own API requests (service sightline), hidden by default">
          <input type="checkbox" name="includeSelf" value="true" defaultChecked={includeSelf} /> include Sightline's own
        </label>
        {q.get('limit') !== null && <input type="hidden" name="limit" value={q.get('limit') ?? ''} />}
      </FilterForm>
      {error !== undefined && <ErrorBanner error={error} />}
      {histogram.error !== undefined && error === undefined && <ErrorBanner error={histogram.error} />}
      {histogram.data !== undefined && (
        <section class="histogram-section" aria-label="trace durations">
          <Histogram bars={durationBars(histogram.data)} label="Durations of the matching traces (log scale)" unit="traces" name="trace-durations" />
        </section>
      )}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <section data-ready="traces">
          {data.traces.length === 0 ? (
            <p class="muted">No traces match.</p>
          ) : (
            <table class="traces">
              <thead>
                <tr>
                  <th>start</th>
                  <th>root</th>
                  <th>service</th>
                  <th class="num">duration</th>
                  <th class="num">spans</th>
                  <th class="num">errors</th>
                </tr>
              </thead>
              <tbody>
                {data.traces.map((t) => (
                  <tr key={t.trace_id} class={t.error_count > 0 ? 'has-error' : ''}>
                    <td class="muted">{formatTime(t.start_ms)}</td>
                    <td><Link href={`/traces/${t.trace_id}`}>{t.root_name}</Link></td>
                    <td>{t.root_service}</td>
                    <td class="num">{formatDuration(t.duration_ms)}</td>
                    <td class="num">{t.span_count}</td>
                    <td class={`num ${t.error_count > 0 ? 'bad' : ''}`}>{t.error_count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            firstHref={before === undefined ? undefined : href('/traces', base)}
            nextHref={data.nextBefore === null ? undefined : href('/traces', { ...base, before: data.nextBefore })}
            shown={data.traces.length}
          />
        </section>
      )}
    </>
  );
}
