import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Random } from '../internal/random.js';
import type { Toxic, ToxicStream } from './toxic.js';

/** How a connection reads the proxy's current toxics (so toxics added later apply to open connections). */
export interface ToxicSource {
  toxics(): readonly Toxic[];
  /** Counts that a toxic touched a connection (for fault stats). */
  record(toxic: Toxic, kind: 'affected' | 'error'): void;
}

/**
 * One client ↔ upstream pair. Each direction processes chunks one at a time (the source is
 * paused meanwhile), so latency and bandwidth toxics delay data in order, as on a real link.
 */
export class ProxyConnection {
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #source: ToxicSource;
  readonly #random: Random;
  readonly #rolls = new Map<string, boolean>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #bytes = { upstream: 0, downstream: 0 };
  #closed = false;
  readonly #chains = { upstream: Promise.resolve(), downstream: Promise.resolve() };
  readonly closed: Promise<void>;

  constructor(client: Socket, upstream: Socket, source: ToxicSource, random: Random) {
    this.#client = client;
    this.#upstream = upstream;
    this.#source = source;
    this.#random = random;
    let resolveClosed: () => void = () => undefined;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.#pipe(client, upstream, 'upstream');
    this.#pipe(upstream, client, 'downstream');
    const onClose = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      for (const timer of this.#timers.values()) clearTimeout(timer);
      this.#timers.clear();
      client.destroy();
      upstream.destroy();
      resolveClosed();
    };
    client.on('close', onClose);
    client.on('error', onClose);
    upstream.on('error', onClose);
    // The server closing is not the end for the client yet: data and a slow_close may still be queued.
    upstream.on('close', () => void this.#chains.downstream.then(onClose));
    this.refresh();
  }

  /** Arms connection-level toxics (timeout, reset_peer) that are new, disarms removed ones. */
  refresh(): void {
    const current = new Set<string>();
    for (const toxic of this.#source.toxics()) {
      if (toxic.type !== 'timeout' && toxic.type !== 'reset_peer') continue;
      current.add(toxic.name);
      if (this.#timers.has(toxic.name) || !this.#applies(toxic)) continue;
      const ms = toxic.attributes.timeout ?? 0;
      if (toxic.type === 'timeout' && ms === 0) continue; // timeout 0: hold forever, data is dropped in #pump
      this.#source.record(toxic, 'error');
      const timer = setTimeout(() => {
        if (toxic.type === 'reset_peer') this.#client.resetAndDestroy();
        else this.destroy();
      }, ms);
      this.#timers.set(toxic.name, timer);
    }
    for (const [name, timer] of this.#timers) {
      if (!current.has(name)) {
        clearTimeout(timer);
        this.#timers.delete(name);
      }
    }
  }

  destroy(): void {
    this.#client.destroy();
    this.#upstream.destroy();
  }

  #applies(toxic: Toxic): boolean {
    // Toxicity is rolled once per connection and toxic, as toxiproxy does.
    let applies = this.#rolls.get(toxic.name);
    if (applies === undefined) {
      applies = this.#random() < toxic.toxicity;
      this.#rolls.set(toxic.name, applies);
      if (applies) this.#source.record(toxic, 'affected');
    }
    return applies;
  }

  #active(stream: ToxicStream): Toxic[] {
    return this.#source.toxics().filter((t) => t.stream === stream && this.#applies(t));
  }

  #pipe(from: Socket, to: Socket, stream: ToxicStream): void {
    const chains = this.#chains;
    from.on('data', (chunk: Buffer) => {
      from.pause();
      chains[stream] = chains[stream].then(() => this.#pump(chunk, to, stream)).then(() => {
        if (!this.#closed) from.resume();
      });
    });
    from.on('end', () => {
      chains[stream] = chains[stream].then(async () => {
        const slow = this.#active(stream).find((t) => t.type === 'slow_close');
        if (slow) await delay(slow.attributes.delay ?? 0);
        to.end();
      });
    });
  }

  async #pump(chunk: Buffer, to: Socket, stream: ToxicStream): Promise<void> {
    let pieces: Buffer[] = [chunk];
    let pieceDelayMs = 0;
    for (const toxic of this.#active(stream)) {
      const a = toxic.attributes;
      switch (toxic.type) {
        case 'timeout':
          // Data stops flowing; the timer armed in refresh() closes the connection if timeout > 0.
          return;
        case 'latency': {
          const jitter = a.jitter ?? 0;
          await delay(Math.max(0, (a.latency ?? 0) + jitter * (2 * this.#random() - 1)));
          break;
        }
        case 'bandwidth': {
          const rate = a.rate ?? 0;
          if (rate > 0) await delay((chunk.length / (rate * 1024)) * 1000);
          break;
        }
        case 'slicer':
          pieces = slice(pieces, a.average_size ?? 0, a.size_variation ?? 0, this.#random);
          pieceDelayMs = (a.delay ?? 0) / 1000;
          break;
        case 'limit_data': {
          const limit = a.bytes ?? 0;
          const left = limit - this.#bytes[stream];
          if (chunk.length >= left) {
            if (left > 0) to.write(chunk.subarray(0, left));
            this.#bytes[stream] = limit;
            this.#source.record(toxic, 'error');
            to.end();
            this.destroy();
            return;
          }
          break;
        }
        case 'slow_close':
        case 'reset_peer':
          break;
      }
    }
    this.#bytes[stream] += chunk.length;
    for (const [i, piece] of pieces.entries()) {
      if (this.#closed) return;
      to.write(piece);
      if (pieceDelayMs > 0 && i < pieces.length - 1) await delay(pieceDelayMs);
    }
  }
}

function slice(pieces: Buffer[], average: number, variation: number, random: Random): Buffer[] {
  if (average <= 0) return pieces;
  const out: Buffer[] = [];
  for (const piece of pieces) {
    let offset = 0;
    while (offset < piece.length) {
      const size = Math.max(1, Math.round(average + variation * (2 * random() - 1)));
      out.push(piece.subarray(offset, offset + size));
      offset += size;
    }
  }
  return out;
}
