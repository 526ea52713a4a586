import { describe, expect, it } from '@jest/globals';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { testDatabases } from '../../test/databases.js';
import { useMigratedDatabase } from '../../test/memory-db.js';
import type { Database } from './database.js';
import { SpanWriter } from './span-writer.js';

let nextTrace = 0;

/** A trace of `n` spans of `service`. */
function trace(n: number, service = 'cart', over: Partial<SpanRow> = {}): SpanRow[] {
  const traceId = (++nextTrace).toString(16).padStart(32, '0');
  return Array.from({ length: n }, (_, i) => ({
    trace_id: traceId, span_id: (i + 1).toString(16).padStart(16, '0'), parent_span_id: i === 0 ? null : '1'.padStart(16, '0'), service, name: `op ${i}`,
    kind: i === 0 ? 2 : 1, start_ms: 1_000 + i, duration_ms: 10, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null,
    ...over,
  }));
}

/** The database, counting the transactions started on it. */
function counting(db: Database): Database & { transactions: number } {
  const counted = { ...db, transactions: 0, transaction: <T>(work: Parameters<Database['transaction']>[0]) => (counted.transactions++, db.transaction(work) as Promise<T>) };
  return counted;
}

describe.each(testDatabases)('SpanWriter on $name', (database) => {
  const t = useMigratedDatabase(database);

  async function stored(traceId: string): Promise<{ spans: number; summarised: number | undefined }> {
    const [spans] = await t.db.query<{ n: number }>('select count(*)::int as n from spans where trace_id = $1', [traceId]);
    const [summary] = await t.db.query<{ span_count: number }>('select span_count from trace_summaries where trace_id = $1', [traceId]);
    return { spans: spans!.n, summarised: summary?.span_count };
  }

  it('joins the batches that wait while a transaction runs into one transaction, and resolves each once committed', async () => {
    const db = counting(t.db);
    const writer = new SpanWriter(db, { maxConcurrentTransactions: 1 });
    const batches = Array.from({ length: 5 }, () => trace(20));
    await Promise.all(batches.map((b) => writer.write(b)));
    // The first batch found the writer idle and went alone; the four that waited went together.
    expect(db.transactions).toBe(2);
    for (const batch of batches) expect(await stored(batch[0]!.trace_id)).toEqual({ spans: 20, summarised: 20 });
  });

  it('keeps a joined transaction under the span limit, a larger batch going alone', async () => {
    const db = counting(t.db);
    const writer = new SpanWriter(db, { maxConcurrentTransactions: 1, maxSpansPerTransaction: 30 });
    await Promise.all([trace(5), trace(20), trace(20), trace(50), trace(10)].map((b) => writer.write(b)));
    // [5] alone (idle writer), then [20] (20 + 20 > 30), [20], [50] alone, [10].
    expect(db.transactions).toBe(5);
  });

  it('fails only the batch at fault when a joined transaction fails, and stores the others', async () => {
    const writer = new SpanWriter(t.db, { maxConcurrentTransactions: 1 });
    const first = trace(3);
    const bad = trace(3, 'cart', { kind: 70_000 }); // out of the column's range: the database refuses the row
    const good = trace(3);
    const results = await Promise.allSettled([writer.write(first), writer.write(bad), writer.write(good)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await stored(good[0]!.trace_id)).toEqual({ spans: 3, summarised: 3 });
    expect(await stored(bad[0]!.trace_id)).toEqual({ spans: 0, summarised: undefined });
  });

  it('stores a span sent twice once, when both sends share a transaction', async () => {
    const writer = new SpanWriter(t.db, { maxConcurrentTransactions: 1 });
    const spans = trace(4);
    await Promise.all([writer.write(trace(1)), writer.write(spans), writer.write(spans.slice(1)), writer.write([...spans, spans[0]!])]);
    expect(await stored(spans[0]!.trace_id)).toEqual({ spans: 4, summarised: 4 });
  });
});
