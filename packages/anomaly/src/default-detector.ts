import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, MAX_FINITE_SCORE, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';
import { EventGate, type EventGateOptions, type EventGateSnapshot } from './event-gate.js';
import { DailyPatternDetector, type DailyPatternOptions } from './daily-pattern-detector.js';
import { ZScoreDetector, type ZScoreOptions } from './zscore-detector.js';

export interface DefaultDetectorOptions {
  /** The level half: a z-score (its spread floored by the long-run scale). Default {@link DEFAULT_LEVEL_OPTIONS}. */
  level?: ZScoreOptions;
  /** The pattern half: a {@link DailyPatternDetector} (what each time of day usually looks like). Default {@link DEFAULT_PATTERN_OPTIONS} over its own defaults; `false` leaves the level half alone. */
  pattern?: DailyPatternOptions | false;
  /** Once per event: repeats of a flag within one excursion are held back ({@link EventGate}); `false` turns it off. Default `{}` (10 normal points end an event). */
  eventGate?: EventGateOptions | false;
}

/**
 * The level half's defaults: window 60, threshold 4. Chosen on the package's evaluation corpus
 * (the `pnpm eval` harness, the whole default with only the level window varied): standard
 * profile 63.3 at 60 points, 61.4 at 30, 58.7 at 120, 54.1 at 240; threshold 3: 61.7, 5: 55.5
 * (with the earlier shape pattern half: 52.2 at 60, 51.2 at 120, 41.9 at 240, 43.3 at 1,024). With the spread floored by
 * the long-run scale, a short window no longer makes a flat run alarming.
 */
export const DEFAULT_LEVEL_OPTIONS: Readonly<ZScoreOptions> = { window: 60, threshold: 4 };

/**
 * The pattern half's defaults (also the {@link DailyPatternDetector}'s own): hourly slots of a
 * day, remembering a week, anomalous at 5 usual deviations, the slot's usual deviation floored at
 * the whole series'. Chosen on the package's evaluation corpus (`pnpm eval` harness, the whole
 * default with one constant varied from these): standard profile 63.3 here (own verdicts 60.9);
 * threshold 4: 62.3, 6: 63.0; memory 4 days: 62.7, 10: 62.5; floor at half the series' deviation:
 * 63.0 (own verdicts 56.9, 78 more false-positive rows); 12 slots a day: 60.5, 48: 62.1. The
 * earlier pattern half, a shape learner (`PatternDetector`), scored 52.2 in this place (below the
 * z-score alone, 54.8), and 57.6 when added beside this one: its novel shapes were mostly bursts
 * of noise.
 */
export const DEFAULT_PATTERN_OPTIONS: Readonly<DailyPatternOptions> = { periodMs: 86_400_000, buckets: 24, threshold: 5, memory: 7, globalFloor: 1 };


/**
 * The package's default detector: how far the value is from the recent level (a z-score, its
 * spread floored by the series' long-run scale) and how far the last hour is from what this time
 * of day usually looks like (a {@link DailyPatternDetector}, learned online), combined by `max`:
 * the point scores as the more alarmed half, and is anomalous when either half says so. Both
 * halves learn from every point. The pattern half sees what a rolling window cannot: a daily peak
 * or batch run that does not happen, a night that stays busy. It also vets the level half: a level
 * flag stands only if the value is also unusual for its time of day (its distance from what the
 * hour usually is, in the hour's usual deviations, at least the level's threshold), so a batch
 * run starting on time or the morning rise is not an anomaly once two days have been seen (a
 * dropped flag's score halves, below 0.5). Then once per event, for each half:
 * an {@link EventGate} holds back repeats of its flag within one excursion (`anomalous: false`,
 * score halved), so a long anomaly is one event; each half has its own gate, so a spike during an
 * hours-long pattern excursion is still reported (one shared gate scored 61.8 against 63.3 on the
 * evaluation corpus: it held such spikes back).
 *
 * Memory per series, fixed: the level window (60 doubles) and long-run scale, the pattern half's
 * 24 hourly slots (six `Float64Array` of 24) and ten numbers, the two gates' seven numbers each.
 * Each point costs O(1).
 *
 * @example
 * const detector = createDefaultDetector();
 * const { score, anomalous } = detector.update({ timestamp: Date.now(), value: 42 });
 */
