import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, del, get, post, type Alert, type Page, type Silence } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { Pager } from '../components/pager.js';
import { formatRemaining, formatTime } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { REFRESH_MS, useLoad } from '../use-load.js';
import { SilenceForm } from './silence-form.js';

interface PageLink {
  href: string;
  label: string;
}

/** An alert as `GET /api/v1/alerts` lists it: stored state, links to its cause, and live values. */
type AlertRow = Alert & {
  fingerprint: string;
  /** While firing: the condition cleared at `clearedAt`; it resolves at `resolvesAt` unless it comes back. */
  clearedAt?: number;
  resolvesAt?: number;
  /** Times the condition came back within the hold-down. */
  flaps?: number;
  links: { cause?: PageLink; traces: PageLink[]; logs: PageLink[] };
  live?: { at: number; summary: string; values: Record<string, string> };
};

const USER_KEY = 'sightline.user';

const PAGE_SIZE = 50;
const SILENCE_PAGE_SIZE = 20;
const STATUSES = [
  ['', 'all'],
  ['firing', 'firing'],
  ['resolved', 'resolved'],
] as const;

const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

/**
 * Alerts (firing and resolved, paginated, refreshed every 15 s) with their identity, live values
 * and links to the cause, example traces and their logs; `?fingerprint=` shows the occurrences of
 * one alert. Silences: create with matchers and expiry, expire.
 */
