import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { del, get, post, type Alert, type Page, type Silence } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { Pager } from '../components/pager.js';
import { formatRemaining, formatTime } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';
import { SilenceForm } from './silence-form.js';

const PAGE_SIZE = 50;
const SILENCE_PAGE_SIZE = 20;
const STATUSES = [
  ['', 'all'],
  ['firing', 'firing'],
  ['resolved', 'resolved'],
] as const;

const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

/** Alerts (firing and resolved, paginated) and silences: create with matchers and expiry, expire. */
export function AlertsView(props: { route: Route }): JSX.Element {
  const q = props.route.query;
  const status = q.get('status') ?? '';
  const before = q.get('before') ?? undefined;
  const limitParam = q.get('limit') ?? undefined;
  const query = { status, before, limit: Number(limitParam ?? PAGE_SIZE) };
  const alerts = useLoad(JSON.stringify(query), (signal) => get<Page<'alerts', Alert>>('/api/v1/alerts', query, signal));
  const [includeExpired, setIncludeExpired] = useState(false);
  const silencesBefore = q.get('silencesBefore') ?? undefined;
  const silences = useLoad(`silences:${includeExpired}:${silencesBefore ?? ''}`, (signal) =>
    get<Page<'silences', Silence, string>>('/api/v1/views/silences', { active: !includeExpired, before: silencesBefore, limit: SILENCE_PAGE_SIZE }, signal),
  );
  const [form, setForm] = useState<Record<string, string> | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const base = { status, limit: limitParam, silencesBefore };
  const now = Date.now();

  // Local mode has no login: an acknowledgement is signed with the name this browser remembers.
  const acknowledge = async (alert: Alert) => {
    setActionError(undefined);
    try {
      const by = localStorage.getItem('sightline.user') ?? 'local user';
      await post(`/api/v1/alerts/${encodeURIComponent(alert.id)}/ack`, { by });
      setNotice(`Acknowledged "${alert.title}" as ${by}.`);
      alerts.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const expire = async (silence: Silence) => {
    setActionError(undefined);
    try {
      await del(`/api/v1/silences/${encodeURIComponent(silence.id)}`);
      setNotice(`Silence ${silence.id.slice(0, 8)} expired.`);
      silences.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <>
      <div class="title-row">
        <h1>Alerts</h1>
        <nav class="tabs" aria-label="alert status">
          {STATUSES.map(([value, label]) => (
            <Link key={value} href={href('/alerts', { status: value, limit: limitParam })} class={status === value ? 'active' : ''}>{label}</Link>
          ))}
        </nav>
      </div>
      {alerts.error !== undefined && <ErrorBanner error={alerts.error} />}
      {alerts.data === undefined ? (
        alerts.error === undefined && <p class="muted">Loading…</p>
      ) : (
        <section data-ready="alerts">
          <h2>Alerts</h2>
          {alerts.data.alerts.length === 0 ? (
            <p class="muted">No alerts{status === '' ? '' : ` ${status}`}.</p>
          ) : (
            <table class="alerts">
              <thead>
                <tr>
                  <th>severity</th>
                  <th>alert</th>
                  <th>status</th>
                  <th>labels</th>
                  <th>since</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {alerts.data.alerts.map((a) => (
                  <tr key={a.id} class={a.status}>
                    <td><span class={`badge ${a.severity}`}>{a.severity}</span></td>
                    <td>{a.title}<div class="muted">{a.source}</div></td>
                    <td>
                      <span class={`status ${a.status}`}>{a.status}</span>
                      {a.silenced && <span class="muted"> · silenced</span>}
                      {a.acknowledgedBy !== undefined && <div class="muted ack">acknowledged by {a.acknowledgedBy} at {formatTime(a.acknowledgedAt ?? 0)}</div>}
                    </td>
                    <td class="labels">{labelText(a.labels).map((l) => <code key={l}>{l}</code>)}</td>
                    <td class="muted nowrap">{formatTime(a.startsAt)}{a.endsAt !== undefined && ` – ${formatTime(a.endsAt)}`}</td>
                    <td>
                      {a.status === 'firing' && a.acknowledgedBy === undefined && (
                        <button type="button" class="small ack-button" onClick={() => void acknowledge(a)}>Acknowledge</button>
                      )}{' '}
                      {a.status === 'firing' && (
                        <button type="button" class="small" onClick={() => setForm({ ...a.labels })}>Silence…</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            firstHref={before === undefined ? undefined : href('/alerts', base)}
            nextHref={alerts.data.nextBefore === null ? undefined : href('/alerts', { ...base, before: alerts.data.nextBefore })}
            shown={alerts.data.alerts.length}
          />
        </section>
      )}
      <section class="silences">
        <div class="title-row">
          <h2>Silences</h2>
          <label class="check muted">
            <input type="checkbox" checked={includeExpired} onChange={(e) => setIncludeExpired(e.currentTarget.checked)} /> include expired
          </label>
          {form === undefined && (
            <button type="button" onClick={() => { setNotice(undefined); setForm({}); }}>New silence</button>
          )}
        </div>
        {form !== undefined && (
          <SilenceForm
            initialMatchers={form}
            onCancel={() => setForm(undefined)}
            onCreated={(silence) => {
              setForm(undefined);
              setNotice(`Silence ${silence.id.slice(0, 8)} created, until ${formatTime(silence.endsAt)}.`);
              silences.reload();
            }}
          />
        )}
        {notice !== undefined && <p class="notice" role="status">{notice}</p>}
        {actionError !== undefined && <ErrorBanner error={actionError} />}
        {silences.error !== undefined && <ErrorBanner error={silences.error} />}
        {silences.data !== undefined && (
          silences.data.silences.length === 0 ? (
            <p class="muted">No {includeExpired ? '' : 'active '}silences.</p>
          ) : (
            <table class="silence-list" data-ready="silences">
              <thead>
                <tr>
                  <th>matchers</th>
                  <th>comment</th>
                  <th>by</th>
                  <th>ends</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {silences.data.silences.map((s) => (
                  <tr key={s.id} data-silence-id={s.id}>
                    <td class="labels">{labelText(s.matchers).map((l) => <code key={l}>{l}</code>)}</td>
                    <td>{s.comment}</td>
                    <td>{s.createdBy}</td>
                    <td class="nowrap">{formatTime(s.endsAt)} <span class="muted">({formatRemaining(s.endsAt, now)})</span></td>
                    <td>{s.endsAt > now && <button type="button" class="small" onClick={() => void expire(s)}>Expire</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        )}
        {silences.data !== undefined && (silencesBefore !== undefined || silences.data.nextBefore !== null) && (
          <Pager
            firstHref={silencesBefore === undefined ? undefined : href('/alerts', { ...base, before, silencesBefore: undefined })}
            nextHref={silences.data.nextBefore === null ? undefined : href('/alerts', { ...base, before, silencesBefore: silences.data.nextBefore })}
            shown={silences.data.silences.length}
          />
        )}
      </section>
    </>
  );
}
