// Windowed early-detection scoring in the manner of the Numenta Anomaly Benchmark (NAB v1.1:
// nab/labeler.py `applyWindows`, nab/sweeper.py `scaledSigmoid` and `calcSweepScore`,
// config/profiles.json). Rows are indices into one series; a detection is a row the detector
// flagged. Written from the NAB description and source, not copied.

/** The weights of one NAB application profile. */
export interface NabProfile {
  readonly name: string;
  /** Reward for the earliest possible detection of a window. */
  readonly tpWeight: number;
  /** Penalty scale for each false-positive row (multiplied by a sigmoid of its distance past the last window). */
  readonly fpWeight: number;
  /** Penalty for a window with no detection. */
  readonly fnWeight: number;
}

/** NAB's three profiles, with the weights of its `config/profiles.json`. */
export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
];

/** An anomaly window: first and last row, inclusive. */
export interface AnomalyWindow {
  readonly start: number;
  readonly end: number;
}

/** NAB's share of a series covered by all windows together. */
export const NAB_WINDOW_FRACTION = 0.1;
/** NAB's share of a series, from its start, that is not scored (the detector is learning). */
export const NAB_PROBATION_FRACTION = 0.15;

/**
 * Windows centred on each labelled anomaly row, each `fraction · length / anomalies` rows long,
 * so all windows together cover about `fraction` of the series; windows that overlap are merged
 * into one (as NAB's `checkWindows` does). Rows outside `0..length-1` are refused.
 */
export function nabWindows(length: number, anomalyRows: readonly number[], fraction = NAB_WINDOW_FRACTION): AnomalyWindow[] {
  const problems: string[] = [];
  if (!Number.isInteger(length) || length < 1) problems.push(`length must be a positive integer, got ${length}`);
  if (!(fraction > 0 && fraction <= 1)) problems.push(`fraction must be in (0, 1], got ${fraction}`);
  anomalyRows.forEach((row, i) => {
    if (!Number.isInteger(row) || row < 0 || row >= length) problems.push(`anomalyRows[${i}] = ${row} is not a row of a ${length}-row series`);
  });
  if (problems.length > 0) throw new RangeError(`nabWindows: ${problems.join('; ')}`);
  if (anomalyRows.length === 0) return [];
  const half = Math.floor(Math.floor((fraction * length) / anomalyRows.length) / 2);
  const sorted = [...anomalyRows].sort((a, b) => a - b);
  const windows: { start: number; end: number }[] = [];
  for (const row of sorted) {
    const start = Math.max(row - half, 0);
    const end = Math.min(row + half, length - 1);
    const last = windows[windows.length - 1];
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else windows.push({ start, end });
  }
  return windows;
}

/**
 * NAB's scaled sigmoid of a position relative to a window: -1 is the window's first row
 * (≈ 0.987), 0 its right edge (0), positive positions lie past it (→ -1); 3 or more is -1.
 */
export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

/** The parts of one series' raw score, for one profile. */
export interface SeriesScore {
  /** tp reward + fp penalty + fn penalty, in profile units. */
  readonly raw: number;
  /** Windows scored (those with at least one row after probation). */
  readonly windows: number;
  /** Windows detected (at least one flagged row inside). */
  readonly detected: number;
  /** Flagged rows outside every window, after probation. */
  readonly falsePositives: number;
  /** Rows not scored at the start. */
  readonly probation: number;
}

export interface ScoreOptions {
  /** Share of rows, from the start, not scored. Default 0.15 (NAB). */
  probationFraction?: number;
}

/**
 * What each row of a series would add to the raw score if it were flagged, for one profile (NAB's
 * `calcSweepScore`): inside a window, `tpWeight · S(p) / S(-1)` with `p = -(end - row + 1) / width`
 * (the window's first row earns exactly `tpWeight`); outside, `fpWeight · S(distance past the
 * previous window / (its width - 1))`, or `-fpWeight` when no window precedes the row. `window`
 * is the row's window index, -1 outside every window, -2 for a probation row (never scored).
 */
export interface RowContributions {
  readonly contribution: Float64Array;
  readonly window: Int32Array;
  /** Windows with at least one row after probation: each costs `fnWeight` when missed. */
  readonly scoredWindows: readonly number[];
  readonly probation: number;
}

/** Per-row contributions of one series (see {@link RowContributions}). */
export function rowContributions(length: number, windows: readonly AnomalyWindow[], profile: NabProfile, options: ScoreOptions = {}): RowContributions {
  windows.forEach((w, i) => {
    const before = windows[i - 1];
    if (!Number.isInteger(w.start) || !Number.isInteger(w.end) || w.start < 0 || w.end < w.start || (before !== undefined && w.start <= before.end)) {
      throw new RangeError(`scoreSeries: windows[${i}] = [${w.start}, ${w.end}] must be integer rows, start <= end, after the previous window (use nabWindows)`);
    }
  });
  const probation = Math.floor((options.probationFraction ?? NAB_PROBATION_FRACTION) * length);
  const maxTp = scaledSigmoid(-1);
  const contribution = new Float64Array(length);
  const window = new Int32Array(length).fill(-1);
  const scoredWindows: number[] = [];
  let next = 0; // the first window not yet passed
  let previous: AnomalyWindow | undefined; // the last window that ended before the row
  for (let row = 0; row < length; row++) {
    let current = windows[next];
    while (current !== undefined && current.end < row) {
      previous = current;
      current = windows[++next];
    }
    const inside = current !== undefined && row >= current.start ? current : undefined;
    if (inside !== undefined && inside.end >= probation && (scoredWindows.length === 0 || scoredWindows[scoredWindows.length - 1] !== next)) scoredWindows.push(next);
    if (row < probation) {
      window[row] = -2;
    } else if (inside !== undefined) {
      window[row] = next;
      const width = inside.end - inside.start + 1;
      contribution[row] = (scaledSigmoid(-(inside.end - row + 1) / width) * profile.tpWeight) / maxTp;
    } else if (previous === undefined) {
      contribution[row] = -profile.fpWeight;
    } else {
      // NAB divides by (width - 1); a one-row window would divide by zero, so it counts as 1.
      const width = previous.end - previous.start + 1;
      contribution[row] = scaledSigmoid((row - previous.end) / Math.max(width - 1, 1)) * profile.fpWeight;
    }
  }
  return { contribution, window, scoredWindows, probation };
}

