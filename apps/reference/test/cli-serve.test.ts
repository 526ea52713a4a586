// `sightline serve` and the program's own flags fail with one line naming the cause (never a
// stack trace): a busy port, a bad config file or variable, a bad --port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/main.js';
import { APP_VERSION } from '../src/version.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}

/** The stderr lines, each checked to be a `sightline: ` message and not a stack frame. */
function errorLines(err: string): string[] {
  const lines = err.trimEnd().split('\n');
  for (const line of lines) expect(line).not.toMatch(/^\s+at /);
  return lines;
}

describe('sightline serve and program flags', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-cli-serve-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one line naming the busy port and exits 1 when the port is in use (EADDRINUSE)', async () => {
    const other = net.createServer();
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const port = (other.address() as AddressInfo).port;
    try {
      const result = await cli('serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', join(dir, 'data'));
      expect(result.code).toBe(1);
      expect(errorLines(result.err)).toEqual([`sightline: port ${port} on 127.0.0.1 is already in use (EADDRINUSE); stop the other process or pass --port`]);
    } finally {
      other.close();
    }
  });

  it('prints the file, line, column and cause of a YAML syntax error in --config, exit 2', async () => {
    const file = join(dir, 'bad-syntax.yaml');
    // The flow sequence opened on line 2 is never closed: the parser stops at the end, line 3.
    writeFileSync(file, 'server:\n  port: [4318\n');
    const result = await cli('serve', '--config', file);
    expect(result.code).toBe(2);
    expect(errorLines(result.err)).toEqual([`sightline: ${file} line 3, column 1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`]);
  });

  it('reads SIGHTLINE_CONFIG the same way: an invalid field prints the file, the field path and why', async () => {
    const file = join(dir, 'bad-field.yaml');
    writeFileSync(file, 'server:\n  port: 70000\n');
    process.env.SIGHTLINE_CONFIG = file;
    try {
      const result = await cli('serve');
      expect(result.code).toBe(2);
      expect(errorLines(result.err)).toEqual([`sightline: ${file}: server.port: must be an integer from 0 to 65535, got 70000`]);
    } finally {
      delete process.env.SIGHTLINE_CONFIG;
    }
  });

  it('lists every problem of a config file, one per line, each with its field path', async () => {
    const file = join(dir, 'two-problems.yaml');
    writeFileSync(file, 'server:\n  port: -1\nstorage:\n  dataDri: /tmp\n');
    const result = await cli('serve', '--config', file);
    expect(result.code).toBe(2);
    expect(errorLines(result.err)).toEqual([
      'sightline: invalid configuration, 2 problems:',
      `  ${file}: server.port: must be an integer from 0 to 65535, got -1`,
      `  ${file}: storage.dataDri: unknown key; expected one of databaseUrl, dataDir`,
    ]);
  });

  it('names --port, not SIGHTLINE_PORT, when the --port flag is out of range', async () => {
    const result = await cli('serve', '--port', '99999');
    expect(result.code).toBe(2);
    expect(errorLines(result.err)).toEqual(['sightline: --port must be an integer from 0 to 65535, got "99999"']);
  });

  it('names the variable when SIGHTLINE_PORT is out of range', async () => {
    process.env.SIGHTLINE_PORT = '99999';
    try {
      const result = await cli('serve');
      expect(result.code).toBe(2);
      expect(errorLines(result.err)).toEqual(['sightline: environment variable SIGHTLINE_PORT: must be an integer from 0 to 65535, got "99999"']);
    } finally {
      delete process.env.SIGHTLINE_PORT;
    }
  });

  it('prints the version with --version and -v and exits 0', async () => {
    expect(APP_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-v']) expect(await cli(flag)).toEqual({ code: 0, out: `${APP_VERSION}\n`, err: '' });
  });

  it('names an unknown flag, the command and where the help is, exit 2', async () => {
    const result = await cli('traces', '--foo');
    expect(result.code).toBe(2);
    expect(errorLines(result.err)).toEqual(['sightline: unknown flag --foo for "traces"; see sightline traces --help']);
    expect((await cli('serve', '--prot', '1')).err).toBe('sightline: unknown flag --prot for "serve"; see sightline serve --help\n');
    expect((await cli('--foo')).err).toBe('sightline: unknown flag --foo; see sightline --help\n');
  });

  it('says which flag needs a value and which takes none', async () => {
    expect(await cli('logs', '--since')).toEqual({ code: 2, out: '', err: 'sightline: --since needs a value; see sightline logs --help\n' });
    expect(await cli('serve', '--demo=maybe')).toEqual({ code: 2, out: '', err: 'sightline: --demo takes no value; see sightline serve --help\n' });
    expect(await cli('logs', 'extra')).toEqual({ code: 2, out: '', err: 'sightline: unexpected argument "extra" for "logs"; see sightline logs --help\n' });
  });
});
