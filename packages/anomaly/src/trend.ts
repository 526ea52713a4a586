import { linearRegression } from 'simple-statistics';
import type { TimeSeriesPoint } from '@sightline/core';

/** Which way a series is heading, judged by what "better" means for it. */
export type Trend = 'improving' | 'stable' | 'degrading';

/**
 * Classifies the trend of a series by its least-squares slope (simple-statistics), expressed as
 * the relative change over the span of the points: beyond `tolerance` (default 10%) it is a
 * trend; `higherIsBetter` says which direction is good (true for throughput, false for latency
 * and error ratio).
 */
export function classifyTrend(points: readonly TimeSeriesPoint[], options: { higherIsBetter: boolean; tolerance?: number }): { trend: Trend; relativeChange: number } {
  if (points.length < 3) return { trend: 'stable', relativeChange: 0 };
  const { m } = linearRegression(points.map((p) => [p.timestamp, p.value]));
  const span = points[points.length - 1]!.timestamp - points[0]!.timestamp;
  const level = points.reduce((s, p) => s + Math.abs(p.value), 0) / points.length;
  const relativeChange = level === 0 || !Number.isFinite(m) ? 0 : (m * span) / level;
  const tolerance = options.tolerance ?? 0.1;
  if (Math.abs(relativeChange) < tolerance) return { trend: 'stable', relativeChange };
  const rising = relativeChange > 0;
  return { trend: rising === options.higherIsBetter ? 'improving' : 'degrading', relativeChange };
}