export class DefaultDetector implements Detector {
  readonly name = 'default';
  #level: ZScoreDetector;
  #pattern: DailyPatternDetector | undefined;
  readonly #options: { level: ZScoreOptions; pattern: DailyPatternOptions | false; eventGate: EventGateOptions | false };
  #gate: EventGate | undefined;
  #patternGate: EventGate | undefined;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: DefaultDetectorOptions = {}) {
    this.#options = {
      level: { ...DEFAULT_LEVEL_OPTIONS, ...options.level },
      pattern: options.pattern === false ? false : { ...DEFAULT_PATTERN_OPTIONS, ...options.pattern },
      eventGate: options.eventGate === false ? false : { ...options.eventGate },
    };
    const problems: string[] = [];
    let level: ZScoreDetector | undefined;
    let pattern: DailyPatternDetector | undefined;
    try {
      level = new ZScoreDetector(this.#options.level);
    } catch (error) {
      problems.push(`level: ${(error as Error).message}`);
    }
    try {
      pattern = this.#options.pattern === false ? undefined : new DailyPatternDetector(this.#options.pattern);
    } catch (error) {
      problems.push(`pattern: ${(error as Error).message}`);
    }
    let gate: EventGate | undefined;
    let patternGate: EventGate | undefined;
    try {
      gate = this.#options.eventGate === false ? undefined : new EventGate(this.#options.eventGate);
      patternGate = this.#options.eventGate === false || this.#options.pattern === false ? undefined : new EventGate(this.#options.eventGate);
    } catch (error) {
      problems.push(`eventGate: ${(error as Error).message}`);
    }
    if (level === undefined || problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `default detector: ${problems.join('; ')}`, { options, problems });
    this.#level = level;
    this.#pattern = pattern;
    this.#gate = gate;
    this.#patternGate = patternGate;
  }

  /** The level half (a 60-point z-score). */
  get level(): ZScoreDetector {
    return this.#level;
  }

  /** The pattern half (time-of-day pattern), or `undefined` when turned off with `pattern: false`. */
  get pattern(): DailyPatternDetector | undefined {
    return this.#pattern;
  }

  update(point: TimeSeriesPoint): DetectorResult {
    // Checked once here, so a bad point cannot reach one half and not the other.
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    let level = this.#level.update(point);
    if (this.#pattern === undefined) return cap(hold(this.#gate, point.timestamp, level));
    const pattern = this.#pattern.update(point);
    // A level flag stands only if the value is also unusual for its time of day (by the level's
    // own threshold, in the slot's usual deviations): a batch run starting on time, or the morning
    // rise, is far from the last hours but usual for the hour. Dropped, its score halves, below 0.5.
    const threshold = this.#level.threshold;
    const distance = this.#pattern.pointDistance;
    if (level.anomalous && !pattern.warmingUp && distance < threshold) level = { ...level, anomalous: false, score: level.score / 2, reason: `usual for this time of day (${round(distance)} of its usual deviations), though ${level.reason}` };
    return this.#combine(hold(this.#gate, point.timestamp, level), hold(this.#patternGate, point.timestamp, pattern));
  }

  #combine(level: DetectorResult, pattern: DetectorResult): DetectorResult {
    if (level.warmingUp) return level;
    if (pattern.warmingUp || level.score >= pattern.score) return cap(pattern.anomalous && !level.anomalous ? { ...level, anomalous: true, reason: pattern.reason } : level);
    // The pattern decides the score; the band stays the level's, the one a chart can draw.
    return {
      score: pattern.score > MAX_FINITE_SCORE ? MAX_FINITE_SCORE : pattern.score,
      anomalous: pattern.anomalous || level.anomalous,
      expected: level.expected,
      lower: level.lower,
      upper: level.upper,
      reason: pattern.anomalous ? pattern.reason : level.reason,
      warmingUp: false,
    };
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: 'default',
      options: { level: this.#options.level, pattern: this.#options.pattern, eventGate: this.#options.eventGate },
      state: { level: this.#level.snapshot(), pattern: this.#pattern?.snapshot() ?? null, gate: this.#gate?.snapshot() ?? null, patternGate: this.#patternGate?.snapshot() ?? null, last: Number.isFinite(this.#last) ? this.#last : null },
    };
  }

  /** Rebuilds a detector from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: DetectorSnapshot): DefaultDetector {
    const s = snapshot.state as { level?: unknown; pattern?: unknown; gate?: unknown; patternGate?: unknown; last?: unknown };
    const detector = snapshot.kind === 'default' ? new DefaultDetector(snapshot.options as DefaultDetectorOptions) : undefined;
    const isPatternValid = detector !== undefined && (detector.#pattern === undefined ? s.pattern === null : isSnapshot(s.pattern) && s.pattern.kind === 'daily_pattern');
    if (detector === undefined || !isSnapshot(s.level) || !isPatternValid || (detector.#gate === undefined ? s.gate !== null : !isSnapshot(s.gate)) || (detector.#patternGate === undefined ? s.patternGate !== null : !isSnapshot(s.patternGate)) || !(typeof s.last === 'number' || s.last === null)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a default detector snapshot: it needs state.level, state.pattern (a daily_pattern snapshot, null without the pattern half), state.gate and state.patternGate (null without them) snapshots and state.last', { kind: snapshot.kind });
    }
    detector.#level = ZScoreDetector.restore(s.level);
    if (detector.#pattern !== undefined) detector.#pattern = DailyPatternDetector.restore(s.pattern as DetectorSnapshot);
    if (detector.#gate !== undefined) detector.#gate = EventGate.restore(s.gate as EventGateSnapshot);
    if (detector.#patternGate !== undefined) detector.#patternGate = EventGate.restore(s.patternGate as EventGateSnapshot);
    detector.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    return detector;
  }
}

/**
 * A half's result once per event: a held-back repeat is not anomalous, so its score goes below the
 * threshold (0.5) too, halved to keep its rank among repeats (a score above 0.5 on a point that
 * is not anomalous would be counted again by anyone thresholding scores).
 */
function hold(gate: EventGate | undefined, timestamp: number, result: DetectorResult): DetectorResult {
  if (gate === undefined) return result;
  const gated = gate.apply(timestamp, result);
  return gated.anomalous === result.anomalous ? gated : { ...gated, score: result.score / 2 };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function cap(result: DetectorResult): DetectorResult {
  return result.score > MAX_FINITE_SCORE ? { ...result, score: MAX_FINITE_SCORE } : result;
}

/**
 * The package's default detector for a series (see {@link DefaultDetector}); the
 * {@link DetectorRegistry} uses it when no `create` is given.
 */
export function createDefaultDetector(options: DefaultDetectorOptions = {}): DefaultDetector {
  return new DefaultDetector(options);
}

function isSnapshot(value: unknown): value is DetectorSnapshot {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string' && typeof (value as { state?: unknown }).state === 'object';
}
