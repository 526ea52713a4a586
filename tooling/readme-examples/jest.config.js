import { createJestConfig } from '@sightline/jest-preset';

// Each example is a child process (tsx start-up is ~0.5 s); two run at a time.
export default createJestConfig(import.meta.dirname, { testTimeout: 120_000, maxConcurrency: 2 });
