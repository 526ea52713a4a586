// One migrated PGlite data directory, dumped to a file once per machine and migration set, that
// the suites' in-memory databases start from: booting from it skips initdb (PGlite boots in
// about 1.3 s from a dump against about 3 s from nothing), which over sixty suites is minutes.
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/storage/database.js';
import { MIGRATIONS, migrate } from '../src/storage/migrations.js';

let cached: Promise<Blob> | undefined;

/** The migrated template for this PGlite version and these migrations, made if missing. */
export function pgliteTemplate(): Promise<Blob> {
  cached ??= loadOrCreate();
  return cached;
}

async function loadOrCreate(): Promise<Blob> {
  // The resolved path names the installed PGlite version (pnpm's store path holds it).
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const key = createHash('sha256').update(pglitePath).update(JSON.stringify(MIGRATIONS.map((m) => [m.version, m.sql]))).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `sightline-pglite-template-${key}.tar`);
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    // Migrated through the app's own path on disk, then dumped.
    const dir = mkdtempSync(join(tmpdir(), 'sightline-pglite-template-'));
    const db = await openDatabase({ dataDir: dir });
    await migrate(db);
    await db.close();
    const pg = await PGlite.create(dir);
    const dump = await pg.dumpDataDir('none');
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
    // Written aside and renamed: a worker reading it never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
    renameSync(partial, file);
    return dump;
  }
}
