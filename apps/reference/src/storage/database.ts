import { SightlineError } from '@sightline/core';
import type { PGlite } from '@electric-sql/pglite';
import type { PoolClient } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Something SQL can be run on: the database itself or a transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Loads rows in COPY's text format (tab-separated columns, `\N` for null, one line per row)
   * into `target` (`table (columns)`): PostgreSQL's bulk path, about half the server's work of an
   * INSERT of the same rows. `chunks` (whole lines each) are made as they are sent, so the server
   * parses the first while the process writes the next.
   */
  copyIn(target: string, chunks: Iterable<string>): Promise<void>;
}

/**
 * The app's storage: PostgreSQL when a URL is given, embedded PGlite otherwise. Both run the
 * same SQL (PGlite is PostgreSQL compiled to WebAssembly), so there is one code path.
 */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Where the data lives. */
export interface DatabaseOptions {
  /** `postgres://...`; when absent the embedded PGlite is used. */
  readonly databaseUrl?: string;
  /** PGlite data directory; absent means in-memory (tests). */
  readonly dataDir?: string;
  /**
   * A new PGlite database starts as this dump of a data directory (`PGlite.dumpDataDir`) instead
   * of running initdb: the test suites start every app from one migrated template, which saves
   * about two seconds of CPU per database. Ignored for PostgreSQL.
   */
  readonly template?: Blob;
}

/** Opens the database; throws `STORAGE_UNAVAILABLE` with the cause when it cannot be reached. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  try {
    return options.databaseUrl === undefined ? await openPglite(options.dataDir, options.template) : await openPostgres(options.databaseUrl);
  } catch (error) {
    const where = options.databaseUrl === undefined ? `PGlite at ${options.dataDir ?? 'memory'}` : redactUrl(options.databaseUrl);
    throw new SightlineError('STORAGE_UNAVAILABLE', `Cannot open storage (${where}): ${(error as Error).message}`, { where }, { cause: error });
  }
}

async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const copyIn = async (client: PoolClient, target: string, chunks: Iterable<string>) => {
    const stream = client.query(copyFrom(`copy ${target} from stdin`));
    await pipeline(Readable.from(chunks), stream);
  };
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // An idle client whose connection the server ends (restart, failover, a dropped database) is
  // discarded by the pool and replaced on the next query; without a listener its 'error' event
  // would crash the process.
  pool.on('error', () => undefined);
  // Fail at start, not at the first request, when the server is unreachable.
  await pool.query('select 1');
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await pool.query(sql, params as unknown[]);
      return result.rows as Row[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async copyIn(target: string, chunks: Iterable<string>) {
      const client = await pool.connect();
      try {
        await copyIn(client, target, chunks);
      } finally {
        client.release();
      }
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({
          query: async <Row>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows as Row[],
          exec: async (sql: string) => {
            await client.query(sql);
          },
          copyIn: (target: string, chunks: Iterable<string>) => copyIn(client, target, chunks),
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}

async function openPglite(dataDir: string | undefined, template: Blob | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir ?? 'memory://', template === undefined ? {} : { loadDataDir: template });
  // PGlite has no COPY FROM STDIN; it reads a COPY's input from a blob named '/dev/blob'.
  const copyIn = async (on: Pick<PGlite, 'query'>, target: string, chunks: Iterable<string>) => {
    await on.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob([...chunks]) });
  };
  let closed: Promise<void> | undefined;
  return {
    kind: 'pglite',
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await db.query<Row>(sql, params as unknown[])).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    copyIn: (target: string, chunks: Iterable<string>) => copyIn(db, target, chunks),
    transaction<T>(work: (tx: Queryable) => Promise<T>) {
      return db.transaction((tx) =>
        work({
          query: async <Row>(sql: string, params: readonly unknown[] = []) => (await tx.query<Row>(sql, params as unknown[])).rows,
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
          copyIn: (target: string, chunks: Iterable<string>) => copyIn(tx, target, chunks),
        }),
      );
    },
    close() {
      closed ??= db.close();
      return closed;
    },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
