import type { JSX } from 'preact';
import type { SloCondition } from '../api.js';

const WIDTH = 760;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 10, bottom: 22 };
const COLORS = ['#1d5fd1', '#7a4cc2', '#0f8a6a', '#c2571d', '#8a6d0f', '#555'];

/**
 * Burn rate per window over time, with each alert threshold drawn as a dashed line labelled
 * with its window pair, on a log-ish scale clipped to the larger of the data and the thresholds.
 */
export function BurnChart(props: { windows: string[]; points: { t: number; burn: Record<string, number> }[]; thresholds: Omit<SloCondition, 'longBurnRate' | 'shortBurnRate' | 'firing'>[] }): JSX.Element {
  const { windows, points, thresholds } = props;
  if (points.length < 2) return <p class="muted">Not enough history yet.</p>;
  const from = points[0]!.t;
  const to = points[points.length - 1]!.t;
  const max = Math.max(1, ...thresholds.map((t) => t.burnRate), ...points.flatMap((p) => windows.map((w) => p.burn[w] ?? 0))) * 1.1;
  const x = (t: number) => PAD.left + ((t - from) / Math.max(to - from, 1)) * (WIDTH - PAD.left - PAD.right);
  // sqrt scale: thresholds from 1x to 14.4x and bursts of 100x+ stay readable together.
  const y = (v: number) => HEIGHT - PAD.bottom - (Math.sqrt(Math.max(v, 0)) / Math.sqrt(max)) * (HEIGHT - PAD.top - PAD.bottom);
  const ticks = [0, 1, ...thresholds.map((t) => t.burnRate)].filter((v, i, all) => all.indexOf(v) === i && v <= max);
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
      {windows.map((w, i) => (
        <polyline key={w} class="series" data-window={w} points={points.map((p) => `${x(p.t).toFixed(1)},${y(p.burn[w] ?? 0).toFixed(1)}`).join(' ')} fill="none" stroke={COLORS[i % COLORS.length]} stroke-width="1.6">
          <title>{`burn rate over ${w}`}</title>
        </polyline>
      ))}
      <text x={PAD.left} y={HEIGHT - 6} class="axis">{new Date(from).toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit' })}</text>
      <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end" class="axis">{new Date(to).toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit' })}</text>
      <g class="legend">
        {windows.map((w, i) => (
          <text key={w} x={PAD.left + 8 + i * 56} y={PAD.top + 10} fill={COLORS[i % COLORS.length]}>{w}</text>
        ))}
      </g>
    </svg>
  );
}
