import type { Database, Queryable } from './database.js';
import { listDayPartitions, type DayPartitionedTable } from './partitions.js';

/** How long each signal is kept, in ms. */
export interface RetentionPolicy {
  spans: number;
  logs: number;
  metrics: number;
  /** Resolved alerts (and their delivery records); firing alerts are never deleted. */
  alerts: number;
}

/**
 * Removes what is older than its retention at `nowMs` (epoch ms); returns the rows removed per
 * signal. Spans, logs and metric points lose whole day partitions that end at or before their
 * cutoff (dropped, not deleted row by row); only the day that straddles the cutoff and the
 * DEFAULT partition are deleted from by row.
 */
export async function enforceRetention(db: Database, policy: RetentionPolicy, nowMs: number): Promise<Record<keyof RetentionPolicy, number>> {
  const alertCutoff = nowMs - policy.alerts;
  await db.query(`delete from alert_deliveries where alert_id in (select id from alerts where status = 'resolved' and ends_at < $1)`, [alertCutoff]);
  const spanCutoff = nowMs - policy.spans;
  const spans = await expireSignal(db, 'spans', 'start_ms', spanCutoff);
  await expireTraceSummaries(db, spanCutoff);
  // The per-minute rollups of the service views follow the spans they count (minutes wholly expired).
  await db.query('delete from service_rollups where minute_ms <= $1', [spanCutoff - 60_000]);
  await db.query('delete from service_edges where minute_ms <= $1', [spanCutoff - 60_000]);
  await db.query('delete from service_rollups_hourly where hour_ms <= $1', [spanCutoff - 3_600_000]);
  await db.query('delete from service_edges_hourly where hour_ms <= $1', [spanCutoff - 3_600_000]);
  await db.query('delete from service_versions where last_ms < $1', [spanCutoff]);
  return {
    spans,
    logs: await expireSignal(db, 'logs', 'time_ms', nowMs - policy.logs),
    metrics: await expireSignal(db, 'metric_points', 'time_ms', nowMs - policy.metrics),
    alerts: (await db.query(`delete from alerts where status = 'resolved' and ends_at < $1 returning 1`, [alertCutoff])).length,
  };
}

/** Drops the day partitions of `table` wholly before `cutoffMs`, then deletes the older rows left. */
async function expireSignal(db: Database, table: DayPartitionedTable, timeColumn: string, cutoffMs: number): Promise<number> {
  let removed = 0;
  for (const partition of await listDayPartitions(db, table)) {
    if (partition.toMs > cutoffMs) break;
    removed += await dropPartition(db, partition.name);
  }
  // Through the parent, so partition pruning limits it to the straddling day and DEFAULT, and the
  // span-delete trigger (statement level, on the parent) refreshes the summaries it touches.
  const [deleted] = await db.query<{ count: number }>(
    `with gone as (delete from ${table} where ${timeColumn} < $1 returning 1) select count(*)::int as count from gone`,
    [cutoffMs],
  );
  return removed + (deleted?.count ?? 0);
}

/** Counts the rows of a day partition and drops it, in one transaction; returns the count. */
async function dropPartition(db: Database, name: string): Promise<number> {
  const table = quoteIdentifier(name);
  try {
    return await db.transaction(async (tx) => {
      // SHARE keeps writers to this one day out between the count and the drop; readers and
      // other days carry on (DROP takes its exclusive locks only at the end).
      await tx.query(`lock table ${table} in share mode`);
      const [row] = await tx.query<{ count: number }>(`select count(*)::int as count from ${table}`);
      await tx.query(`drop table ${table}`);
      return row?.count ?? 0;
    });
  } catch (error) {
    // Another replica (a leader handing over) dropped it first: the rows are gone, counted there.
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return 0;
    throw error;
  }
}

const UNDEFINED_TABLE = '42P01';

/**
 * No trigger fires on DROP: summaries of traces wholly before the cutoff are deleted here, and
 * those of traces that kept later spans are recomputed from what is left. (Traces that lost rows
 * to the row-level delete were refreshed by the trigger already and now start after the cutoff.)
 */
async function expireTraceSummaries(db: Queryable, cutoffMs: number): Promise<void> {
  await db.query('delete from trace_summaries where start_ms < $1 and last_start_ms < $1', [cutoffMs]);
  await db.query('select refresh_trace_summaries(array(select trace_id from trace_summaries where start_ms < $1))', [cutoffMs]);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
