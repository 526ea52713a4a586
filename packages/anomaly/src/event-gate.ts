import { SightlineError } from '@sightline/core';
import type { DetectorResult } from './detector.js';

export interface EventGateOptions {
  /** Normal points in a row that end an event; the next flag opens a new one. Default 10. */
  resetAfter?: number;
  /** Let a still-running event through again after this many points since its last admitted flag. Default: never. */
  holdPoints?: number;
  /** ...or after this many ms since its last admitted flag (whichever comes first). Default: never. */
  holdMs?: number;
}

/**
 * Once per event: after a flag, holds back repeats of the same excursion, so a long anomaly gives
 * one alert instead of one per point. An event ends when the series has been normal for
 * `resetAfter` points in a row; while it runs, further flags are held back, unless `holdPoints` /
 * `holdMs` is set and has passed since the last admitted flag (a reminder). Streaming, O(1) state.
 *
 * On real operational series this is what an alert needs: every repeat of a flag inside one
 * excursion is a false positive for whoever is paged.
 *
 * @example
 * const gate = new EventGate({ resetAfter: 12 });
 * const result = gate.apply(point.timestamp, detector.update(point)); // repeats: anomalous false
 */
export class EventGate {
  readonly #resetAfter: number;
  readonly #holdPoints: number;
  readonly #holdMs: number;
  #points = 0;
  #isInEvent = false;
  #flagPoint = 0;
  #flagTime = 0;
  #normalRun = 0;
  #events = 0;
  #held = 0;

  constructor(options: EventGateOptions = {}) {
    this.#resetAfter = options.resetAfter ?? 10;
    this.#holdPoints = options.holdPoints ?? Number.POSITIVE_INFINITY;
    this.#holdMs = options.holdMs ?? Number.POSITIVE_INFINITY;
    const problems: string[] = [];
    if (!Number.isInteger(this.#resetAfter) || this.#resetAfter < 1) problems.push(`resetAfter must be an integer >= 1 (got ${options.resetAfter})`);
    if (options.holdPoints !== undefined && (!Number.isInteger(options.holdPoints) || options.holdPoints < 1)) problems.push(`holdPoints must be an integer >= 1 (got ${options.holdPoints})`);
    if (options.holdMs !== undefined && !(options.holdMs > 0 && Number.isFinite(options.holdMs))) problems.push(`holdMs must be a finite number of ms > 0 (got ${options.holdMs})`);
    if (problems.length > 0) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `EventGate: ${problems.join('; ')}`, { options, problems });
  }

  /** True while an event is running (flags are held back). */
  get isInEvent(): boolean {
    return this.#isInEvent;
  }

  /** Events admitted, and flags held back, so far. */
  get counts(): { readonly events: number; readonly held: number } {
    return { events: this.#events, held: this.#held };
  }

  /**
   * Feeds one verdict (`timestamp` in epoch ms); returns true when the flag is let through: it
   * opens an event (or is a reminder). A held-back flag and a normal point return false.
   */
  admit(timestamp: number, isAnomalous: boolean): boolean {
    this.#points++;
    if (!isAnomalous) {
      if (this.#isInEvent && ++this.#normalRun >= this.#resetAfter) this.#isInEvent = false;
      return false;
    }
    this.#normalRun = 0;
    if (this.#isInEvent && this.#points - this.#flagPoint < this.#holdPoints && timestamp - this.#flagTime < this.#holdMs) {
      this.#held++;
      return false;
    }
    this.#isInEvent = true;
    this.#flagPoint = this.#points;
    this.#flagTime = timestamp;
    this.#events++;
    return true;
  }

  /**
   * A detector's result with repeats held back: a held flag comes back with `anomalous: false`
   * (its score unchanged) and a reason naming the flag it repeats. Warm-up results pass through.
   */
  apply(timestamp: number, result: DetectorResult): DetectorResult {
    if (result.warmingUp) return result;
    if (this.admit(timestamp, result.anomalous) || !result.anomalous) return result;
    return { ...result, anomalous: false, reason: `held back: same event as the flag at ${new Date(this.#flagTime).toISOString()} (${result.reason})` };
  }

  /** Plain-data state (JSON-safe); {@link EventGate.restore} continues identically. */
  snapshot(): EventGateSnapshot {
    return {
      kind: 'event_gate',
      options: { resetAfter: this.#resetAfter, ...(Number.isFinite(this.#holdPoints) ? { holdPoints: this.#holdPoints } : {}), ...(Number.isFinite(this.#holdMs) ? { holdMs: this.#holdMs } : {}) },
      state: { points: this.#points, isInEvent: this.#isInEvent, flagPoint: this.#flagPoint, flagTime: this.#flagTime, normalRun: this.#normalRun, events: this.#events, held: this.#held },
    };
  }

  /** Rebuilds a gate from {@link snapshot}; throws `ANOMALY_STATE_INVALID` for foreign state. */
  static restore(snapshot: EventGateSnapshot): EventGate {
    const s = snapshot.state as Partial<EventGateSnapshot['state']> | undefined;
    const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    if (snapshot.kind !== 'event_gate' || s === undefined || typeof s.isInEvent !== 'boolean' || ![s.points, s.flagPoint, s.flagTime, s.normalRun, s.events, s.held].every(isNum)) {
      throw new SightlineError('ANOMALY_STATE_INVALID', 'Not an event_gate snapshot', { kind: snapshot.kind });
    }
    const gate = new EventGate(snapshot.options);
    gate.#points = s.points!;
    gate.#isInEvent = s.isInEvent;
    gate.#flagPoint = s.flagPoint!;
    gate.#flagTime = s.flagTime!;
    gate.#normalRun = s.normalRun!;
    gate.#events = s.events!;
    gate.#held = s.held!;
    return gate;
  }
}

/** Serialisable {@link EventGate} state. */
export interface EventGateSnapshot {
  readonly kind: 'event_gate';
  readonly options: EventGateOptions;
  readonly state: { readonly points: number; readonly isInEvent: boolean; readonly flagPoint: number; readonly flagTime: number; readonly normalRun: number; readonly events: number; readonly held: number };
}
