import { createJestConfig } from '@sightline/jest-preset';

// Packing and an npm install from the registry take tens of seconds.
export default createJestConfig(import.meta.dirname, { testTimeout: 300_000 });
