import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import { checkPoint, type Detector, type DetectorResult, type DetectorSnapshot } from './detector.js';

/**
 * How members combine: `max` (the most alarmed member decides), `weighted_mean` (scores
 * averaged with weights; anomalous when the mean reaches 0.5, i.e. the members' common
 * threshold), or `vote` (anomalous when at least `k` members say so; score = mean of the
 * anomalous members' scores).
 */
export type EnsembleRule = { rule: 'max' } | { rule: 'weighted_mean'; weights: readonly number[] } | { rule: 'vote'; k: number };

/** Several detectors on the same series, combined by a documented rule. */
export class EnsembleDetector implements Detector {
  readonly name = 'ensemble';

  constructor(
    readonly members: readonly Detector[],
    readonly combine: EnsembleRule = { rule: 'max' },
  ) {
    const bad =
      members.length === 0 ||
      (combine.rule === 'weighted_mean' && (combine.weights.length !== members.length || combine.weights.some((w) => !(w >= 0)) || combine.weights.every((w) => w === 0))) ||
      (combine.rule === 'vote' && (!Number.isInteger(combine.k) || combine.k < 1 || combine.k > members.length));
    if (bad) throw new SightlineError('ANOMALY_OPTIONS_INVALID', `ensemble: needs members, one non-negative weight per member (not all zero), or 1 <= k <= members; got ${JSON.stringify(combine)} for ${members.length} members`, { combine });
  }

  #last = Number.NEGATIVE_INFINITY;

  update(point: TimeSeriesPoint): DetectorResult {
    // Checked once here, so a bad point cannot reach some members and not others.
    checkPoint(point, this.#last, this.name);
    this.#last = point.timestamp;
    // Every member learns from every point, even when another has already decided.
    const results = this.members.map((m) => m.update(point));
    const ready = results.filter((r) => !r.warmingUp);
    if (ready.length === 0) return results[0]!;
    const top = ready.reduce((a, b) => (b.score > a.score ? b : a));
    let score: number;
    let anomalous: boolean;
    switch (this.combine.rule) {
      case 'max':
        score = top.score;
        anomalous = ready.some((r) => r.anomalous);
        break;
      case 'weighted_mean': {
        const weights = this.combine.weights;
        let total = 0;
        let sum = 0;
        results.forEach((r, i) => {
          if (!r.warmingUp) {
            total += weights[i]!;
            sum += weights[i]! * r.score;
          }
        });
        score = total === 0 ? 0 : sum / total;
        anomalous = score >= 0.5;
        break;
      }
      case 'vote': {
        const votes = ready.filter((r) => r.anomalous);
        anomalous = votes.length >= this.combine.k;
        score = votes.length === 0 ? 0 : votes.reduce((s, r) => s + r.score, 0) / votes.length;
        break;
      }
    }
    return { ...top, score, anomalous, reason: anomalous ? top.reason : 'within the expected band', warmingUp: false };
  }

  snapshot(): DetectorSnapshot {
    return { kind: 'ensemble', options: { combine: this.combine }, state: { members: this.members.map((m) => m.snapshot()), last: Number.isFinite(this.#last) ? this.#last : null } };
  }

  /** Rebuilds an ensemble from its snapshot, given its members already restored. */
  static restore(snapshot: DetectorSnapshot, members: readonly Detector[]): EnsembleDetector {
    const ensemble = new EnsembleDetector(members, (snapshot.options as { combine: EnsembleRule }).combine);
    const last = (snapshot.state as { last?: unknown }).last;
    ensemble.#last = typeof last === 'number' ? last : Number.NEGATIVE_INFINITY;
    return ensemble;
  }
}
