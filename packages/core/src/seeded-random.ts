/**
 * A small seeded generator (mulberry32): uniform in [0, 1), reproducible from `state`, a plain
 * number a caller can store (detector snapshots) and restore. For reproducible tests, samples and
 * injected faults — not for anything secret.
 */
export class SeededRandom {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
}

/** A seeded `() => number` in [0, 1), for APIs that take a `Math.random`-like function. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
