import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The app's version, from its package.json (one level up from both src/ and dist/). */
export const APP_VERSION: string = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
