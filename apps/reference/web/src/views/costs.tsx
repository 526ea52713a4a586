import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { get, uploadCsv, type CostAnomaly, type CostBreakdown, type CostChargeback, type CostImportReport, type CostRecommendation } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { Sparkline } from '../components/sparkline.js';
import { formatMoney } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

const GROUPINGS = [
  ['ServiceName', 'service'],
  ['tag:team', 'team'],
  ['RegionId', 'region'],
  ['ProviderName', 'provider'],
] as const;
const WINDOWS = ['7d', '30d', '90d'] as const;
const DAY_MS = 86_400_000;

/**
 * Where the money goes (daily cost per group, top 8 plus other), who pays (chargeback with shared
 * and untagged cost apart), what changed (cost anomalies with root causes) and what to do
 * (recommendations) over the rows the reader may see; plus a FOCUS upload.
 */
export function CostsView(props: { route: Route }): JSX.Element {
  const by = props.route.query.get('by') ?? 'ServiceName';
  const since = props.route.query.get('since') ?? 'all';
  const window = since === 'all' ? {} : { since };
  const [uploads, setUploads] = useState(0);
  const key = `${by}:${since}:${uploads}`;
  const breakdown = useLoad(`costs:b:${key}`, (signal) => get<CostBreakdown>('/api/v1/costs/breakdown', { ...window, by, granularity: 'day', top: 8 }, signal), 60_000);
  const charge = useLoad(`costs:c:${key}`, (signal) => get<CostChargeback>('/api/v1/costs/chargeback', window, signal), 60_000);
  const anomalies = useLoad(`costs:a:${key}`, (signal) => get<{ anomalies: CostAnomaly[] }>('/api/v1/costs/anomalies', window, signal), 60_000);
  const recs = useLoad(`costs:r:${key}`, (signal) => get<{ recommendations: CostRecommendation[] }>('/api/v1/costs/recommendations', window, signal), 60_000);
  return (
    <>
      <div class="title-row">
        <h1>Costs</h1>
        {breakdown.data !== undefined && <span class="cost-total">total <b>{formatMoney(breakdown.data.total, breakdown.data.currency)}</b></span>}
        <nav class="tabs" aria-label="group by">
          {GROUPINGS.map(([dimension, label]) => (
            <Link key={dimension} class={dimension === by ? 'active' : ''} current={dimension === by ? 'true' : undefined} href={href('/costs', { by: dimension, since: since === 'all' ? undefined : since })}>
              by {label}
            </Link>
          ))}
        </nav>
        <nav class="tabs" aria-label="window">
          {[...WINDOWS, 'all'].map((w) => (
            <Link key={w} class={w === since ? 'active' : ''} current={w === since ? 'true' : undefined} href={href('/costs', { by, since: w === 'all' ? undefined : w })}>
              {w === 'all' ? 'all' : `last ${w}`}
            </Link>
          ))}
        </nav>
      </div>
      <UploadForm onImported={() => setUploads((n) => n + 1)} />
      {breakdown.error !== undefined && <ErrorBanner error={breakdown.error} />}
      {breakdown.data !== undefined && <BreakdownTable breakdown={breakdown.data} />}
      <h2>Chargeback by team</h2>
      {charge.error !== undefined && <ErrorBanner error={charge.error} />}
      {charge.data !== undefined && <ChargebackTable report={charge.data} />}
      <h2>Cost anomalies</h2>
      {anomalies.error !== undefined && <ErrorBanner error={anomalies.error} />}
      {anomalies.data !== undefined && <AnomalyList anomalies={anomalies.data.anomalies} />}
      <h2>Recommendations</h2>
      {recs.error !== undefined && <ErrorBanner error={recs.error} />}
      {recs.data !== undefined && <RecommendationTable recommendations={recs.data.recommendations} currency={charge.data?.currency ?? ''} />}
    </>
  );
}

