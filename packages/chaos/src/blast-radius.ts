import { SightlineError } from '@sightline/core';
import { createRandom } from './internal/random.js';

/** Something faults can target: a proxy, a process, a service instance. */
export interface Target {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Which targets a fault may touch (Gremlin / AWS FIS style blast radius). */
export interface BlastRadius {
  /** Every label must match exactly. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Percentage 0..100 of the matching targets to pick, rounded up (default 100). */
  readonly percentage?: number;
  /** Hard cap on picked targets. */
  readonly maxTargets?: number;
  /** Seed, so the same targets are picked on a re-run. */
  readonly seed?: number;
}

/**
 * Picks the targets for a fault: filter by labels, take a seeded random `percentage`, cap at
 * `maxTargets`. Throws `CHAOS_BLAST_RADIUS_INVALID` for a percentage outside 0..100.
 * @example
 * selectTargets(instances, { selector: { app: 'checkout' }, percentage: 25, seed: 1 });
 */
export function selectTargets<T extends Target>(targets: readonly T[], radius: BlastRadius = {}): T[] {
  const percentage = radius.percentage ?? 100;
  if (!(percentage >= 0 && percentage <= 100)) throw new SightlineError('CHAOS_BLAST_RADIUS_INVALID', `percentage must be 0..100, got ${percentage}`, { percentage });
  if (radius.maxTargets !== undefined && !(Number.isInteger(radius.maxTargets) && radius.maxTargets >= 0)) {
    throw new SightlineError('CHAOS_BLAST_RADIUS_INVALID', `maxTargets must be an integer >= 0, got ${radius.maxTargets}`, { maxTargets: radius.maxTargets });
  }
  const selector = Object.entries(radius.selector ?? {});
  const matching = targets.filter((t) => selector.every(([k, v]) => t.labels[k] === v));
  const random = createRandom(radius.seed ?? 0);
  // Fisher–Yates with the seeded random: an unbiased pick that is stable per seed.
  const shuffled = [...matching];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
  }
  const count = Math.min(Math.ceil((matching.length * percentage) / 100), radius.maxTargets ?? Number.POSITIVE_INFINITY);
  return shuffled.slice(0, count);
}
