// Runs once before the test workers start. Where the machine has no system Chromium, unpack the
// build bundled in `@sparticuz/chromium` here, in one process, and hand its path to the workers
// (test/chromium.ts reads it): two workers unpacking it at once would each see the other's
// half-written binary. The migrated PGlite template the suites start from is made here too: made
// by the first suite of each worker at once, under the load of every package's tests, it has
// outlasted a suite's 60 s set-up.
import sparticuz from '@sparticuz/chromium';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export default async function globalSetup() {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  execFileSync(process.execPath, ['--import', tsx, 'test/make-pglite-template.ts'], { cwd: new URL('..', import.meta.url), stdio: 'inherit' });
  if (process.env.SIGHTLINE_TEST_CHROMIUM || existsSync('/usr/bin/chromium')) return;
  process.env.SIGHTLINE_TEST_CHROMIUM = await sparticuz.executablePath();
}
