import type { JSX } from 'preact';
import { get, type Alert, type Anomaly, type LogRecord, type Page, type ServiceOverview, type SloSummary } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { Pager } from '../components/pager.js';
import { Sparkline } from '../components/sparkline.js';
import { formatDuration, formatPercent, formatRate, formatTime } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { REFRESH_MS, useLoad } from '../use-load.js';
import { SloBadge } from './slos.js';

const WINDOW_MS = 3_600_000;
const BADGE = { up: 'ok', warning: 'warning', critical: 'critical' } as const;
const ERROR_RATIO_BAD = 0.05;

/** A service row as `/api/v1/views/overview` sends it: requests are counted by their entry spans. */
type ServiceRow = ServiceOverview & { requests: number };

interface Overview {
  services: ServiceRow[];
  nextAfter: string | null;
  firing: Alert[];
  anomalies: Anomaly[];
  errors: LogRecord[];
  slos: SloSummary[];
  health: Health | undefined;
  now: number;
}

interface Health {
  status: 'up' | 'warning' | 'critical';
  aggregation: string;
  indicators: { name: string; status: 'up' | 'warning' | 'critical'; message: string }[];
}

async function loadOverview(after: string | undefined, signal: AbortSignal): Promise<Overview> {
  const [services, alerts, anomalies, errors, slos, ready] = await Promise.all([
    get<{ services: ServiceRow[]; nextAfter: string | null }>('/api/v1/views/overview', { since: '1h', limit: 50, after }, signal),
    get<Page<'alerts', Alert>>('/api/v1/alerts', { status: 'firing', limit: 20 }, signal),
    get<Page<'anomalies', Anomaly>>('/api/v1/anomalies', { since: '6h', limit: 10 }, signal),
    get<Page<'logs', LogRecord>>('/api/v1/logs', { level: 'error', since: '15m', limit: 10 }, signal),
    get<{ slos: SloSummary[] }>('/api/v1/slos', {}, signal),
    get<{ health?: Health }>('/readyz', { verbose: true }, signal),
  ]);
  return { services: services.services, nextAfter: services.nextAfter, firing: alerts.alerts, anomalies: anomalies.anomalies, errors: errors.logs, slos: slos.slos, health: ready.health, now: Date.now() };
}

