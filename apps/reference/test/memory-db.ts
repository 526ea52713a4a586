// A fresh, migrated in-memory PGlite for each test of a file.
import { afterEach, beforeEach } from '@jest/globals';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
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
