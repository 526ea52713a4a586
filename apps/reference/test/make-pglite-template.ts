// Makes the migrated PGlite template (see pglite-template.ts) if this machine has none for the
// current migrations: run by the jest global setup, once, before the workers start.
import { pgliteTemplate } from './pglite-template.js';

await pgliteTemplate();