export function AlertsView(props: { route: Route }): JSX.Element {
  const q = props.route.query;
  const status = q.get('status') ?? '';
  const before = q.get('before') ?? undefined;
  const limitParam = q.get('limit') ?? undefined;
  const fingerprint = q.get('fingerprint') ?? undefined;
  const query = { status, before, fingerprint, limit: Number(limitParam ?? PAGE_SIZE) };
  const alerts = useLoad(JSON.stringify(query), (signal) => get<Page<'alerts', AlertRow>>('/api/v1/alerts', query, signal), { refreshMs: REFRESH_MS });
  const [includeExpired, setIncludeExpired] = useState(false);
  const silencesBefore = q.get('silencesBefore') ?? undefined;
  const silences = useLoad(
    `silences:${includeExpired}:${silencesBefore ?? ''}`,
    (signal) => get<Page<'silences', Silence, string>>('/api/v1/views/silences', { active: !includeExpired, before: silencesBefore, limit: SILENCE_PAGE_SIZE }, signal),
    { refreshMs: REFRESH_MS },
  );
  const [form, setForm] = useState<Record<string, string> | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  // The alert whose acknowledgement asks for a name (local mode), and that name.
  const [acking, setAcking] = useState<string | undefined>();
  const [ackName, setAckName] = useState('');
  const base = { status, limit: limitParam, silencesBefore, fingerprint };
  const now = Date.now();

  // With a token the server signs the acknowledgement with the token's principal; in local mode
  // (no login) the page asks who is on it, remembering the name in this browser.
  const acknowledge = async (alert: AlertRow, by?: string) => {
    setActionError(undefined);
    try {
      const hasToken = localStorage.getItem('sightline.token') !== null;
      if (!hasToken && by === undefined) {
        setAckName(localStorage.getItem(USER_KEY) ?? '');
        setAcking(alert.id);
        return;
      }
      const acked = await post<AlertRow>(`/api/v1/alerts/${encodeURIComponent(alert.id)}/ack`, by === undefined ? {} : { by });
      if (by !== undefined) localStorage.setItem(USER_KEY, by);
      setAcking(undefined);
      setNotice(`Acknowledged "${alert.title}" as ${acked.acknowledgedBy ?? by ?? ''}.`);
      alerts.reload();
    } catch (e) {
      // A token kept from elsewhere while this server runs in local mode: it wants a name after all.
      if (by === undefined && e instanceof ApiError && e.code === 'ACK_INVALID') {
        setAckName(localStorage.getItem(USER_KEY) ?? '');
        setAcking(alert.id);
        return;
      }
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
        <span class="muted">refreshes every {REFRESH_MS / 1_000} s</span>
        <nav class="tabs" aria-label="alert status">
          {STATUSES.map(([value, label]) => (
            <Link key={value} href={href('/alerts', { status: value, limit: limitParam })} class={status === value ? 'active' : ''} current={status === value ? 'true' : undefined}>{label}</Link>
          ))}
        </nav>
      </div>
      {fingerprint !== undefined && (
        <p class="muted">
          Occurrences of alert <code>{fingerprint}</code> · <Link href={href('/alerts', { status, limit: limitParam })}>all alerts</Link>
        </p>
      )}
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
                  <th>now</th>
                  <th>go to</th>
                  <th>labels</th>
                  <th>since</th>
                  <th>actions</th>
                </tr>
              </thead>
              <tbody>
                {alerts.data.alerts.map((a) => (
                  <tr key={a.id} class={a.status} data-fingerprint={a.fingerprint} data-alert-id={a.id}>
                    <td><span class={`badge ${a.severity}`}>{a.severity}</span></td>
                    <td>
                      {a.title}
                      <div class="muted">
                        {a.source} · <Link href={href('/alerts', { fingerprint: a.fingerprint })} class="identity" title="this alert's identity: a hash of its source and labels">#{a.fingerprint.slice(0, 8)}</Link>
                      </div>
                    </td>
                    <td>
                      <span class={`status ${a.status}`}>{a.status}</span>
                      {a.silenced && <span class="muted"> · silenced</span>}
                      {a.clearedAt !== undefined && (
                        <div class="muted clearing">cleared at {formatTime(a.clearedAt)}; resolves at {formatTime(a.resolvesAt ?? a.clearedAt)} unless it returns</div>
                      )}
                      {a.flaps !== undefined && <div class="muted flaps">flapped {a.flaps}× (kept as one alert)</div>}
                      {a.acknowledgedBy !== undefined && <div class="muted ack">acknowledged by {a.acknowledgedBy} at {formatTime(a.acknowledgedAt ?? 0)}</div>}
                    </td>
                    <td class="live">{a.live !== undefined ? a.live.summary : <span class="muted">–</span>}</td>
                    <td class="links">
                      {a.links.cause !== undefined && <div><Link href={a.links.cause.href} class="cause">{a.links.cause.label}</Link></div>}
                      {a.links.traces.map((t, i) => (
                        <div key={t.href}>
                          <Link href={t.href} class="trace-link">{t.label}</Link>
                          {a.links.logs[i] !== undefined && (
                            <> · <Link href={a.links.logs[i].href} class="logs-link" title={a.links.logs[i].label}>logs</Link></>
                          )}
                        </div>
                      ))}
                      {a.links.cause === undefined && a.links.traces.length === 0 && <span class="muted">–</span>}
                    </td>
                    <td class="labels">{labelText(a.labels).map((l) => <code key={l}>{l}</code>)}</td>
                    <td class="muted nowrap">{formatTime(a.startsAt)}{a.endsAt !== undefined && ` – ${formatTime(a.endsAt)}`}</td>
                    <td>
                      {a.status === 'firing' && a.acknowledgedBy === undefined && acking !== a.id && (
                        <button type="button" class="small ack-button" onClick={() => void acknowledge(a)}>Acknowledge</button>
                      )}
                      {acking === a.id && (
                        <form
                          class="ack-form"
                          aria-label="acknowledge"
                          onSubmit={(e) => {
                            e.preventDefault();
                            if (ackName.trim() !== '') void acknowledge(a, ackName.trim());
                          }}
                        >
                          <label>
                            your name <input name="by" value={ackName} required maxLength={200} onInput={(e) => setAckName(e.currentTarget.value)} />
                          </label>{' '}
                          <button type="submit" class="small">Acknowledge as {ackName.trim() === '' ? '…' : ackName.trim()}</button>{' '}
                          <button type="button" class="small" onClick={() => setAcking(undefined)}>Cancel</button>
                        </form>
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