function BreakdownTable(props: { breakdown: CostBreakdown }): JSX.Element {
  const { breakdown } = props;
  const dimension = breakdown.by[0] ?? 'ServiceName';
  if (breakdown.rows.length === 0) return <p class="muted" data-ready="costs">No cost rows you may see yet: upload a FOCUS export above, or `sightline cost import FILE`.</p>;
  const groups = new Map<string, { cost: number; points: { t: number; v: number }[] }>();
  for (const row of breakdown.rows) {
    const name = row.group[dimension] ?? '(none)';
    const entry = groups.get(name) ?? { cost: 0, points: [] };
    entry.cost += row.cost;
    entry.points.push({ t: Date.parse(`${row.period}T00:00:00Z`), v: row.cost / 1e6 });
    groups.set(name, entry);
  }
  const days = breakdown.rows.map((r) => Date.parse(`${r.period}T00:00:00Z`));
  const from = Math.min(...days);
  const to = Math.max(...days) + DAY_MS;
  const change = new Map(breakdown.changes.map((c) => [c.group[dimension] ?? '(none)', c]));
  return (
    <table class="cost-breakdown" data-ready="costs">
      <thead><tr><th>{dimension.replace(/^tag:/, '')}</th><th class="num">cost</th><th class="num">share</th><th>daily</th><th class="num">last day vs day before</th></tr></thead>
      <tbody>
        {[...groups.entries()].sort((a, b) => b[1].cost - a[1].cost).map(([name, g]) => {
          const c = change.get(name);
          return (
            <tr key={name}>
              <td>{name}</td>
              <td class="num">{formatMoney(g.cost)}</td>
              <td class="num">{breakdown.total === 0 ? '–' : `${((g.cost / breakdown.total) * 100).toFixed(1)}%`}</td>
              <td class="spark-cell"><Sparkline points={g.points} from={from} to={to} label={`${name} per day`} format={(v) => v.toFixed(2)} zeroFillMs={DAY_MS} /></td>
              <td class={`num ${c !== undefined && c.change > 0 ? 'bad' : ''}`}>{c === undefined ? '–' : `${c.change > 0 ? '+' : ''}${formatMoney(c.change)}${c.changeRatio === null ? '' : ` (${(c.changeRatio * 100).toFixed(0)}%)`}`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ChargebackTable(props: { report: CostChargeback }): JSX.Element {
  const { report } = props;
  if (report.teams.length === 0) return <p class="muted">No team to charge.</p>;
  return (
    <table class="chargeback" data-ready="chargeback">
      <thead><tr><th>team</th><th class="num">direct</th><th class="num">shared</th><th class="num">untagged</th><th class="num">total</th><th class="num">share</th></tr></thead>
      <tbody>
        {report.teams.map((t) => (
          <tr key={t.team}>
            <td>{t.team}</td>
            <td class="num">{formatMoney(t.direct)}</td>
            <td class="num">{formatMoney(t.shared)}</td>
            <td class="num">{formatMoney(t.untagged)}</td>
            <td class="num"><b>{formatMoney(t.total)}</b></td>
            <td class="num">{(t.share * 100).toFixed(1)}%</td>
          </tr>
        ))}
      </tbody>
      <tfoot><tr><td>all teams</td><td colSpan={3} class="muted">shared {formatMoney(report.sharedTotal)} · untagged {formatMoney(report.untaggedTotal)}</td><td class="num"><b>{formatMoney(report.total, report.currency)}</b></td><td /></tr></tfoot>
    </table>
  );
}

function AnomalyList(props: { anomalies: CostAnomaly[] }): JSX.Element {
  if (props.anomalies.length === 0) return <p class="muted" data-ready="cost-anomalies">No day cost more than its weekly baseline by both thresholds.</p>;
  return (
    <ul class="list cost-anomalies" data-ready="cost-anomalies">
      {props.anomalies.slice(0, 10).map((a) => (
        <li key={`${a.value}:${a.day}`}>
          <b>{a.value}</b> on {a.day}: {formatMoney(a.actual, a.currency)}, <span class="bad">+{formatMoney(a.impact)}</span> over the usual {formatMoney(a.expected)} ({(a.relativeImpact * 100).toFixed(0)}%)
          <div class="muted">root causes: {a.rootCauses.slice(0, 3).map((c) => `${c.dimension.replace(/^tag:/, '')}=${c.value} (${Math.round(c.share * 100)}%)`).join(', ')}</div>
        </li>
      ))}
    </ul>
  );
}

function RecommendationTable(props: { recommendations: CostRecommendation[]; currency: string }): JSX.Element {
  if (props.recommendations.length === 0) return <p class="muted" data-ready="recommendations">Nothing to recommend from these rows.</p>;
  return (
    <table class="recommendations" data-ready="recommendations">
      <thead><tr><th>kind</th><th>target</th><th class="num">monthly savings</th><th>effort</th><th class="num">payback</th><th>why</th></tr></thead>
      <tbody>
        {props.recommendations.slice(0, 15).map((r) => (
          <tr key={`${r.kind}:${r.target}`}>
            <td class="nowrap">{r.kind}</td>
            <td class="mono">{r.target}</td>
            <td class="num">{formatMoney(r.monthlySavings, props.currency)}</td>
            <td>{r.effort}</td>
            <td class="num">{r.paybackMonths < 0.1 ? '< 0.1' : r.paybackMonths.toFixed(1)} mo</td>
            <td class="muted">{r.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function UploadForm(props: { onImported: () => void }): JSX.Element {
  const [state, setState] = useState<{ busy: boolean; report?: CostImportReport; error?: unknown }>({ busy: false });
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('bill') as HTMLInputElement;
    const file = input.files?.[0];
    if (file === undefined) return;
    setState({ busy: true });
    try {
      const report = await uploadCsv(file, file.name);
      setState({ busy: false, report });
      props.onImported();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const { report } = state;
  return (
    <form class="filters upload" aria-label="upload a FOCUS export" onSubmit={(e) => void onSubmit(e)}>
      <label>
        FOCUS export (CSV)
        <input type="file" name="bill" accept=".csv,text/csv" />
      </label>
      <button type="submit" disabled={state.busy}>{state.busy ? 'Uploading…' : 'Upload'}</button>
      {state.error !== undefined && <ErrorBanner error={state.error} />}
      {report !== undefined && (
        <div class={report.rejected === 0 ? 'notice' : 'error-banner'} data-ready="upload">
          read {report.rows_read}, accepted {report.accepted}, rejected {report.rejected}
          {report.rejected > 0 && (
            <ul>
              {report.rejects.slice(0, 5).map((r) => <li key={r.rowNumber}>row {r.rowNumber}: {r.issues.map((i) => `${i.column}: ${i.message}`).join('; ')}</li>)}
            </ul>
          )}
          {report.rejected > 0 && <a href={`/api/v1/costs/imports/${report.id}/rejects`}>the rejects file</a>}
        </div>
      )}
    </form>
  );
}
