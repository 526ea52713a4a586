// The environment variables the app's sources use, for the tests that hold turbo.json and the
// production guide to them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every `SIGHTLINE_*` / `DATABASE_URL` name the app's sources (tests excluded) mention, sorted. */
export function variablesTheAppReads(dir = join(import.meta.dirname, '..', 'src')): string[] {
  const names = new Set<string>();
  const walk = (path: string): void => {
    for (const entry of readdirSync(path)) {
      const child = join(path, entry);
      if (statSync(child).isDirectory()) walk(child);
      else if (child.endsWith('.ts') && !child.endsWith('.test.ts')) {
        for (const match of readFileSync(child, 'utf8').matchAll(/\b(SIGHTLINE_[A-Z_]+|DATABASE_URL)\b/g)) names.add(match[1]!);
      }
    }
  };
  walk(dir);
  return [...names].sort();
}
