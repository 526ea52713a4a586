import type { JSX } from 'preact';
import type { AnomalyTimeline } from '../api.js';
import { contiguousRuns } from './chart-runs.js';

const WIDTH = 720;
const HEIGHT = 120;
const PAD = 4;

/**
 * A series over [from, to] with each anomaly drawn as a shaded band and the points inside it as
 * red dots whose tooltip gives the anomaly's score: the reader sees where the detector fired and
 * on what values, not only that it did. Minutes without data are gaps in the line.
 */
export function TimelineChart(props: { timeline: AnomalyTimeline; from: number; to: number; format: (v: number) => string }): JSX.Element {
  const { timeline, from, to } = props;
  const values = timeline.points.map((p) => p.v);
  const max = Math.max(...values, 1e-9);
  const min = Math.min(...values, 0);
  const span = Math.max(to - from, 1);
  const x = (t: number) => PAD + ((Math.min(Math.max(t, from), to) - from) / span) * (WIDTH - 2 * PAD);
  const y = (v: number) => HEIGHT - PAD - ((v - min) / Math.max(max - min, 1e-9)) * (HEIGHT - 2 * PAD);
  const inside = (t: number) => timeline.anomalies.find((a) => t >= a.startsAt && t <= (a.endsAt ?? to));
  return (
    <svg class="timeline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${timeline.seriesKey} with its anomalies`}>
      {timeline.anomalies.map((a) => (
        <rect key={a.id} class={`band ${a.severity}`} x={x(a.startsAt)} y={0} width={Math.max(x(a.endsAt ?? to) - x(a.startsAt), 2)} height={HEIGHT}>
          <title>{`${a.severity}, peak score ${a.score.toFixed(2)}: ${a.reason}`}</title>
        </rect>
      ))}
      {contiguousRuns(timeline.points).map((run) =>
        run.length === 1 ? (
          <circle key={run[0]!.t} class="lone-point" cx={x(run[0]!.t)} cy={y(run[0]!.v)} r="1.5" fill="currentColor" />
        ) : (
          <polyline key={run[0]!.t} class="series" points={run.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')} fill="none" stroke="currentColor" stroke-width="1.5" />
        ),
      )}
      {timeline.points.map((p) => {
        const anomaly = inside(p.t);
        return anomaly === undefined ? null : (
          <circle key={p.t} class="anomalous" cx={x(p.t)} cy={y(p.v)} r="3.5" data-score={anomaly.score.toFixed(2)}>
            <title>{`${props.format(p.v)} at ${new Date(p.t).toLocaleTimeString()}: anomaly score ${anomaly.score.toFixed(2)}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
