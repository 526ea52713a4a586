import type { JSX } from 'preact';
import type { SloCondition } from '../api.js';
import { formatDateTime } from '../format.js';
import { seriesRuns, type BurnPoint } from './chart-runs.js';

const WIDTH = 760;
const HEIGHT = 240;
const PAD = { left: 44, right: 12, top: 30, bottom: 22 };
const COLORS = ['#1d5fd1', '#7a4cc2', '#0f8a6a', '#c2571d', '#8a6d0f', '#555', '#b0306a', '#2a7f9e'];

/**
 * Burn rate per window over time, with each alert threshold drawn as a dashed line labelled
 * with its window pair, on a square-root scale clipped to the larger of the data and the
 * thresholds. Stretches without events are gaps; a legend names every window's series.
 */
export function BurnChart(props: { windows: string[]; points: BurnPoint[]; thresholds: Omit<SloCondition, 'longBurnRate' | 'shortBurnRate' | 'firing'>[] }): JSX.Element {
  const { windows, points, thresholds } = props;
  if (points.length < 2) return <p class="muted">Not enough history yet.</p>;
  const from = points[0]!.t;
  const to = points[points.length - 1]!.t;
  const values = points.flatMap((p) => windows.map((w) => p.burn[w] ?? 0));
  const max = Math.max(1, ...thresholds.map((t) => t.burnRate), ...values) * 1.1;
  const x = (t: number) => PAD.left + ((t - from) / Math.max(to - from, 1)) * (WIDTH - PAD.left - PAD.right);
  // sqrt scale: thresholds from 1x to 14.4x and bursts of 100x+ stay readable together.
  const y = (v: number) => HEIGHT - PAD.bottom - (Math.sqrt(Math.max(v, 0)) / Math.sqrt(max)) * (HEIGHT - PAD.top - PAD.bottom);
  const ticks = [0, 1, ...thresholds.map((t) => t.burnRate)].filter((v, i, all) => all.indexOf(v) === i && v <= max);
  const hasData = values.length > 0 && points.some((p) => windows.some((w) => p.burn[w] !== null && p.burn[w] !== undefined));
  return (
    <svg class="burn-chart" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="burn rate by window with alert thresholds">
      {ticks.map((v) => (
        <text key={`tick-${v}`} x={PAD.left - 6} y={y(v) + 4} text-anchor="end" class="axis">{`${v}x`}</text>
      ))}
      {thresholds.map((t) => (
        <g key={`${t.longWindow}/${t.shortWindow}`} class={`threshold ${t.severity}`}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t.burnRate)} y2={y(t.burnRate)} stroke-dasharray="6 4" />
          <text x={WIDTH - PAD.right - 4} y={y(t.burnRate) - 3} text-anchor="end">{`${t.severity} ${t.longWindow}/${t.shortWindow} ${t.burnRate}x`}</text>
        </g>
      ))}
      {windows.map((w, i) => {
        const runs = seriesRuns(points, w);
        const color = COLORS[i % COLORS.length];
        return (
          <g key={w} class="series-group" data-window={w}>
            <path class="series" data-window={w} d={runs.map((run) => run.map((p, n) => `${n === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')).join(' ')} fill="none" stroke={color} stroke-width="1.6">
              <title>{`burn rate over ${w}`}</title>
            </path>
            {/* A value with no neighbour would be an invisible line: a dot shows it. */}
            {runs.filter((run) => run.length === 1).map((run) => (
              <circle key={run[0]!.t} class="lone-point" data-window={w} cx={x(run[0]!.t)} cy={y(run[0]!.v)} r="2" fill={color} />
            ))}
          </g>
        );
      })}
      {!hasData && <text x={WIDTH / 2} y={HEIGHT / 2} text-anchor="middle" class="axis">no events in these 6 hours</text>}
      <text x={PAD.left} y={HEIGHT - 6} class="axis">{formatDateTime(from)}</text>
      <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end" class="axis">{formatDateTime(to)}</text>
      <g class="legend">
        {windows.map((w, i) => (
          <g key={w} class="legend-item" data-window={w} transform={`translate(${PAD.left + 8 + i * 62}, ${PAD.top - 14})`}>
            <line x1={0} x2={16} y1={-4} y2={-4} stroke={COLORS[i % COLORS.length]} stroke-width="2.5" />
            <text x={20} y={0} fill={COLORS[i % COLORS.length]}>{w}</text>
          </g>
        ))}
      </g>
    </svg>
  );
}
