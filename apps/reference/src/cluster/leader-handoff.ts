import type { Queryable } from '../storage/database.js';

/**
 * Items a follower replica passes to the leader through the database: each replica ingests a
 * share of the traffic, and what only the leader computes (SLO burn rates, derived request
 * series, anomaly detection) must see all of it. Followers `send`; the leader `take`s a channel's
 * rows, deleting them in the caller's transaction so that each item is taken once: when that
 * transaction rolls back, the rows are there for the next take.
 */
export class LeaderHandOff<T> {
  constructor(private readonly channel: string) {}

  async send(db: Queryable, items: readonly T[]): Promise<void> {
    if (items.length === 0) return;
    await db.query(`insert into leader_handoff (channel, payload) select $1, value from jsonb_array_elements($2::jsonb)`, [this.channel, JSON.stringify(items)]);
  }

  /** Every item sent on the channel and not taken yet, oldest first. */
  async take(tx: Queryable): Promise<T[]> {
    const rows = await tx.query<{ payload: T }>(
      `with taken as (delete from leader_handoff where channel = $1 returning id, payload) select payload from taken order by id`,
      [this.channel],
    );
    return rows.map((row) => row.payload);
  }
}

/** A follower's items waiting for the next send on a channel; kept for the next one when a send fails. */
export class HandOffQueue<T> {
  #items: T[] = [];

  constructor(private readonly channel: LeaderHandOff<T>) {}

  push(items: readonly T[]): void {
    this.#items.push(...items);
  }

  async send(db: Queryable): Promise<void> {
    const items = this.#items.splice(0);
    try {
      await this.channel.send(db, items);
    } catch (error) {
      this.#items.unshift(...items);
      throw error;
    }
  }
}
