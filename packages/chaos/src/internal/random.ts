import { seededRandom } from '@sightline/core';

/** A seeded pseudo-random source (core's mulberry32) so injected faults are reproducible in tests. */
export type Random = () => number;

export function createRandom(seed = Date.now()): Random {
  return seededRandom(seed);
}

/** Standard normal sample by Box–Muller; `1 - u` keeps log away from 0. */
export function sampleNormal(random: Random, mean: number, stdDev: number): number {
  const u = 1 - random();
  const v = random();
  return mean + stdDev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
