import { SightlineError } from '@sightline/core';
import type pg from 'pg';

/**
 * The advisory lock every replica of one database competes for: a fixed 64-bit key
 * ("sightlin" as big-endian ASCII), so no other application's lock on the same database collides
 * with it by accident.
 */
export const LEADER_LOCK_KEY = 0x73_69_67_68_74_6c_69_6en;

/** Default: try for the lock (and check that the held one is still alive) every 2 s. */
export const DEFAULT_LEADER_CHECK_INTERVAL_MS = 2_000;

export interface LeaderLeaseOptions {
  /** `postgres://...` to compete for the lock; absent (embedded PGlite, one process owns the files): always leader. */
  databaseUrl?: string;
  /** How often a follower tries for the lock and a leader checks its connection, ms (default 2 s). */
  intervalMs?: number;
  /** Called once per change of leadership, `true` on gain and `false` on loss. */
  onChange?: (isLeader: boolean) => void;
  /** Connection or query failures while competing (the lease keeps trying). */
  onError?: (error: unknown) => void;
}

/**
 * Leadership among replicas that share one PostgreSQL database: the replica holding the
 * session-level `pg_try_advisory_lock(LEADER_LOCK_KEY)` on its own dedicated connection is the
 * leader. PostgreSQL releases the lock when that session ends (the process dies, the connection
 * drops, `pg_terminate_backend`), so a follower's next try takes over; the old leader learns of
 * the drop from its client's `error`/`end` event (or the next liveness query) and stops at once.
 * On embedded PGlite the process owns the database and is always the leader.
 */
export class LeaderLease {
  readonly #url: string | undefined;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(isLeader: boolean) => void>();
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | undefined;
  #isLeader = false;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #closed = false;

  private constructor(options: LeaderLeaseOptions) {
    this.#url = options.databaseUrl;
    this.#intervalMs = options.intervalMs ?? DEFAULT_LEADER_CHECK_INTERVAL_MS;
    if (!(Number.isFinite(this.#intervalMs) && this.#intervalMs > 0)) throw new SightlineError('LEADER_INTERVAL_INVALID', `the leader check interval must be a duration > 0 ms, got ${String(options.intervalMs)}`, { intervalMs: options.intervalMs });
    if (options.onChange !== undefined) this.#listeners.add(options.onChange);
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Starts competing: resolves after the first try, so `isLeader` is already meaningful. */
  static async start(options: LeaderLeaseOptions = {}): Promise<LeaderLease> {
    const lease = new LeaderLease(options);
    if (lease.#url === undefined) {
      lease.#set(true);
      return lease;
    }
    await lease.#check();
    lease.#timer = setInterval(() => {
      lease.#checking ??= lease.#check().finally(() => (lease.#checking = undefined));
    }, lease.#intervalMs);
    lease.#timer.unref();
    return lease;
  }

  /** Whether this replica runs the leader-only work now. */
  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** Also calls `listener` on every change of leadership; returns the way to stop. */
  onChange(listener: (isLeader: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Gives up leadership (ending the lock's session releases the lock) and stops competing. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#checking;
    await this.#drop();
  }

  /** One round: a leader proves its session is alive, a follower tries for the lock. */
  async #check(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#isLeader) {
        await this.#client!.query('select 1');
        return;
      }
      const client = this.#client ?? (await this.#connect());
      const rows = (await client.query<{ acquired: boolean }>('select pg_try_advisory_lock($1) as acquired', [LEADER_LOCK_KEY.toString()])).rows;
      if (this.#closed) return void (await this.#drop());
      if (rows[0]?.acquired === true && this.#client === client) this.#set(true);
    } catch (error) {
      this.#onError(error);
      void this.#drop();
    }
  }

  async #connect(): Promise<pg.Client> {
    const { default: pgModule } = await import('pg');
    // A partitioned leader must not go on leading on a query that never answers: the liveness
    // query gives up after two intervals (at least 5 s), and TCP keepalive ends a dead session.
    const client = new pgModule.Client({ connectionString: this.#url, application_name: 'sightline-leader-lease', keepAlive: true, query_timeout: Math.max(2 * this.#intervalMs, 5_000), connectionTimeoutMillis: Math.max(2 * this.#intervalMs, 5_000) });
    // The session is the lease: when it ends, so does leadership, at once.
    const lost = (error?: unknown) => {
      if (this.#client !== client) return;
      if (error !== undefined) this.#onError(error);
      void this.#drop();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    this.#client = client;
    try {
      await client.connect();
    } catch (error) {
      this.#client = undefined;
      throw error;
    }
    return client;
  }

  /** Forgets the session (ending it releases the lock) and steps down. */
  #drop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#set(false);
    return client === undefined ? Promise.resolve() : client.end().catch(() => undefined);
  }

  #set(isLeader: boolean): void {
    if (this.#isLeader === isLeader) return;
    this.#isLeader = isLeader;
    for (const listener of this.#listeners) listener(isLeader);
  }
}
