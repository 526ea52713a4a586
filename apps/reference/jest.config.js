import { createJestConfig } from '@sightline/jest-preset';

// Integration suites start servers and databases (PGlite takes a few seconds to boot).
export default createJestConfig(import.meta.dirname, { testTimeout: 60_000 });
