// The integration suites run once on embedded PGlite and, when DATABASE_URL is set (CI sets it to
// the local PostgreSQL), once more on PostgreSQL in a throwaway database created for the run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseOptions } from '../src/storage/database.js';
import { pgliteTemplate } from './pglite-template.js';

export interface TestDatabase {
  readonly name: string;
  /** Fresh, empty storage; `drop` removes it. */
  create(): Promise<{ options: DatabaseOptions; drop: () => Promise<void> }>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  create: async () => ({ options: { template: await pgliteTemplate() }, drop: async () => undefined }),
};

/** Throwaway databases on the PostgreSQL server at `url` (benches use it too). */
export function postgres(url: string): TestDatabase {
  return {
    name: 'postgres',
    async create() {
      const name = `sightline_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const target = new URL(url);
      target.pathname = `/${name}`;
      return {
        options: { databaseUrl: target.toString() },
        drop: async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`drop database if exists ${name} with (force)`);
          await client.end();
        },
      };
    },
  };
}

export const testDatabases: readonly TestDatabase[] = process.env.DATABASE_URL ? [pglite, postgres(process.env.DATABASE_URL)] : [pglite];

