import type { JSX } from 'preact';

/** One bar: what it covers (for its tooltip and the axis), how many it counts and how many failed. */
export interface HistogramBar {
  /** The bar's range in words, e.g. `10 ms – 17.8 ms` or `14:03:00 – 14:03:30`. */
  range: string;
  /** Label of the bar's start on the axis (first bar and a few others). */
  start: string;
  /** Label of the bar's end (used for the last bar on the axis). */
  end: string;
  count: number;
  /** The part of `count` that failed (errors); drawn in the error colour on top. */
  errors: number;
}

const WIDTH = 1_000;
const HEIGHT = 110;
/** Room for the count scale left of the bars, and the axis labels under them. */
const LEFT = 36;
const AXIS = 16;
const TOP = 8;
const AXIS_LABELS = 5;

/**
 * A bar chart of counts as inline SVG, errors stacked on top in their own colour (and named in
 * each bar's tooltip, so colour is not the only cue). The SVG scales to its container's width.
 * Accessible: `role="img"` with a label summarising the whole chart, and a title per bar.
 */
export function Histogram(props: { bars: readonly HistogramBar[]; label: string; unit: string; name: string }): JSX.Element {
  const { bars, unit } = props;
  const total = bars.reduce((sum, b) => sum + b.count, 0);
  const errors = bars.reduce((sum, b) => sum + b.errors, 0);
  if (bars.length === 0 || total === 0) {
    return <p class="muted histogram-empty" data-histogram={props.name}>{`${props.label}: nothing to count.`}</p>;
  }
  const max = Math.max(...bars.map((b) => b.count));
  const slot = (WIDTH - LEFT) / bars.length;
  const gap = slot > 6 ? 1 : 0;
  const y = (count: number) => ((HEIGHT - AXIS - TOP) * count) / max;
  const busiest = bars.reduce((best, b) => (b.count > best.count ? b : best), bars[0]!);
  const summary = `${props.label}: ${total} ${unit}${errors > 0 ? ` (${errors} with errors)` : ''} from ${bars[0]!.start} to ${bars[bars.length - 1]!.end}; most in ${busiest.range} (${busiest.count}).`;
  const every = Math.max(1, Math.ceil(bars.length / AXIS_LABELS));
  return (
    <figure class="histogram" data-histogram={props.name} data-total={total}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <title>{summary}</title>
        <text class="hist-max" x={LEFT - 4} y={TOP + 8} text-anchor="end">{`${max}`}</text>
        <text class="hist-max" x={LEFT - 4} y={HEIGHT - AXIS} text-anchor="end">0</text>
        {bars.map((b, i) => {
          const x = LEFT + i * slot + gap;
          const w = Math.max(slot - 2 * gap, 0.5);
          const okHeight = y(b.count - b.errors);
          const errHeight = y(b.errors);
          const base = HEIGHT - AXIS;
          return (
            <g key={i} class="hist-bar" data-count={b.count} data-errors={b.errors}>
              <title>{`${b.range}: ${b.count} ${unit}${b.errors > 0 ? `, ${b.errors} with errors` : ''}`}</title>
              {/* A full-height transparent target, so thin bars still show their tooltip. */}
              <rect class="hist-hit" x={x} y={TOP} width={w} height={base - TOP} />
              {okHeight > 0 && <rect class="hist-ok" x={x} y={base - okHeight} width={w} height={okHeight} />}
              {errHeight > 0 && <rect class="hist-err" x={x} y={base - okHeight - errHeight} width={w} height={errHeight} />}
            </g>
          );
        })}
        <line class="hist-axis" x1={LEFT} y1={HEIGHT - AXIS} x2={WIDTH} y2={HEIGHT - AXIS} />
        {bars.map((b, i) => (i % every === 0 && LEFT + i * slot < WIDTH - 110 ? <text key={`l${i}`} class="hist-label" x={LEFT + i * slot + 1} y={HEIGHT - 3}>{b.start}</text> : null))}
        <text class="hist-label" x={WIDTH - 1} y={HEIGHT - 3} text-anchor="end">{bars[bars.length - 1]!.end}</text>
      </svg>
      <figcaption class="muted">
        {`${total} ${unit}`}
        {errors > 0 && <span class="hist-legend"> · <span class="hist-swatch err" aria-hidden="true" /> {`${errors} with errors`}</span>}
      </figcaption>
    </figure>
  );
}
