import type { AuditBlock, AuditEntry, AuditSink, SealedBlock } from '@sightline/abac';
import type { Database } from '../storage/database.js';

/**
 * Sealed audit blocks in the `audit_blocks` table, stored as the exact text that was hashed, so
 * verification recomputes the same bytes. Rows are only ever inserted.
 */
export class PgAuditSink implements AuditSink {
  constructor(readonly db: Database) {}

  async append(block: SealedBlock): Promise<void> {
    await this.db.query(`insert into audit_blocks (prev_hash, hash, entries_json) values ($1, $2, $3)`, [block.prevHash, block.hash, block.entriesJson]);
  }

  /** Every block in order, for verification. */
  async read(): Promise<AuditBlock[]> {
    const rows = await this.db.query<{ prev_hash: string; hash: string; entries_json: string }>(`select prev_hash, hash, entries_json from audit_blocks order by id`);
    return rows.map((r) => ({ prevHash: r.prev_hash, hash: r.hash, entries: JSON.parse(r.entries_json) as AuditEntry[] }));
  }

  /** Where the chain ends: the hash and sequence number a new trail continues from. */
  async tail(): Promise<{ lastHash?: string; lastSeq?: number }> {
    const [row] = await this.db.query<{ hash: string; entries_json: string }>(`select hash, entries_json from audit_blocks order by id desc limit 1`);
    if (row === undefined) return {};
    const entries = JSON.parse(row.entries_json) as AuditEntry[];
    return { lastHash: row.hash, lastSeq: entries[entries.length - 1]?.seq ?? 0 };
  }

  /** The newest entries, newest first; only `principal`'s own decisions when given. */
  async recent(limit: number, principal?: string): Promise<AuditEntry[]> {
    // A block holds many entries, so `limit` blocks always hold at least `limit` matching entries.
    const rows =
      principal === undefined
        ? await this.db.query<{ entries_json: string }>(`select entries_json from audit_blocks order by id desc limit $1`, [Math.max(1, limit)])
        : await this.db.query<{ entries_json: string }>(`select entries_json from audit_blocks where entries_json::jsonb @> $2::jsonb order by id desc limit $1`, [Math.max(1, limit), JSON.stringify([{ principal }])]);
    const entries = rows.flatMap((r) => (JSON.parse(r.entries_json) as AuditEntry[]).reverse());
    return (principal === undefined ? entries : entries.filter((e) => e.principal === principal)).slice(0, limit);
  }
}
