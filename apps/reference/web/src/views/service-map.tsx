import type { JSX } from 'preact';
import { get, type ServiceMap } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatDuration, formatPercent, formatRate } from '../format.js';
import { href, Link, type Route } from '../router.js';
import { layoutServiceMap, MAP } from '../components/service-map-layout.js';
import { useLoad } from '../use-load.js';

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

/** The two lines of an arrow's label: rate and errors, then p95. */
function edgeLabel(e: ServiceMap['edges'][number]): string[] {
  return [`${formatRate(e.rate)} · ${formatPercent(e.errorRatio)} err`, `p95 ${formatDuration(e.p95_ms)}`];
}

function ServiceMapSvg(props: { map: ServiceMap }): JSX.Element {
  const { map } = props;
  const layout = layoutServiceMap(map, (i) => edgeLabel(map.edges[i]!));
  const errors = new Map(map.nodes.map((n) => [n.service, n.errorRatio]));
  const services = [...layout.nodes.keys()].sort();
  return (
    <svg class="service-map" width="100%" viewBox={`0 0 ${layout.width} ${layout.height}`} style={{ aspectRatio: `${layout.width} / ${layout.height}` }} role="img" aria-label="service dependency map">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280" /></marker>
      </defs>
      {layout.edges.map((edge, i) => {
        const e = map.edges[i]!;
        const { label } = edge;
        return (
          <g key={`${e.from}>${e.to}`} class={`edge ${e.errorRatio > 0.05 ? 'bad' : ''}`} data-edge={`${e.from}>${e.to}`}>
            <path class="route" d={edge.points.map((p, n) => `${n === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} marker-end="url(#arrow)" />
            <g class="edge-label">
              <rect x={label.x} y={label.y} width={label.w} height={label.h} rx="3" />
              <text x={label.x + label.w / 2} y={label.y + MAP.labelPad} text-anchor="middle">
                {label.lines.map((line, n) => (
                  <tspan key={n} x={label.x + label.w / 2} dy={n === 0 ? MAP.labelLinePx - 3 : MAP.labelLinePx}>{line}</tspan>
                ))}
              </text>
              <title>{`${e.from} → ${e.to}: ${e.calls} calls, ${label.lines.join(', ')}`}</title>
            </g>
          </g>
        );
      })}
      {services.map((service) => {
        const box = layout.nodes.get(service)!;
        const name = service.length > 22 ? `${service.slice(0, 21)}…` : service;
        return (
          <g key={service} class={`node ${(errors.get(service) ?? 0) > 0.05 ? 'bad' : ''}`} data-service={service} data-layer={layout.layers.get(service) ?? ''}>
            <rect x={box.x} y={box.y} width={box.w} height={box.h} rx="6" />
            <text x={box.x + box.w / 2} y={box.y + 18} text-anchor="middle" class="name">{name}</text>
            <text x={box.x + box.w / 2} y={box.y + 34} text-anchor="middle" class="muted-text">{`errors ${formatPercent(errors.get(service) ?? 0)}`}</text>
            {name !== service && <title>{service}</title>}
          </g>
        );
      })}
    </svg>
  );
}
