/**
 * Durations kept as counts per logarithmic bucket (the DDSketch layout): bucket `i` holds
 * durations in (γ^(i-1), γ^i] ms, and any of them is read back as a value within
 * {@link RELATIVE_ACCURACY} of itself. Such histograms add up, so a per-minute rollup of
 * millions of spans answers a p95 over any window of minutes without reading a span.
 *
 * The same bucket function exists in SQL (`sightline_duration_bucket`, migration 15), built from
 * these constants: rollups are filled by the database in the statement that stores the spans.
 */
export const RELATIVE_ACCURACY = 0.01;
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
/** Durations below this (1 µs) share its bucket. */
export const MIN_TRACKED_MS = 0.001;

/** Counts per bucket index, as the rollups store them (JSON object keys are the indexes). */
export type BucketCounts = Readonly<Record<string, number>>;

/** Bucket counts summed over many rollup rows; {@link percentile} reads it. */
export class DurationHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;

  /** Adds stored bucket counts (a rollup row's JSON). */
  addCounts(counts: BucketCounts): this {
    for (const [key, n] of Object.entries(counts)) {
      const bucket = Number(key);
      this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + n);
      this.total += n;
    }
    return this;
  }

  get count(): number {
    return this.total;
  }

  /**
   * The q-quantile (0..1) as PostgreSQL's `percentile_cont` defines it — linear interpolation
   * between the values at ranks ⌊q·(n−1)⌋ and ⌈q·(n−1)⌉ — with each value read back from its
   * bucket, so the answer is within {@link RELATIVE_ACCURACY} of the exact one. 0 when empty.
   */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = q * (this.total - 1);
    const lower = Math.floor(rank);
    const low = this.valueAtRank(lower);
    return low + (rank - lower) * (this.valueAtRank(Math.ceil(rank)) - low);
  }

  /** The representative value of the bucket holding the `rank`-th smallest duration (0-based). */
  private valueAtRank(rank: number): number {
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen > rank) return bucketValue(bucket);
    }
    throw new RangeError(`rank ${rank} is beyond the ${this.total} durations counted`);
  }
}

/** The bucket a duration (ms) is counted in; the SQL function computes the same. */
export function bucketOf(durationMs: number): number {
  return Math.ceil(Math.log(Math.max(durationMs, MIN_TRACKED_MS)) / Math.log(GAMMA));
}

/** The value a bucket reads back as: the point of (γ^(i-1), γ^i] equally far, relatively, from both ends. */
export function bucketValue(bucket: number): number {
  return (2 * GAMMA ** bucket) / (GAMMA + 1);
}

/** `sightline_duration_bucket(ms)` in SQL, from the constants above (used by migration 15). */
export const SQL_DURATION_BUCKET = `ceil(ln(greatest(ms, ${MIN_TRACKED_MS})) / ln(${GAMMA}))::integer`;
