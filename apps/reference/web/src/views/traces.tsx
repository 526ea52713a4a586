import type { JSX } from 'preact';
import { get, type Page, type TraceSummary } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { FilterForm, SinceSelect } from '../components/filter-form.js';
import { Pager } from '../components/pager.js';
import { formatDuration, formatTime, SINCE_CHOICES } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

const PAGE_SIZE = 50;

/** Trace search: service, time window, errors only; newest first, paginated by `nextBefore`. */
export function TracesView(props: { route: Route }): JSX.Element {
  const q = props.route.query;
  const service = q.get('service') ?? '';
  const since = q.get('since') ?? '1h';
  const errorsOnly = q.get('errorsOnly') === 'true';
  const before = q.get('before') ?? undefined;
  const limit = Number(q.get('limit') ?? PAGE_SIZE);
  const query = { service, since, errorsOnly: errorsOnly ? true : undefined, before, limit };
  const { data, error } = useLoad(JSON.stringify(query), (signal) => get<Page<'traces', TraceSummary>>('/api/v1/traces', query, signal));
  const services = useLoad('services', (signal) => get<{ services: { service: string }[] }>('/api/v1/services', { since: '24h' }, signal));
  const base = { service, since, errorsOnly: errorsOnly ? 'true' : undefined, limit: q.get('limit') ?? undefined };
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
        {q.get('limit') !== null && <input type="hidden" name="limit" value={q.get('limit') ?? ''} />}
      </FilterForm>
      {error !== undefined && <ErrorBanner error={error} />}
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
