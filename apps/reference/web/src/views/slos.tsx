import type { JSX } from 'preact';
import { get, type Alert, type SloCondition, type SloStatus, type SloSummary } from '../api.js';
import { BurnChart } from '../components/burn-chart.js';
import type { BurnPoint } from '../components/chart-runs.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatCount, formatDateTime, formatPercent, formatTime } from '../format.js';
import { Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

/** `3h 20m`, `2.5 d`, or `not burning`. */
export function formatExhaustion(ms: number | null): string {
  if (ms === null) return 'not burning';
  if (ms === 0) return 'spent';
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.round(ms / 60_000)}m`;
  if (hours < 48) return `${Math.floor(hours)}h ${String(Math.round((hours % 1) * 60)).padStart(2, '0')}m`;
  return `${(hours / 24).toFixed(1)} d`;
}

/** How far an SLO's budget is overspent and since when (`overspend` in the SLO API's answers). */
export interface SloOverspend {
  /** Bad events beyond the allowance. */
  overspentEvents: number;
  /** Epoch ms: the start of the hour the budget ran out in. */
  exhaustedAt: number;
}

/**
 * `overspent by 1,581 events since Nov 3 14:00`; in slices for an SLO budgeted by time slices
 * (its budget counts slices, not events).
 */
function formatOverspend(o: SloOverspend, status: SloStatus): string {
  const unit = 'slices' in status ? 'slice' : 'event';
  const count = formatCount(o.overspentEvents);
  return `overspent by ${count} ${unit}${count === '1' ? '' : 's'} since ${formatDateTime(o.exhaustedAt)}`;
}

/**
 * The budget window as it has run so far: `Nov 3 15:00 – Dec 3 15:12`, from the window's start
 * to the status instant (a rolling window's end is the next hour boundary, still in the future).
 */
function formatSloWindow(status: SloStatus): string {
  return `${formatDateTime(status.window.start)} – ${formatDateTime(Math.min(status.window.end, status.at))}`;
}

/** A badge for an SLO: PAGE / TICKET when burning, else ok or at risk by budget. */
export function SloBadge(props: { status: SloStatus }): JSX.Element {
  const s = props.status;
  const [cls, text] = s.firing.page ? ['critical', 'page'] : s.firing.ticket ? ['warning', 'ticket'] : s.budget.remainingFraction < 0.25 ? ['warning', 'low budget'] : ['ok', 'ok'];
  return <span class={`badge ${cls}`} title={`${s.name}: ${formatPercent(s.budget.remainingFraction)} of the error budget left`}>{`${s.name} ${text}`}</span>;
}

/** Every SLO with attainment, budget left, time to exhaustion and alert state. */
export function SlosView(props: { route: Route }): JSX.Element {
  const name = /^\/slos\/([^/]+)\/?$/.exec(props.route.path)?.[1];
  if (name !== undefined) return <SloView name={decodeURIComponent(name)} />;
  const { data, error } = useLoad('slos', (signal) => get<{ slos: (SloSummary & { overspend?: SloOverspend | null })[] }>('/api/v1/slos', {}, signal), 10_000);
  return (
    <>
      <div class="title-row">
        <h1>SLOs</h1>
        <span class="muted">refreshes every 10 s</span>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : data.slos.length === 0 ? (
        <p class="muted" data-ready="slos">No SLOs yet: put a spec file in the config (<code>slos.file</code>) or <code>PUT /api/v1/slos/NAME</code>.</p>
      ) : (
        <table class="slos" data-ready="slos">
          <thead>
            <tr>
              <th>SLO</th>
              <th>service</th>
              <th class="num">objective</th>
              <th class="num">attainment</th>
              <th class="num">budget left</th>
              <th class="num">exhausted in</th>
              <th class="num">burn 1h</th>
              <th>state</th>
            </tr>
          </thead>
          <tbody>
            {data.slos.map(({ spec, status, overspend }) => (
              <tr key={spec.name}>
                <td><Link href={`/slos/${encodeURIComponent(spec.name)}`}>{spec.name}</Link></td>
                <td>{spec.service}</td>
                <td class="num">{formatPercent(spec.objective)}</td>
                <td class={`num ${status.attainment < spec.objective ? 'bad' : ''}`}>{formatPercent(status.attainment)}</td>
                <td class={`num ${status.budget.remainingFraction < 0.25 ? 'bad' : ''}`}>{overspend === undefined || overspend === null ? formatPercent(status.budget.remainingFraction) : <span title={formatOverspend(overspend, status)}>{`overspent by ${formatCount(overspend.overspentEvents)}`}</span>}</td>
                <td class="num">{formatExhaustion(status.budget.timeToExhaustionMs)}</td>
                <td class="num">{(status.burnRates['1h'] ?? 0).toFixed(2)}x</td>
                <td><SloBadge status={status} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

interface SloDetail {
  status: SloStatus;
  gate: { allowed: boolean; reasons: string[] };
  alerts: Alert[];
  overspend: SloOverspend | null;
  burn: { windows: string[]; thresholds: Omit<SloCondition, 'longBurnRate' | 'shortBurnRate' | 'firing'>[]; points: BurnPoint[] };
}

async function loadSlo(name: string, signal: AbortSignal): Promise<SloDetail> {
  const path = `/api/v1/slos/${encodeURIComponent(name)}`;
  const [one, burn] = await Promise.all([
    get<Omit<SloDetail, 'burn'>>(path, {}, signal),
    get<SloDetail['burn']>(`${path}/burn`, { since: '6h', step: '5m' }, signal),
  ]);
  return { ...one, burn };
}

/** One SLO: attainment, budget with time to exhaustion, burn-rate chart with thresholds, alert history. */
function SloView(props: { name: string }): JSX.Element {
  const { data, error } = useLoad(`slo:${props.name}`, (signal) => loadSlo(props.name, signal), 15_000);
  return (
    <>
      <p><Link href="/slos">« All SLOs</Link></p>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <div data-ready="slo">
          <div class="title-row">
            <h1>{data.status.name}</h1>
            <SloBadge status={data.status} />
          </div>
          <div class="figures">
            <div><span class="label">objective</span><b>{formatPercent(data.status.objective)}</b></div>
            <div><span class="label">attainment</span><b class="attainment">{formatPercent(data.status.attainment)}</b></div>
            {data.overspend === null ? (
              <div class="budget-figure"><span class="label">error budget left</span><b class="budget">{formatPercent(data.status.budget.remainingFraction)}</b><span class="muted"> {formatCount(Math.max(data.status.budget.remainingEvents, 0))} bad events</span></div>
            ) : (
              <div class="budget-figure overspent"><span class="label">error budget</span><b class="budget bad">overspent</b><span class="overspend">{formatOverspend(data.overspend, data.status).slice('overspent'.length)}</span></div>
            )}
            <div><span class="label">exhausted in</span><b class="exhaustion">{formatExhaustion(data.status.budget.timeToExhaustionMs)}</b><span class="muted"> at the 1h burn rate</span></div>
            <div><span class="label">deploys</span><b>{data.gate.allowed ? 'open' : 'frozen'}</b>{!data.gate.allowed && <span class="muted"> {data.gate.reasons.join('; ')}</span>}</div>
          </div>
          <p class="muted slo-window">{`${formatCount(data.status.events.total)} events, ${formatCount(data.status.events.bad)} bad, `}<span class="window">{formatSloWindow(data.status)}</span></p>
          <section>
            <h2>Burn rate, last 6 hours</h2>
            <BurnChart windows={data.burn.windows} points={data.burn.points} thresholds={data.burn.thresholds} />
          </section>
          <section>
            <h2>Alert conditions</h2>
            <table class="conditions">
              <thead><tr><th>class</th><th>windows</th><th class="num">threshold</th><th class="num">long</th><th class="num">short</th><th>state</th></tr></thead>
              <tbody>
                {data.status.conditions.map((c) => (
                  <tr key={`${c.longWindow}/${c.shortWindow}`}>
                    <td>{c.severity}</td><td>{`${c.longWindow} / ${c.shortWindow}`}</td><td class="num">{`${c.burnRate}x`}</td>
                    <td class={`num ${c.longBurnRate > c.burnRate ? 'bad' : ''}`}>{c.longBurnRate.toFixed(2)}x</td>
                    <td class={`num ${c.shortBurnRate > c.burnRate ? 'bad' : ''}`}>{c.shortBurnRate.toFixed(2)}x</td>
                    <td>{c.firing ? <span class="badge critical">firing</span> : '-'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>Alert history</h2>
            {data.alerts.length === 0 ? (
              <p class="muted">This SLO has not alerted.</p>
            ) : (
              <ul class="list alert-history">
                {data.alerts.map((a) => (
                  <li key={a.id}>
                    <span class={`badge ${a.status === 'firing' ? a.severity : 'resolved'}`}>{a.status}</span> {a.title}{' '}
                    <span class="muted">{formatTime(a.startsAt)}{a.endsAt === undefined ? '' : ` – ${formatTime(a.endsAt)}`}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}
