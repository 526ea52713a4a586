#!/usr/bin/env node
// Runs jest in ESM mode (the workspace is "type": "module") with the shared preset, so a
// package's test script is just `sightline-jest`. A package may add a jest.config.js of its own.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createJestConfig } from '../preset.js';

const require = createRequire(import.meta.url);
const jestBin = join(require.resolve('jest/package.json'), '..', 'bin', 'jest.js');
const cwd = process.cwd();
const ownConfig = ['jest.config.js', 'jest.config.mjs'].map((f) => join(cwd, f)).find(existsSync);
const config = ownConfig ?? JSON.stringify(createJestConfig(cwd));

const result = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jestBin, '--config', config, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
