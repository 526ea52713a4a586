// A JetStream server for the ingest buffer suites: a private `nats-server -js` on a free port with
// a temp store directory when the binary is installed (Debian: apt-get install nats-server), else
// the server at NATS_URL, else none (the suites are left out with a loud warning).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATS_SERVER = [process.env.SIGHTLINE_NATS_SERVER_BIN, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => p !== undefined && p !== '' && existsSync(p));

/** Whether a JetStream server can be had here; when false, warns once (what to install). */
export function hasJetStream(suite: string): boolean {
  if (NATS_SERVER !== undefined || process.env.NATS_URL) return true;
  if (process.env.CI) throw new Error(`${suite}: nats-server is required in CI (Debian package "nats-server"), or set NATS_URL`);
  console.warn(`\n*** nats-server not found and NATS_URL unset: ${suite} is SKIPPED. Install it: apt-get install -y nats-server (or set NATS_URL to a server started with -js) ***\n`);
  return false;
}

/** A running JetStream server; `stop` ends the private one (and removes its store), not a shared one. */
export interface JetStreamServer {
  readonly url: string;
  /** Whether this suite owns the server (a private one); a shared NATS_URL server must be used with unique stream names. */
  readonly isPrivate: boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Starts a private server (or returns the NATS_URL one) and waits until it accepts connections. */
export async function startJetStream(): Promise<JetStreamServer> {
  if (NATS_SERVER === undefined) return { url: process.env.NATS_URL!, isPrivate: false, stop: async () => undefined };
  const storeDir = mkdtempSync(join(tmpdir(), 'sightline-nats-'));
  const port = await freePort();
  const child: ChildProcess = spawn(NATS_SERVER, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    isPrivate: true,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
