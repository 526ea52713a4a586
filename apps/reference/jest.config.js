import { createJestConfig } from '@sightline/jest-preset';

// Integration suites start servers and databases (PGlite takes a few seconds to boot). The
// global setup picks (and if needed unpacks) the Chromium the browser suites drive.
export default createJestConfig(import.meta.dirname, { testTimeout: 60_000, globalSetup: '<rootDir>/test/global-setup.mjs' });
