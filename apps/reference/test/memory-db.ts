// A fresh, migrated in-memory PGlite for each test of a file.
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import type { TestDatabase } from './databases.js';
import { pgliteTemplate } from './pglite-template.js';

/** Registers beforeEach/afterEach hooks; read `.db` inside tests. */
export function useMemoryDb(): { db: Database } {
  const handle = {} as { db: Database };
  beforeEach(async () => {
    handle.db = await openDatabase({ template: await pgliteTemplate() });
    // The template is migrated already; this proves it is current (and applies nothing).
    await migrate(handle.db);
  });
  afterEach(async () => {
    await handle.db.close();
  });
  return handle;
}

/**
 * Registers beforeAll/afterAll hooks opening a fresh, migrated database of `database` for a suite
 * (a `describe.each(testDatabases)` block) and dropping it after; read `.db` inside tests.
 */
export function useMigratedDatabase(database: TestDatabase): { db: Database } {
  const handle = {} as { db: Database };
  let drop = async () => undefined as void;
  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    handle.db = await openDatabase(created.options);
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle.db.close();
    await drop();
  });
  return handle;
}
