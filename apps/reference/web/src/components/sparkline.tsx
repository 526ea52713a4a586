import type { JSX } from 'preact';
import type { SparkPoint } from '../api.js';

/**
 * A per-minute series as an inline SVG polyline over [from, to] (epoch ms). With `zeroFillMs`,
 * steps missing between the first and last point count as 0 (a count: no requests that minute);
 * without it the line joins the points it has (a latency: no value that minute). Hover shows the
 * latest and highest value.
 */
export function Sparkline(props: { points: readonly SparkPoint[]; from: number; to: number; label: string; format: (v: number) => string; zeroFillMs?: number; width?: number; height?: number }): JSX.Element {
  const width = props.width ?? 120;
  const height = props.height ?? 28;
  const { from, to } = props;
  const points = props.zeroFillMs === undefined ? props.points : zeroFill(props.points, props.zeroFillMs);
  if (points.length === 0) return <span class="muted spark-empty" title={`${props.label}: no closed minute yet`}>–</span>;
  const max = Math.max(...points.map((p) => p.v), 1e-9);
  const span = Math.max(to - from, 1);
  const x = (t: number) => ((t - from) / span) * (width - 2) + 1;
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  const path = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = points[points.length - 1]!;
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}>
      <title>{`${props.label}: latest ${props.format(last.v)}, max ${props.format(max)}`}</title>
      <polyline points={path} fill="none" stroke="currentColor" stroke-width="1.5" />
      <circle cx={x(last.t)} cy={y(last.v)} r="2" fill="currentColor" />
    </svg>
  );
}

function zeroFill(points: readonly SparkPoint[], stepMs: number): SparkPoint[] {
  const out: SparkPoint[] = [];
  for (const p of points) {
    const previous = out[out.length - 1];
    if (previous !== undefined) for (let t = previous.t + stepMs; t < p.t; t += stepMs) out.push({ t, v: 0 });
    out.push(p);
  }
  return out;
}
