/** OpenSLO's comparison operators for a threshold objective: how a value compares with the threshold to be good. */
export type ThresholdOp = 'lt' | 'lte' | 'gt' | 'gte';

/** Every {@link ThresholdOp}, in OpenSLO's spelling. */
export const THRESHOLD_OPS: readonly ThresholdOp[] = Object.freeze(['lt', 'lte', 'gt', 'gte'] as const);

/**
 * Whether `value` is good against `threshold` under `op` (absent: `lte`), exactly: `lt` 500 is
 * good for 499.9 and bad for 500.
 * @example
 * meetsThreshold(500, 'lt', 500); // false
 * meetsThreshold(500, 'lte', 500); // true
 */
export function meetsThreshold(value: number, op: ThresholdOp | undefined, threshold: number): boolean {
  switch (op) {
    case 'lt':
      return value < threshold;
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    default:
      return value <= threshold;
  }
}

/**
 * Good events among a histogram's cumulative buckets (`count` of values ≤ `le`, `+Inf` last) under
 * `op`, never more than certain: a bucket that could hold both good and bad values counts as bad.
 * `lte`: the count of the largest `le` ≤ threshold; `lt`: of the largest `le` < threshold (values
 * equal to the threshold are bad); `gt`/`gte`: the total minus the count of the smallest `le` ≥
 * threshold (for `gte`, values equal to the threshold in that bucket are counted bad).
 */
export function histogramGoodCount(buckets: readonly { readonly le: number; readonly count: number }[], op: ThresholdOp | undefined, threshold: number): { good: number; total: number } {
  let below = 0;
  let notAbove = Number.POSITIVE_INFINITY;
  let total = 0;
  const strict = op === 'lt';
  for (const b of buckets) {
    if (strict ? b.le < threshold : b.le <= threshold) below = Math.max(below, b.count);
    if (b.le >= threshold) notAbove = Math.min(notAbove, b.count);
    total = Math.max(total, b.count);
  }
  if (op === 'gt' || op === 'gte') return { good: total - Math.min(notAbove, total), total };
  return { good: below, total };
}
