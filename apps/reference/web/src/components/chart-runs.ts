// How the charts split a series into the stretches they draw: no data is a gap, not a value.

/** One chart point: the burn rate per window at `t` (epoch ms); `null` where the window held no events. */
export interface BurnPoint {
  t: number;
  burn: Record<string, number | null>;
}

/**
 * The runs of consecutive points that have a value: each becomes one stretch of line, and the
 * missing points between them stay a gap (no data is not a burn rate of 0).
 */
export function seriesRuns(points: readonly BurnPoint[], window: string): { t: number; v: number }[][] {
  const runs: { t: number; v: number }[][] = [];
  let current: { t: number; v: number }[] | undefined;
  for (const p of points) {
    const v = p.burn[window];
    if (v === null || v === undefined) {
      current = undefined;
      continue;
    }
    if (current === undefined) runs.push((current = []));
    current.push({ t: p.t, v });
  }
  return runs;
}

/**
 * The series split where points are missing: a step more than 1.5 times the usual one (the
 * median) is a stretch with no data, drawn as a gap rather than a line across it.
 */
export function contiguousRuns<P extends { t: number }>(points: readonly P[]): P[][] {
  if (points.length === 0) return [];
  const steps = points.slice(1).map((p, i) => p.t - points[i]!.t).sort((a, b) => a - b);
  const usual = steps.length === 0 ? 0 : steps[Math.floor(steps.length / 2)]!;
  const runs: P[][] = [[points[0]!]];
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.t - points[i - 1]!.t > usual * 1.5) runs.push([]);
    runs[runs.length - 1]!.push(points[i]!);
  }
  return runs;
}
