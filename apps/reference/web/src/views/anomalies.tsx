import type { JSX } from 'preact';
import { get, type AnomalyTimeline } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { Pager } from '../components/pager.js';
import { TimelineChart } from '../components/timeline-chart.js';
import { formatDuration, formatRate, formatTime } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

interface Timelines {
  since: number;
  now: number;
  series: AnomalyTimeline[];
  nextAfter: string | null;
}

/** Values of latency series are milliseconds, ratios are fractions, rates are per second. */
function formatterFor(seriesKey: string): (v: number) => string {
  if (seriesKey.includes('duration') || seriesKey.includes('latency')) return formatDuration;
  if (seriesKey.includes('ratio')) return (v) => `${(v * 100).toFixed(2)}%`;
  if (seriesKey.includes('rate')) return formatRate;
  return (v) => v.toPrecision(4);
}

/** A timeline per series that had anomalies in the window, with the anomalous points marked. */
export function AnomaliesView(props: { route: Route }): JSX.Element {
  const since = props.route.query.get('since') ?? '6h';
  const after = props.route.query.get('after') ?? undefined;
  // An anomaly alert links here with its series: one timeline.
  const series = props.route.query.get('series') ?? undefined;
  const { data, error } = useLoad(`anomalies:${since}:${after ?? ''}:${series ?? ''}`, (signal) => get<Timelines>('/api/v1/views/anomalies', { since, after, series, limit: 10 }, signal), 30_000);
  return (
    <>
      <div class="title-row">
        <h1>Anomalies</h1>
        <span class="muted">
          since {since}
          {series !== undefined && (
            <>
              {' '}· one series (<Link href={href('/anomalies', { since })}>all series</Link>)
            </>
          )}{' '}
          · refreshes every 30 s
        </span>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <div data-ready="anomalies">
          {data.series.length === 0 && <p class="muted">No anomalies since {since} (detectors warm up for 15 minutes of data per series).</p>}
          {data.series.map((s) => {
            const format = formatterFor(s.seriesKey);
            return (
              <section key={s.seriesKey} class="timeline-card">
                <h2>
                  <code>{s.seriesKey.slice(0, s.seriesKey.indexOf('{'))}</code> {s.labels.service} {s.labels.operation !== undefined && <span class="muted">{s.labels.operation}</span>}
                </h2>
                <TimelineChart timeline={s} from={data.since} to={data.now} format={format} />
                <ul class="list">
                  {s.anomalies.map((a) => (
                    <li key={a.id}>
                      <span class={`badge ${a.severity}`}>{a.severity}</span> score <b>{a.score.toFixed(2)}</b>{' '}
                      <span class="muted">· {formatTime(a.startsAt)}{a.endsAt === null ? ' · ongoing' : ` – ${formatTime(a.endsAt)}`}</span> · {a.reason}
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
          {(after !== undefined || data.nextAfter !== null) && (
            <Pager firstHref={after === undefined ? undefined : href('/anomalies', { since, series })} nextHref={data.nextAfter === null ? undefined : href('/anomalies', { since, series, after: data.nextAfter })} shown={data.series.length} />
          )}
        </div>
      )}
    </>
  );
}
