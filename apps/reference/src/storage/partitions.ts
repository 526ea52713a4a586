import { SightlineError } from '@sightline/core';
import type { Queryable } from './database.js';

const DAY_MS = 86_400_000;

/** The signal tables partitioned by UTC day of their time column (migration 14), each with a DEFAULT partition. */
export const DAY_PARTITIONED_TABLES = ['spans', 'logs', 'metric_points'] as const;

export type DayPartitionedTable = (typeof DAY_PARTITIONED_TABLES)[number];

/** How many days from today on have a partition ready: today, tomorrow and the day after. */
const DAYS_AHEAD = 3;

/**
 * Makes sure spans, logs and metric points have a partition for each UTC day from the day of
 * `nowMs` (epoch ms) to two days later, moving rows of a newly covered day out of DEFAULT.
 * Idempotent and safe from several replicas at once (see `ensure_day_partition`, migration 14).
 * Returns the partitions it created.
 */
export async function ensurePartitions(db: Queryable, nowMs: number): Promise<string[]> {
  const today = Math.floor(checkedTime(nowMs) / DAY_MS) * DAY_MS;
  const created: string[] = [];
  for (const table of DAY_PARTITIONED_TABLES) {
    for (let n = 0; n < DAYS_AHEAD; n++) {
      const day = new Date(today + n * DAY_MS).toISOString().slice(0, 10);
      // One statement, so one transaction each: the advisory lock inside is held only for this day.
      const [row] = await db.query<{ created: boolean }>('select ensure_day_partition($1::regclass, $2::date) as created', [table, day]);
      if (row?.created === true) created.push(`${table}_p${day.replaceAll('-', '')}`);
    }
  }
  return created;
}

/** One day partition of a signal table: its name and the range of times it holds, [fromMs, toMs). */
export interface DayPartition {
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The range partitions of `table` (DEFAULT left out), oldest first, read from the catalog. */
export async function listDayPartitions(db: Queryable, table: DayPartitionedTable): Promise<DayPartition[]> {
  const rows = await db.query<{ name: string; bound: string }>(
    `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
     from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = $1::regclass`,
    [table],
  );
  const partitions: DayPartition[] = [];
  for (const { name, bound } of rows) {
    // "FOR VALUES FROM ('1796256000000') TO ('1796342400000')"; DEFAULT has no range.
    const range = /FROM \('?([^')]+)'?\) TO \('?([^')]+)'?\)/.exec(bound);
    if (range === null) continue;
    partitions.push({ name, fromMs: Number(range[1]), toMs: Number(range[2]) });
  }
  return partitions.sort((a, b) => a.fromMs - b.fromMs);
}

/** The last day whose partition (and the two after it) still has a four-digit year in its name. */
const LATEST_TIME_MS = Date.UTC(9999, 11, 28);

function checkedTime(nowMs: number): number {
  if (!(nowMs >= 0 && nowMs <= LATEST_TIME_MS)) {
    throw new SightlineError('PARTITION_TIME_INVALID', `ensurePartitions: nowMs must be epoch ms between 1970 and 9999-12-28, got ${nowMs}`, { nowMs });
  }
  return nowMs;
}
