import type { JSX } from 'preact';
import { get, type ServiceMap } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatDuration, formatPercent, formatRate } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { useLoad } from '../use-load.js';

const COLUMN = 220;
const ROW = 90;
const NODE = { w: 150, h: 44 };

/**
 * Places services in columns by call depth (callers left of callees; a service nobody calls is a
 * root), rows in name order: readable for the tens of services this page is for, no layout library.
 */
function layout(map: ServiceMap): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>(map.nodes.map((n) => [n.service, 0]));
  for (const e of map.edges) if (!depth.has(e.from)) depth.set(e.from, 0);
  for (const e of map.edges) if (!depth.has(e.to)) depth.set(e.to, 0);
  // Longest-path depths, bounded by the node count so a call cycle cannot loop forever.
  for (let pass = 0; pass < depth.size; pass++) {
    let changed = false;
    for (const e of map.edges) {
      const next = (depth.get(e.from) ?? 0) + 1;
      if (e.from !== e.to && next > (depth.get(e.to) ?? 0) && next < depth.size) {
        depth.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const service of [...depth.keys()].sort()) {
    const column = depth.get(service)!;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    at.set(service, { x: 20 + column * COLUMN, y: 20 + row * ROW });
  }
  return at;
}

/** Who calls whom over the window: services as boxes, calls as arrows with rate, errors and p95. */
export function ServiceMapView(props: { route: Route }): JSX.Element {
  const since = props.route.query.get('since') ?? '1h';
  const { data, error } = useLoad(`map:${since}`, (signal) => get<ServiceMap>('/api/v1/service-map', { since }, signal), 15_000);
  return (
    <>
      <div class="title-row">
        <h1>Service map</h1>
        <span class="muted">calls seen in spans since {since} · refreshes every 15 s</span>
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      {data === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : data.nodes.length === 0 ? (
        <p class="muted" data-ready="map">No spans since {since}.</p>
      ) : (
        <div data-ready="map">
          <ServiceMapSvg map={data} />
          <table class="edges">
            <thead><tr><th>caller</th><th>callee</th><th class="num">calls</th><th class="num">rate</th><th class="num">errors</th><th class="num">p95</th></tr></thead>
            <tbody>
              {data.edges.map((e) => (
                <tr key={`${e.from}>${e.to}`}>
                  <td>{e.from}</td><td><Link href={href('/traces', { service: e.to })}>{e.to}</Link></td><td class="num">{e.calls}</td><td class="num">{formatRate(e.rate)}</td>
                  <td class={`num ${e.errorRatio > 0.05 ? 'bad' : ''}`}>{formatPercent(e.errorRatio)}</td><td class="num">{formatDuration(e.p95_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ServiceMapSvg(props: { map: ServiceMap }): JSX.Element {
  const at = layout(props.map);
  const width = Math.max(...[...at.values()].map((p) => p.x)) + NODE.w + 40;
  const height = Math.max(...[...at.values()].map((p) => p.y)) + NODE.h + 40;
  const errors = new Map(props.map.nodes.map((n) => [n.service, n.errorRatio]));
  return (
    <svg class="service-map" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label="service dependency map">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280" /></marker>
      </defs>
      {props.map.edges.map((e) => {
        const a = at.get(e.from)!;
        const b = at.get(e.to)!;
        const x1 = a.x + NODE.w;
        const y1 = a.y + NODE.h / 2;
        const x2 = b.x;
        const y2 = b.y + NODE.h / 2;
        return (
          <g key={`${e.from}>${e.to}`} class={`edge ${e.errorRatio > 0.05 ? 'bad' : ''}`} data-edge={`${e.from}>${e.to}`}>
            <line x1={x1} y1={y1} x2={x2} y2={y2} marker-end="url(#arrow)" />
            <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 6} text-anchor="middle">{`${formatRate(e.rate)} · ${formatPercent(e.errorRatio)} · p95 ${formatDuration(e.p95_ms)}`}</text>
          </g>
        );
      })}
      {[...at.entries()].map(([service, p]) => (
        <g key={service} class={`node ${(errors.get(service) ?? 0) > 0.05 ? 'bad' : ''}`} data-service={service}>
          <rect x={p.x} y={p.y} width={NODE.w} height={NODE.h} rx="6" />
          <text x={p.x + NODE.w / 2} y={p.y + 18} text-anchor="middle" class="name">{service}</text>
          <text x={p.x + NODE.w / 2} y={p.y + 34} text-anchor="middle" class="muted-text">{`errors ${formatPercent(errors.get(service) ?? 0)}`}</text>
        </g>
      ))}
    </svg>
  );
}
