import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Builds the jest configuration for a package rooted at `rootDir`.
 * Transformer paths are resolved here, so packages need no jest dependencies of their own.
 * @param {string} rootDir absolute path of the package
 * @param {Record<string, unknown>} [overrides] merged over the defaults
 */
export function createJestConfig(rootDir, overrides = {}) {
  return {
    rootDir,
    testEnvironment: 'node',
    // eval/: a package's evaluation harness is tested like its sources.
    roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/eval'].filter((root) => hasDir(rootDir, root)),
    testMatch: ['**/*.test.ts'],
    extensionsToTreatAsEsm: ['.ts'],
    // Sources import './x.js' (NodeNext); under jest the .ts file is what exists.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': [
        require.resolve('@swc/jest'),
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    testTimeout: 30_000,
    ...overrides,
  };
}

function hasDir(rootDir, root) {
  const path = root.replace('<rootDir>', rootDir);
  try {
    return require('node:fs').statSync(path).isDirectory();
  } catch {
    return false;
  }
}
