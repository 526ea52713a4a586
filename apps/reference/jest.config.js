import { createJestConfig } from '@sightline/jest-preset';

// Integration suites start servers and databases (PGlite takes a few seconds to boot). The
// global setup picks (and if needed unpacks) the Chromium the browser suites drive.
// Two workers: jest's default on 2 cores is one, which leaves a core idle once the packages'
// suites (run beside this one by turbo) are done, and this suite is the longest by far.
export default createJestConfig(import.meta.dirname, { testTimeout: 60_000, maxWorkers: 2, globalSetup: '<rootDir>/test/global-setup.mjs' });
