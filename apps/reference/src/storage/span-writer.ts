import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database } from './database.js';
import { insertSpans } from './span-store.js';

/** How {@link SpanWriter} groups concurrent batches. */
export interface SpanWriterOptions {
  /** Batches are joined into one transaction up to this many spans (a single larger batch goes alone). Default 16,384. */
  readonly maxSpansPerTransaction?: number;
  /** Transactions storing spans at once. Default 2: more only queue on the same rows and cores. */
  readonly maxConcurrentTransactions?: number;
}

interface PendingWrite {
  readonly spans: readonly SpanRow[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Stores span batches from concurrent requests, joining the batches that wait while the
 * database is busy into one transaction: a transaction has a fixed cost (commit, the summary and
 * rollup statement, locks on the rows of the current minute) that 8 requests of 512 spans would
 * otherwise pay 8 times. A batch alone on an idle writer is stored at once, so this adds no
 * latency when there is no queue. `write` resolves once its spans are committed, so a 200 still
 * means stored. When a joined transaction fails, each of its batches is retried alone, so a
 * batch fails only for its own reason.
 */
export class SpanWriter {
  private readonly queue: PendingWrite[] = [];
  private running = 0;
  private readonly maxSpans: number;
  private readonly maxRunning: number;

  constructor(
    private readonly db: Database,
    options: SpanWriterOptions = {},
  ) {
    this.maxSpans = options.maxSpansPerTransaction ?? 16_384;
    this.maxRunning = options.maxConcurrentTransactions ?? 2;
  }

  /** Stores `spans`; resolves when they are committed (see insertSpans for what is stored). */
  write(spans: readonly SpanRow[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ spans, resolve, reject });
      this.startTransactions();
    });
  }

  private startTransactions(): void {
    while (this.running < this.maxRunning && this.queue.length > 0) {
      const group = this.takeGroup();
      this.running++;
      void this.store(group).finally(() => {
        this.running--;
        this.startTransactions();
      });
    }
  }

  /** The oldest waiting batches, in order, up to the span limit (at least one batch). */
  private takeGroup(): PendingWrite[] {
    const group = [this.queue.shift()!];
    let spans = group[0]!.spans.length;
    while (this.queue.length > 0 && spans + this.queue[0]!.spans.length <= this.maxSpans) {
      const next = this.queue.shift()!;
      spans += next.spans.length;
      group.push(next);
    }
    return group;
  }

  private async store(group: readonly PendingWrite[]): Promise<void> {
    try {
      await insertSpans(this.db, group.length === 1 ? group[0]!.spans : group.flatMap((w) => w.spans));
      for (const write of group) write.resolve();
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const write of group) {
        await insertSpans(this.db, write.spans).then(write.resolve, write.reject);
      }
    }
  }
}
