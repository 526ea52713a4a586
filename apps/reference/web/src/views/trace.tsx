import { Fragment, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import { get, type Attributes, type Span } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatDuration, formatTime } from '../format.js';
import { href, Link } from '../router.js';
import { useLoad } from '../use-load.js';
import { layoutWaterfall } from './waterfall.js';

const KIND = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** One trace as a waterfall: spans nested by parent, placed by start offset and duration. */
export function TraceView(props: { traceId: string }): JSX.Element {
  const { traceId } = props;
  const { data, error } = useLoad(`trace:${traceId}`, (signal) => get<{ traceId: string; spans: Span[] }>(`/api/v1/traces/${encodeURIComponent(traceId)}`, {}, signal));
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => setOpen((s) => {
    const next = new Set(s);
    if (!next.delete(id)) next.add(id);
    return next;
  });
  const layout = data === undefined ? undefined : layoutWaterfall(data.spans);
  const errors = data?.spans.filter((s) => s.status_code === 2).length ?? 0;
  return (
    <>
      <div class="title-row">
        <h1>Trace</h1>
        <code class="mono">{traceId}</code>
        <Link href={href('/logs', { traceId, since: 'all' })} class="button">Logs of this trace »</Link>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {layout === undefined || data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : (
        <section data-ready="trace">
          <p class="muted summary">
            {data.spans.length} spans · {errors} with errors · started {formatTime(layout.startMs)} · {formatDuration(layout.totalMs)}
          </p>
          {/* A list of disclosure buttons, not an ARIA table: a row of a table may hold only cells. */}
          <div class="waterfall">
            <div class="wf-head" aria-hidden="true">
              <span>span</span>
              <span class="wf-scale">
                <span>0</span>
                <span>{formatDuration(layout.totalMs / 2)}</span>
                <span>{formatDuration(layout.totalMs)}</span>
              </span>
            </div>
            <ul class="wf-list" aria-label="spans">
              {layout.rows.map(({ span, depth, offsetMs }) => {
                const failed = span.status_code === 2;
                const left = Math.min((offsetMs / layout.totalMs) * 100, 99.7);
                const width = Math.min(Math.max((span.duration_ms / layout.totalMs) * 100, 0.3), 100 - left);
                const isOpen = open.has(span.span_id);
                return (
                  <li key={span.span_id} class={`wf-span ${failed ? 'failed' : ''}`} data-span-id={span.span_id}>
                    <button type="button" class="wf-row" onClick={() => toggle(span.span_id)} aria-expanded={isOpen} title={`${span.service} · ${span.name}`}>
                      <span class="wf-name" style={{ paddingLeft: `${depth * 14}px` }}>
                        {failed && <span class="err-mark" role="img" aria-label="error">●</span>}
                        <b>{span.service}</b> {span.name}
                      </span>
                      <span class="wf-track">
                        <span class="wf-bar" style={{ left: `${left}%`, width: `${width}%` }} />
                        <span class={`wf-label ${labelPlace(left, width)}`} style={labelStyle(left, width)}>{formatDuration(span.duration_ms)}</span>
                      </span>
                    </button>
                    {isOpen && <SpanDetails span={span} offsetMs={offsetMs} />}
                  </li>
                );
              })}
            </ul>
          </div>
        </section>
      )}
    </>
  );
}

/** Where a bar's duration label goes: after the bar, before it, or inside it when the bar fills the track. */
function labelPlace(left: number, width: number): 'after' | 'before' | 'inside' {
  if (left + width <= 85) return 'after';
  return left >= 15 ? 'before' : 'inside';
}

function labelStyle(left: number, width: number): Record<string, string> {
  switch (labelPlace(left, width)) {
    case 'after':
      return { left: `${left + width}%` };
    case 'before':
      return { right: `${100 - left}%` };
    case 'inside':
      return { left: `${left}%` };
  }
}

function SpanDetails(props: { span: Span; offsetMs: number }): JSX.Element {
  const { span } = props;
  return (
    <div class="wf-details">
      <dl>
        <dt>span id</dt><dd class="mono">{span.span_id}</dd>
        <dt>parent</dt><dd class="mono">{span.parent_span_id ?? '(root)'}</dd>
        <dt>kind</dt><dd>{KIND[span.kind] ?? span.kind}</dd>
        <dt>start</dt><dd>+{formatDuration(props.offsetMs)} · {formatDuration(span.duration_ms)}</dd>
        <dt>status</dt><dd class={span.status_code === 2 ? 'bad' : ''}>{span.status_code === 2 ? `error${span.status_message === null || span.status_message === '' ? '' : `: ${span.status_message}`}` : span.status_code === 1 ? 'ok' : 'unset'}</dd>
        {span.scope !== null && <><dt>scope</dt><dd>{span.scope}</dd></>}
      </dl>
      <AttributeTable title="attributes" attributes={span.attributes} />
      <AttributeTable title="resource" attributes={span.resource} />
      {span.events.length > 0 && (
        <>
          <h3>events</h3>
          <ul class="list">
            {span.events.map((e, i) => (
              <li key={i}>+{formatDuration(e.time_ms - span.start_ms)} <b>{e.name}</b> <span class="muted mono">{Object.keys(e.attributes).length > 0 ? JSON.stringify(e.attributes) : ''}</span></li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function AttributeTable(props: { title: string; attributes: Attributes }): JSX.Element | null {
  const entries = Object.entries(props.attributes);
  if (entries.length === 0) return null;
  return (
    <>
      <h3>{props.title}</h3>
      <dl class="attrs">
        {entries.map(([key, value]) => (
          <Fragment key={key}>
            <dt class="mono">{key}</dt>
            <dd class="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}
