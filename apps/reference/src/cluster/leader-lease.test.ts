import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SightlineError } from '@sightline/core';
import pg from 'pg';
import { testDatabases } from '../../test/databases.js';
import { LEADER_LOCK_KEY, LeaderLease } from './leader-lease.js';

const CHECK_MS = 50;
const postgres = testDatabases.find((d) => d.name === 'postgres');
if (postgres === undefined) console.warn('\n*** DATABASE_URL is not set: the LeaderLease tests on PostgreSQL are SKIPPED (CI sets it) ***\n');
const withPostgres = postgres === undefined ? describe.skip : describe;

/** Polls `check` (the lease runs real timers) until it returns a value, or fails naming `what`. */
async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 40 * CHECK_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LeaderLease', () => {
  it('without a database URL (embedded PGlite) is the leader until closed', async () => {
    const changes: boolean[] = [];
    const lease = await LeaderLease.start({ onChange: (isLeader) => changes.push(isLeader) });
    expect(lease.isLeader).toBe(true);
    await lease.close();
    await lease.close();
    expect(lease.isLeader).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('refuses an interval that is not a positive duration', async () => {
    for (const intervalMs of [0, -1, Number.NaN]) {
      const started = LeaderLease.start({ databaseUrl: 'postgres://127.0.0.1:1/none', intervalMs });
      await expect(started).rejects.toThrow(SightlineError);
      await expect(started).rejects.toMatchObject({ code: 'LEADER_INTERVAL_INVALID' });
    }
  });

  it('is a follower, not a crash, while the database cannot be reached', async () => {
    const errors: unknown[] = [];
    const lease = await LeaderLease.start({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', intervalMs: CHECK_MS, onError: (error) => errors.push(error) });
    try {
      expect(lease.isLeader).toBe(false);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await lease.close();
    }
  });
});

withPostgres('LeaderLease on PostgreSQL', () => {
  let databaseUrl: string;
  let drop: () => Promise<void>;
  let admin: pg.Client;

  beforeAll(async () => {
    const created = await postgres!.create();
    databaseUrl = created.options.databaseUrl!;
    drop = created.drop;
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await drop?.();
  });

  const holders = async () =>
    (await admin.query<{ pid: number }>(`select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database()) and ((classid::bigint << 32) | objid::bigint) = $1`, [LEADER_LOCK_KEY.toString()])).rows;

  it('gives the lock to one lease; closing it hands leadership to the other', async () => {
    const first = await LeaderLease.start({ databaseUrl, intervalMs: CHECK_MS });
    const second = await LeaderLease.start({ databaseUrl, intervalMs: CHECK_MS });
    try {
      expect([first.isLeader, second.isLeader]).toEqual([true, false]);
      expect(await holders()).toHaveLength(1);
      await first.close();
      expect(first.isLeader).toBe(false);
      await eventually('the second lease to lead', () => (second.isLeader ? true : undefined));
      expect(await holders()).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
    expect(await holders()).toHaveLength(0);
  });

  it('steps down at once when its session is ended, then competes again', async () => {
    const changes: boolean[] = [];
    const lease = await LeaderLease.start({ databaseUrl, intervalMs: CHECK_MS, onChange: (isLeader) => changes.push(isLeader) });
    try {
      expect(lease.isLeader).toBe(true);
      const [holder] = await holders();
      await admin.query('select pg_terminate_backend($1)', [holder!.pid]);
      await eventually('the lease to step down', () => (changes.includes(false) ? true : undefined));
      // Alone on the database, it reconnects and takes the lock again on a new session.
      await eventually('the lease to lead again', () => (changes.length === 3 ? true : undefined));
      expect(changes).toEqual([true, false, true]);
      expect(lease.isLeader).toBe(true);
      expect((await holders())[0]!.pid).not.toBe(holder!.pid);
    } finally {
      await lease.close();
    }
  });
});
