import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';
import { EventGate, type EventGateOptions, type EventGateSnapshot } from './event-gate.js';
import { PatternDetector, type PatternOptions } from './pattern-detector.js';
import { ZScoreDetector, type ZScoreOptions } from './zscore-detector.js';

export interface DefaultDetectorOptions {
  /** The level half: a z-score (its spread floored by the long-run scale). Default {@link DEFAULT_LEVEL_OPTIONS}. */
  level?: ZScoreOptions;
  /** The shape half: a {@link PatternDetector}. Default {@link DEFAULT_PATTERN_OPTIONS} over its own defaults. */
  pattern?: PatternOptions;
  /** Once per event: repeats of a flag within one excursion are held back ({@link EventGate}); `false` turns it off. Default `{}` (10 normal points end an event). */
  eventGate?: EventGateOptions | false;
}

/**
 * The level half's defaults: window 60, threshold 4. Chosen on the package's evaluation corpus
 * (the `pnpm eval` harness, the whole default with only the level window varied): standard
 * profile 52.2 at 60 points, 51.2 at 120, 41.9 at 240, 43.3 at 1,024. With the spread floored by
 * the long-run scale, a short window no longer makes a flat run alarming.
 */
export const DEFAULT_LEVEL_OPTIONS: Readonly<ZScoreOptions> = { window: 60, threshold: 4 };

/**
 * The shape half's defaults: anomalous only when shapes at most as probable cover under 0.01% of
 * the history (the pattern detector's own default is 0.2%); on the evaluation corpus 0.2% added
 * more false-positive rows than windows found.
 */
export const DEFAULT_PATTERN_OPTIONS: Readonly<PatternOptions> = { threshold: 0.000_1 };

/** Below 1 whatever a member returns: the combination never reports certainty. */
const MAX_SCORE = 1 - 2 ** -40;

/**
 * The package's default detector: how far the value is from the recent level (a z-score, its
 * spread floored by the series' long-run scale) and how novel the recent shape is
 * ({@link PatternDetector}), combined by `max`: the point scores as the more alarmed half, and is
 * anomalous when either half says so. Both halves learn from every point. Then once per event: an
 * {@link EventGate} holds back repeats of a flag within one excursion (`anomalous: false`, score
 * kept), so a long anomaly is one event.
 *
 * Memory per series, fixed: the level window (60 doubles) and long-run scale, the pattern tables
 * (81 + 81 + 1,024 `Float32Array` counts, the last 12 values and keys), the gate's seven numbers.
 * Each point costs O(1) for the level and O(window + shapes) for the pattern.
 *
 * @example
 * const detector = createDefaultDetector();
 * const { score, anomalous } = detector.update({ timestamp: Date.now(), value: 42 });
 */
export class DefaultDetector implements Detector {
  readonly name = 'default';
  #level: ZScoreDetector;
  #pattern: PatternDetector;
  readonly #options: { level: ZScoreOptions; pattern: PatternOptions; eventGate: EventGateOptions | false };
  #gate: EventGate | undefined;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: DefaultDetectorOptions = {}) {
    this.#options = { level: { ...DEFAULT_LEVEL_OPTIONS, ...options.level }, pattern: { ...DEFAULT_PATTERN_OPTIONS, ...options.pattern }, eventGate: options.eventGate === false ? false : { ...options.eventGate } };
    const problems: string[] = [];
    let level: ZScoreDetector | undefined;
    let pattern: PatternDetector | undefined;
    try {
      level = new ZScoreDetector(this.#options.level);
    } catch (error) {
      problems.push(`level: ${(error as Error).message}`);
    }
    try {
      pattern = new PatternDetector(this.#options.pattern);
    } catch (error) {
      problems.push(`pattern: ${(error as Error).message}`);
    }
    let gate: EventGate | undefined;
    try {
      gate = this.#options.eventGate === false ? undefined : new EventGate(this.#options.eventGate);
    } catch (error) {
      problems.push(`eventGate: ${(error as Error).message}`);
    }
    if (level === undefined || pattern === undefined || problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `default detector: ${problems.join('; ')}`, { options, problems });
    this.#level = level;
    this.#pattern = pattern;
    this.#gate = gate;
  }

  /** The level half (a long-window z-score). */
  get level(): ZScoreDetector {
    return this.#level;
  }

  /** The shape half. */
  get pattern(): PatternDetector {
    return this.#pattern;
  }

  update(point: TimeSeriesPoint): DetectorResult {
    // Checked once here, so a bad point cannot reach one half and not the other.
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    const combined = this.#combine(this.#level.update(point), this.#pattern.update(point));
    if (this.#gate === undefined) return combined;
    const gated = this.#gate.apply(point.timestamp, combined);
    // A held-back repeat is not anomalous, so its score goes below the threshold (0.5) too, halved
    // to keep its rank among repeats: a score above 0.5 on a point that is not anomalous would be
    // counted again by anyone thresholding scores.
    return gated.anomalous === combined.anomalous ? gated : { ...gated, score: combined.score / 2 };
  }

  #combine(level: DetectorResult, shape: DetectorResult): DetectorResult {
    if (level.warmingUp) return level;
    if (shape.warmingUp || level.score >= shape.score) return level.score > MAX_SCORE ? { ...level, score: MAX_SCORE } : level;
    // The shape decides the score; the band stays the level's, the one a chart can draw.
    return {
      score: shape.score > MAX_SCORE ? MAX_SCORE : shape.score,
      anomalous: shape.anomalous || level.anomalous,
      expected: level.expected,
      lower: level.lower,
      upper: level.upper,
      reason: shape.anomalous ? shape.reason : level.reason,
      warmingUp: false,
    };
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: 'default',
      options: { level: this.#options.level, pattern: this.#options.pattern, eventGate: this.#options.eventGate },
      state: { level: this.#level.snapshot(), pattern: this.#pattern.snapshot(), gate: this.#gate?.snapshot() ?? null, last: Number.isFinite(this.#last) ? this.#last : null },
    };
  }

  /** Rebuilds a detector from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: DetectorSnapshot): DefaultDetector {
    const s = snapshot.state as { level?: unknown; pattern?: unknown; gate?: unknown; last?: unknown };
    const detector = snapshot.kind === 'default' ? new DefaultDetector(snapshot.options as DefaultDetectorOptions) : undefined;
    if (detector === undefined || !isSnapshot(s.level) || !isSnapshot(s.pattern) || (detector.#gate === undefined ? s.gate !== null : !isSnapshot(s.gate)) || !(typeof s.last === 'number' || s.last === null)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not a default detector snapshot: it needs state.level, state.pattern and state.gate (null without a gate) snapshots and state.last', { kind: snapshot.kind });
    }
    detector.#level = ZScoreDetector.restore(s.level);
    detector.#pattern = PatternDetector.restore(s.pattern);
    if (detector.#gate !== undefined) detector.#gate = EventGate.restore(s.gate as EventGateSnapshot);
    detector.#last = typeof s.last === 'number' ? s.last : Number.NEGATIVE_INFINITY;
    return detector;
  }
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
