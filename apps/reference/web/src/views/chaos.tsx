import type { JSX } from 'preact';
import { get, type ChaosRun } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatDuration, formatTime } from '../format.js';
import { Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

const VERDICT: Record<string, string> = { completed: 'ok', deviated: 'critical', aborted: 'warning', failed: 'error', running: 'info' };

/** Chaos runs with their verdicts, newest first; one run's journal. */
export function ChaosView(props: { route: Route }): JSX.Element {
  const id = /^\/chaos\/([^/]+)\/?$/.exec(props.route.path)?.[1];
  if (id !== undefined) return <ChaosRunView id={decodeURIComponent(id)} />;
  const { data, error } = useLoad('chaos', (signal) => get<{ runs: ChaosRun[] }>('/api/v1/chaos/runs', { limit: 50 }, signal), 10_000);
  return (
    <>
      <div class="title-row">
        <h1>Chaos</h1>
        <span class="muted">experiment runs and their verdicts · start one with <code>sightline chaos run FILE</code></span>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : data.runs.length === 0 ? (
        <p class="muted" data-ready="chaos">No experiment has run yet.</p>
      ) : (
        <table class="chaos-runs" data-ready="chaos">
          <thead><tr><th>verdict</th><th>experiment</th><th>started</th><th class="num">duration</th></tr></thead>
          <tbody>
            {data.runs.map((r) => (
              <tr key={r.id}>
                <td><span class={`badge ${VERDICT[r.status] ?? 'info'}`}>{r.status}</span></td>
                <td><Link href={`/chaos/${r.id}`}>{r.title}</Link></td>
                <td class="muted nowrap">{formatTime(r.started_at)}</td>
                <td class="num">{r.ended_at === null ? '…' : formatDuration(r.ended_at - r.started_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ChaosRunView(props: { id: string }): JSX.Element {
  const { data, error } = useLoad(`chaos:${props.id}`, (signal) => get<ChaosRun>(`/api/v1/chaos/runs/${encodeURIComponent(props.id)}`, {}, signal), 5_000);
  const journal = data?.journal ?? undefined;
  return (
    <>
      <p><Link href="/chaos">« All runs</Link></p>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <div data-ready="chaos-run">
          <div class="title-row">
            <h1>{data.title}</h1>
            <span class={`badge ${VERDICT[data.status] ?? 'info'}`}>{data.status}</span>
          </div>
          {journal === undefined ? (
            <p class="muted">Running…</p>
          ) : (
            <>
              {journal.reason !== undefined && <p class="reason">{journal.reason}</p>}
              <p>
                steady state before: <b>{journal.steadyStateBefore?.met === false ? 'not met' : 'met'}</b> · after: <b class="after">{journal.steadyStateAfter === undefined ? '—' : journal.steadyStateAfter.met ? 'met' : 'not met'}</b> · {formatDuration(journal.durationMs)}
              </p>
              <h2>Method</h2>
              <ol class="activities">
                {journal.run.map((a, n) => (
                  <li key={n}><b>{a.type}</b> {a.name}: {a.status}</li>
                ))}
              </ol>
              <h2>Faults injected (all rolled back)</h2>
              <ul class="list">{journal.faults.map((f, n) => <li key={n}>{f.activity}: {f.description}</li>)}</ul>
            </>
          )}
        </div>
      )}
    </>
  );
}
