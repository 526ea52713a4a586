import type { JSX } from 'preact';
import { get, type IncidentDetail, type IncidentSummary } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatTime } from '../format.js';
import { Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

/** Incidents of the last day: related alerts grouped (one service, or services sharing traces), newest first; one incident's timeline. */
export function IncidentsView(props: { route: Route }): JSX.Element {
  const id = /^\/incidents\/([^/]+)\/?$/.exec(props.route.path)?.[1];
  if (id !== undefined) return <IncidentView id={decodeURIComponent(id)} />;
  const { data, error } = useLoad('incidents', (signal) => get<{ incidents: IncidentSummary[] }>('/api/v1/incidents', { since: '24h' }, signal), 15_000);
  return (
    <>
      <div class="title-row">
        <h1>Incidents</h1>
        <span class="muted">alerts of one service that overlap in time, or of services sharing error traces; last 24 hours</span>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : data.incidents.length === 0 ? (
        <p class="muted" data-ready="incidents">No incidents in the last 24 hours.</p>
      ) : (
        <table class="incidents" data-ready="incidents">
          <thead><tr><th>severity</th><th>incident</th><th>status</th><th class="num">alerts</th><th>window</th></tr></thead>
          <tbody>
            {data.incidents.map((i) => (
              <tr key={i.id}>
                <td><span class={`badge ${i.severity}`}>{i.severity}</span></td>
                <td><Link href={`/incidents/${i.id}`}>{i.title}</Link></td>
                <td>{i.status}</td>
                <td class="num">{i.alertCount}</td>
                <td class="muted nowrap">{formatTime(i.startsAt)} – {i.endsAt === null ? 'now' : formatTime(i.endsAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function IncidentView(props: { id: string }): JSX.Element {
  const { data, error } = useLoad(`incident:${props.id}`, (signal) => get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(props.id)}`, {}, signal), 15_000);
  return (
    <>
      <p><Link href="/incidents">« All incidents</Link></p>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <div data-ready="incident">
          <div class="title-row">
            <h1>{data.incident.title}</h1>
            <span class={`badge ${data.incident.severity}`}>{data.incident.status}</span>
          </div>
          <p>
            <a href={`/api/v1/incidents/${encodeURIComponent(data.incident.id)}/markdown`} download={`incident-${data.incident.id}.md`} class="export">Export as Markdown (post-mortem draft)</a>
          </p>
          <section>
            <h2>Timeline</h2>
            <ol class="timeline-list">
              {data.timeline.map((e, n) => (
                <li key={n} class={e.kind}>
                  <span class="muted nowrap">{formatTime(e.at)}</span> <b>{e.kind}</b> {e.text}{' '}
                  {e.traceId !== undefined && <Link href={`/traces/${e.traceId}`} class="mono">{e.traceId.slice(0, 8)}</Link>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </>
  );
}