/** Services at a glance over the last hour, the firing alerts, recent anomalies and error logs. */
export function OverviewView(props: { route: Route }): JSX.Element {
  const after = props.route.query.get('after') ?? undefined;
  const { data, error, loadedAt } = useLoad(`overview:${after ?? ''}`, (signal) => loadOverview(after, signal), { refreshMs: REFRESH_MS });
  return (
    <>
      <div class="title-row">
        <h1>Overview</h1>
        <span class="muted">{`last hour · refreshes every ${REFRESH_MS / 1_000} s${loadedAt === undefined ? '' : ` · updated ${formatTime(loadedAt)}`}`}</span>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <div data-ready="overview">
          {data.health !== undefined && (
            <p class="health-strip">
              <span class={`badge ${BADGE[data.health.status]}`}>{`health ${data.health.status}`}</span>{' '}
              {data.health.indicators.map((i) => (
                <span key={i.name} class={`indicator ${i.status}`} title={i.message} data-indicator={i.name}>{i.name}</span>
              ))}
            </p>
          )}
          <section>
            <h2>Services</h2>
            {data.services.length === 0 ? (
              <p class="muted">No spans in the last hour: point an OpenTelemetry exporter at this server's /v1/traces.</p>
            ) : (
              <table class="services">
                <thead>
                  <tr>
                    <th>service</th>
                    <th class="num" title="Requests served: SERVER and CONSUMER spans (root spans for a service without them)">requests</th>
                    <th class="num" title="Every span of the service, inner spans included">spans</th>
                    <th class="num">rate</th>
                    <th class="num" title="Share of requests that failed (error status or HTTP 5xx)">error ratio</th>
                    <th class="num">p95</th>
                    <th>requests/s</th>
                    <th>p95 latency</th>
                    <th>SLOs</th>
                  </tr>
                </thead>
                <tbody>
                  {data.services.map((s) => (
                    <tr key={s.service}>
                      <td><Link href={href('/traces', { service: s.service })}>{s.service}</Link></td>
                      <td class="num">{s.requests}</td>
                      <td class="num muted">{s.spans}</td>
                      <td class="num">{formatRate(s.rate)}</td>
                      <td class={`num ${s.errorRatio > ERROR_RATIO_BAD ? 'bad' : ''}`}>{formatPercent(s.errorRatio)}</td>
                      <td class="num">{s.requests === 0 ? '–' : formatDuration(s.p95_ms)}</td>
                      <td class="spark-cell"><Sparkline points={s.rateSeries} from={data.now - WINDOW_MS} to={data.now} label={`${s.service} requests/s per minute`} format={formatRate} zeroFillMs={60_000} /></td>
                      <td class="spark-cell p95"><Sparkline points={s.p95Series} from={data.now - WINDOW_MS} to={data.now} label={`${s.service} p95 latency per minute`} format={formatDuration} /></td>
                      <td class="slo-badges">
                        {data.slos.filter((o) => o.spec.service === s.service).map((o) => (
                          <Link key={o.spec.name} href={`/slos/${encodeURIComponent(o.spec.name)}`}><SloBadge status={o.status} /></Link>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {(after !== undefined || data.nextAfter !== null) && (
              <Pager firstHref={after === undefined ? undefined : '/'} nextHref={data.nextAfter === null ? undefined : href('/', { after: data.nextAfter })} shown={data.services.length} />
            )}
          </section>
          <section>
            <h2>Open alerts</h2>
            {data.firing.length === 0 ? (
              <p class="muted">No firing alerts.</p>
            ) : (
              <ul class="list alerts">
                {data.firing.map((a) => (
                  <li key={a.id}>
                    <span class={`badge ${a.severity}`}>{a.severity}</span> {a.title}{' '}
                    <span class="muted">· {a.source} · since {formatTime(a.startsAt)}{a.silenced ? ' · silenced' : ''}</span>
                  </li>
                ))}
              </ul>
            )}
            <p class="more"><Link href="/alerts">All alerts and silences »</Link></p>
          </section>
          <section>
            <h2>Anomalies</h2>
            {data.anomalies.length === 0 ? (
              <p class="muted">No anomalies in the last 6 hours (detectors warm up for 15 minutes of data per series).</p>
            ) : (
              <ul class="list">
                {data.anomalies.map((a) => (
                  <li key={a.id}>
                    <span class={`badge ${a.severity}`}>{a.severity}</span> <code>{a.seriesKey}</code> score {a.score.toFixed(2)}{' '}
                    <span class="muted">· {formatTime(a.startsAt)}{a.endsAt === undefined ? ' · ongoing' : ` – ${formatTime(a.endsAt)}`} · {a.reason}</span>
                  </li>
                ))}
              </ul>
            )}
            <p class="more"><Link href="/anomalies">Anomaly timelines »</Link></p>
          </section>
          <section>
            <h2>Recent errors</h2>
            {data.errors.length === 0 ? (
              <p class="muted">No error logs in the last 15 minutes.</p>
            ) : (
              <ul class="list">
                {data.errors.map((l) => (
                  <li key={l.id}>
                    <span class="muted">{formatTime(l.time_ms)}</span> <b>{l.service}</b> {l.body}{' '}
                    {l.trace_id !== null && <Link href={`/traces/${l.trace_id}`} class="mono">{l.trace_id.slice(0, 8)}</Link>}
                  </li>
                ))}
              </ul>
            )}
            <p class="more"><Link href={href('/logs', { level: 'error', since: '15m' })}>Search logs »</Link></p>
          </section>
        </div>
      )}
    </>
  );
}
