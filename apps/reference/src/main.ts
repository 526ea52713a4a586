#!/usr/bin/env node
// The `sightline` binary.
import { runCli } from './cli/main.js';

const code = await runCli(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) });
// `serve` keeps the process alive through its server; every other command exits with its code.
if (process.argv[2] !== 'serve' || code !== 0) process.exitCode = code;
