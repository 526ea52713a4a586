// Starts the app for a test file: in-memory PGlite (or a throwaway database), a free port, silent
// logs; closed after the file. Token-mode helpers for the access-control suites.
import { afterAll, beforeAll } from '@jest/globals';
import type { Principal } from '@sightline/core';
import { createHash } from 'node:crypto';
import type { AccessConfig } from '../src/access/access-control.js';
import { createApp, type App, type AppOptions } from '../src/app.js';
import type { TestDatabase } from './databases.js';
import { pgliteTemplate } from './pglite-template.js';

export interface TestApp {
  app: App;
  url: string;
}

/** Registers beforeAll/afterAll hooks; read `.app` and `.url` inside tests. */
export function useTestApp(options: AppOptions = {}, database?: TestDatabase): TestApp {
  const handle = {} as TestApp;
  let drop = async () => undefined as void;
  beforeAll(async () => {
    const created = database === undefined ? { options: { template: await pgliteTemplate() }, drop } : await database.create();
    drop = created.drop;
    handle.app = await createApp({ storage: created.options, log: () => undefined, ...options });
    handle.url = await handle.app.listen(0);
  });
  afterAll(async () => {
    await handle.app.close();
    await drop();
  });
  return handle;
}

/** Token-mode access config: each bearer token (stored by its SHA-256) stands for its principal. */
export function tokenAccess(principals: Record<string, Principal>): AccessConfig {
  return { mode: 'token', tokens: Object.entries(principals).map(([token, principal]) => ({ sha256: createHash('sha256').update(token).digest('hex'), principal })) };
}

/** GETs `path` as the holder of `token`; the status and the JSON body. */
export async function getAs<T>(url: string, token: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as T };
}
