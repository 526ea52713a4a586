// Runs once before the test workers start. Where the machine has no system Chromium, unpack the
// build bundled in `@sparticuz/chromium` here, in one process, and hand its path to the workers
// (test/chromium.ts reads it): two workers unpacking it at once would each see the other's
// half-written binary.
import sparticuz from '@sparticuz/chromium';
import { existsSync } from 'node:fs';

export default async function globalSetup() {
  if (process.env.SIGHTLINE_TEST_CHROMIUM || existsSync('/usr/bin/chromium')) return;
  process.env.SIGHTLINE_TEST_CHROMIUM = await sparticuz.executablePath();
}
