// The browser the page tests drive: Debian's Chromium when the machine has one, otherwise the
// Chromium build that ships inside the `@sparticuz/chromium` npm package, so `pnpm install` alone
// is enough to run the browser tests on a fresh machine.
import sparticuz from '@sparticuz/chromium';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** Set by the global setup once the bundled build is unpacked, so test workers never race on it. */
export const CHROMIUM_PATH_VARIABLE = 'SIGHTLINE_TEST_CHROMIUM';

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// closed network refuses; the bundled build is headless-shell, which needs no GPU.
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** Path of the Chromium binary to launch: `SIGHTLINE_TEST_CHROMIUM`, Debian's, or the bundled one (unpacked on first use). */
export async function chromiumExecutablePath(): Promise<string> {
  const chosen = process.env[CHROMIUM_PATH_VARIABLE];
  if (chosen !== undefined && chosen !== '') return chosen;
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return sparticuz.executablePath();
}

/** Launches headless Chromium with the flags this network needs. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutablePath(), args: LAUNCH_ARGS });
}
