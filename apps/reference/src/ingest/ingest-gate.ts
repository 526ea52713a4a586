/**
 * Bounds concurrent ingest writes. Every accepted request is written before it is answered
 * (a 2xx means stored); when `limit` writes are already in flight the next request is refused
 * at once (503 + Retry-After) instead of queueing without bound.
 */
export class IngestGate {
  #inFlight = 0;
  #refused = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests refused since start. */
  get refused(): number {
    return this.#refused;
  }

  /** Runs `write` if there is room; returns `undefined` (and counts a refusal) when there is not. */
  async run<T>(write: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.#inFlight >= this.limit) {
      this.#refused++;
      return undefined;
    }
    this.#inFlight++;
    try {
      return { value: await write() };
    } finally {
      this.#inFlight--;
    }
  }
}