/**
 * Scores one series' detections against its windows with one profile, as NAB does: inside a
 * window only the first detection counts (the sigmoid falls along the window, so it is also the
 * most); a window without detection costs `fnWeight`; every flagged row outside the windows costs
 * its penalty (see {@link rowContributions}). Rows in the probation period are ignored.
 */
export function scoreSeries(detections: ArrayLike<boolean | number>, windows: readonly AnomalyWindow[], profile: NabProfile, options: ScoreOptions = {}): SeriesScore {
  const rows = rowContributions(detections.length, windows, profile, options);
  const found = new Set<number>();
  let raw = 0 - profile.fnWeight * rows.scoredWindows.length; // 0 - 0 is +0, not -0
  let falsePositives = 0;
  for (let row = rows.probation; row < detections.length; row++) {
    if (!detections[row]) continue;
    const w = rows.window[row]!;
    if (w === -1) {
      falsePositives++;
      raw += rows.contribution[row]!;
    } else if (w >= 0 && !found.has(w)) {
      found.add(w);
      raw += rows.contribution[row]! + profile.fnWeight;
    }
  }
  return { raw, windows: rows.scoredWindows.length, detected: found.size, falsePositives, probation: rows.probation };
}

/** One series for {@link optimiseThreshold}: a score per row (NaN for a row with no score) and its windows. */
export interface ScoredSeries {
  readonly scores: Float64Array;
  readonly windows: readonly AnomalyWindow[];
}

/**
 * NAB's threshold optimisation: the one threshold on the detectors' anomaly scores (flag a row
 * when its score >= threshold) that maximises the profile's raw score summed over the corpus, and
 * the normalised score it gives. Rows are swept from the highest score down (NAB's
 * `calcScoreByThreshold`), so the cost is one sort. A threshold above every score (nothing
 * flagged) scores 0, so the result is never below 0.
 */
export function optimiseThreshold(corpus: readonly ScoredSeries[], profile: NabProfile, options: ScoreOptions = {}): { threshold: number; score: number } {
  const entries: { score: number; contribution: number; window: number }[] = [];
  let windowBase = 0; // global window id offset
  let nullRaw = 0;
  let perfectRaw = 0;
  for (const series of corpus) {
    const n = series.scores.length;
    const rows = rowContributions(n, series.windows, profile, options);
    for (let row = rows.probation; row < n; row++) {
      const score = series.scores[row]!;
      if (Number.isNaN(score)) continue;
      const w = rows.window[row]!;
      entries.push({ score, contribution: rows.contribution[row]!, window: w >= 0 ? windowBase + w : -1 });
    }
    windowBase += series.windows.length;
    nullRaw -= profile.fnWeight * rows.scoredWindows.length;
    perfectRaw += scoreSeries(perfectDetections(n, series.windows, options), series.windows, profile, options).raw;
  }
  entries.sort((a, b) => b.score - a.score);
  const best = new Float64Array(windowBase).fill(-profile.fnWeight);
  let total = nullRaw;
  let bestTotal = nullRaw;
  let threshold = Number.POSITIVE_INFINITY;
  for (let i = 0; i < entries.length; ) {
    const score = entries[i]!.score;
    // Every row with this score is flagged together.
    for (; i < entries.length && entries[i]!.score === score; i++) {
      const e = entries[i]!;
      if (e.window < 0) total += e.contribution;
      else if (e.contribution > best[e.window]!) {
        total += e.contribution - best[e.window]!;
        best[e.window] = e.contribution;
      }
    }
    if (total > bestTotal) {
      bestTotal = total;
      threshold = score;
    }
  }
  return { threshold, score: perfectRaw === nullRaw ? 0 : (100 * (bestTotal - nullRaw)) / (perfectRaw - nullRaw) };
}

/**
 * The detections of the perfect detector: one flag on the first scored row of every window.
 * NAB's perfect score is `tpWeight` per window; computing it this way also holds when a window
 * begins inside the probation period.
 */
export function perfectDetections(length: number, windows: readonly AnomalyWindow[], options: ScoreOptions = {}): Uint8Array {
  const probation = Math.floor((options.probationFraction ?? NAB_PROBATION_FRACTION) * length);
  const flags = new Uint8Array(length);
  for (const w of windows) if (w.end >= probation && w.start < length) flags[Math.max(w.start, probation)] = 1;
  return flags;
}

/**
 * NAB's normalised score over a corpus: `100 · (raw − null) / (perfect − null)`, with the raw,
 * null (never fires: every window missed) and perfect scores summed over the series. 0 is the
 * never-firing detector, 100 the perfect one; false positives can take it below 0.
 */
export function normalisedScore(parts: readonly { raw: number; nullRaw: number; perfectRaw: number }[]): number {
  let raw = 0;
  let nullRaw = 0;
  let perfectRaw = 0;
  for (const p of parts) {
    raw += p.raw;
    nullRaw += p.nullRaw;
    perfectRaw += p.perfectRaw;
  }
  return perfectRaw === nullRaw ? 0 : (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}
