// Starts the app for a test file: in-memory PGlite, a free port, silent logs; closed after the file.
import { afterAll, beforeAll } from '@jest/globals';
import { createApp, type App, type AppOptions } from '../src/app.js';

export interface TestApp {
  app: App;
  url: string;
}

/** Registers beforeAll/afterAll hooks; read `.app` and `.url` inside tests. */
export function useTestApp(options: AppOptions = {}): TestApp {
  const handle = {} as TestApp;
  beforeAll(async () => {
    handle.app = await createApp({ storage: {}, log: () => undefined, ...options });
    handle.url = await handle.app.listen(0);
  });
  afterAll(async () => {
    await handle.app.close();
  });
  return handle;
}
