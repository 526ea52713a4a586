import type { JSX } from 'preact';
import { get, type ChaosRun } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatDuration, formatPercent, formatTime } from '../format.js';
import { Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

/** One value a steady-state probe measured (`GET /api/v1/chaos/runs/:id` → `probes`). */
interface ProbeValue {
  label: string;
  value: number | string | boolean | null;
  unit?: 'ms' | 'ratio' | 'x';
}
interface ProbeMeasurement {
  status: 'succeeded' | 'failed';
  met: boolean;
  values: ProbeValue[];
  error?: string;
}
/** A steady-state probe's tolerance and what it measured before and after the method. */
interface ProbeReading {
  name: string;
  tolerance: string;
  before?: ProbeMeasurement;
  after?: ProbeMeasurement;
}

function formatProbeValue(v: ProbeValue): string {
  if (typeof v.value === 'number') {
    if (v.unit === 'ms') return formatDuration(v.value);
    if (v.unit === 'ratio') return formatPercent(v.value);
    if (v.unit === 'x') return `${v.value.toFixed(2)}x`;
    return Number.isInteger(v.value) ? String(v.value) : v.value.toFixed(3);
  }
  return v.value === null ? '—' : String(v.value);
}

/** A phase's measured values, and pass or fail against the tolerance. */
function Measured(props: { m: ProbeMeasurement | undefined; phase: string }): JSX.Element {
  const { m } = props;
  if (m === undefined) return <td class={`probe-${props.phase} muted`}>not run</td>;
  return (
    <td class={`probe-${props.phase}`}>
      <span class={`badge ${m.met ? 'ok' : 'critical'}`}>{m.met ? 'pass' : 'fail'}</span>{' '}
      {m.values.map((v) => (
        <span key={v.label} class="probe-value">{`${v.label} ${formatProbeValue(v)}`}</span>
      ))}
      {m.error !== undefined && <span class="probe-error">{m.error}</span>}
    </td>
  );
}

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
  const { data, error } = useLoad(`chaos:${props.id}`, (signal) => get<ChaosRun & { probes?: ProbeReading[] }>(`/api/v1/chaos/runs/${encodeURIComponent(props.id)}`, {}, signal), 5_000);
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
              {(data.probes ?? []).length > 0 && (
                <>
                  <h2>Steady-state probes</h2>
                  <table class="probes">
                    <thead><tr><th>probe</th><th>tolerance</th><th>before</th><th>after</th></tr></thead>
                    <tbody>
                      {(data.probes ?? []).map((p, n) => (
                        <tr key={n} data-probe={p.name}>
                          <td>{p.name}</td>
                          <td class="tolerance">{p.tolerance}</td>
                          <Measured m={p.before} phase="before" />
                          <Measured m={p.after} phase="after" />
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
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
