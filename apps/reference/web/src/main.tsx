import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';

interface Service {
  service: string;
  spans: number;
  errors: number;
  p95_ms: number;
}
interface AlertRow {
  id: string;
  title: string;
  severity: string;
  status: string;
  startsAt: number;
  silenced: boolean;
}
interface AnomalyRow {
  id: number;
  seriesKey: string;
  severity: string;
  score: number;
  startsAt: number;
  endsAt?: number;
  reason: string;
}
interface LogRow {
  id: number;
  time_ms: number;
  service: string;
  severity_text: string | null;
  body: string;
  trace_id: string | null;
}

interface Overview {
  services: Service[];
  alerts: AlertRow[];
  anomalies: AnomalyRow[];
  errors: LogRow[];
}

/** Fetches one API path; an API error becomes an Error with the API's own message. */
async function get<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `${path} answered ${response.status}`);
  return body;
}

async function loadOverview(): Promise<Overview> {
  const [services, alerts, anomalies, errors] = await Promise.all([
    get<{ services: Service[] }>('/api/v1/services?since=15m'),
    get<{ alerts: AlertRow[] }>('/api/v1/alerts?limit=20'),
    get<{ anomalies: AnomalyRow[] }>('/api/v1/anomalies?since=6h&limit=20'),
    get<{ logs: LogRow[] }>('/api/v1/logs?level=error&since=15m&limit=10'),
  ]);
  return { services: services.services, alerts: alerts.alerts, anomalies: anomalies.anomalies, errors: errors.logs };
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();

function App() {
  const [overview, setOverview] = useState<Overview | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let stopped = false;
    const refresh = () =>
      loadOverview().then(
        (o) => !stopped && (setOverview(o), setError(undefined)),
        (e: Error) => !stopped && setError(e.message),
      );
    void refresh();
    const timer = setInterval(refresh, 5_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <main>
      <header>
        <h1>Sightline</h1>
        <span class="muted">last 15 minutes · refreshes every 5 s</span>
      </header>
      {error !== undefined && <p class="error" role="alert">{error}</p>}
      {overview === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <section>
            <h2>Services</h2>
            {overview.services.length === 0 ? (
              <p class="muted">No spans yet: point an OpenTelemetry exporter at this server's /v1/traces.</p>
            ) : (
              <table>
                <thead>
                  <tr><th>service</th><th class="num">spans</th><th class="num">error ratio</th><th class="num">p95</th></tr>
                </thead>
                <tbody>
                  {overview.services.map((s) => (
                    <tr key={s.service}>
                      <td>{s.service}</td>
                      <td class="num">{s.spans}</td>
                      <td class={`num ${s.errors / Math.max(s.spans, 1) > 0.05 ? 'bad' : ''}`}>{((s.errors / Math.max(s.spans, 1)) * 100).toFixed(2)}%</td>
                      <td class="num">{s.p95_ms.toFixed(1)} ms</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section>
            <h2>Alerts</h2>
            {overview.alerts.length === 0 ? <p class="muted">No alerts.</p> : (
              <ul class="list">
                {overview.alerts.map((a) => (
                  <li key={a.id} class={a.status}>
                    <span class={`badge ${a.severity}`}>{a.severity}</span> {a.title} <span class="muted">· {a.status} since {time(a.startsAt)}{a.silenced ? ' · silenced' : ''}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section>
            <h2>Anomalies</h2>
            {overview.anomalies.length === 0 ? <p class="muted">No anomalies (detectors warm up for 15 minutes of data per series).</p> : (
              <ul class="list">
                {overview.anomalies.map((a) => (
                  <li key={a.id}>
                    <span class={`badge ${a.severity}`}>{a.severity}</span> <code>{a.seriesKey}</code> score {a.score.toFixed(2)} <span class="muted">· {time(a.startsAt)}{a.endsAt === undefined ? ' · ongoing' : ` – ${time(a.endsAt)}`} · {a.reason}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section>
            <h2>Recent errors</h2>
            {overview.errors.length === 0 ? <p class="muted">No error logs.</p> : (
              <ul class="list">
                {overview.errors.map((l) => (
                  <li key={l.id}>
                    <span class="muted">{time(l.time_ms)}</span> <b>{l.service}</b> {l.body} {l.trace_id !== null && <code class="muted">{l.trace_id.slice(0, 8)}</code>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </main>
  );
}

render(<App />, document.getElementById('app')!);
