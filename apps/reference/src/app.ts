import { systemClock, type Clock } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './http/server.js';
import { openDatabase, type Database, type DatabaseOptions } from './storage/database.js';
import { migrate } from './storage/migrations.js';

export interface AppOptions extends DatabaseOptions {
  clock?: Clock;
  bodyLimitBytes?: number;
  ingestConcurrency?: number;
}

/** A running Sightline app: its server, its storage, and one way to stop both. */
export interface App {
  readonly server: FastifyInstance;
  readonly db: Database;
  /** Starts listening; returns the base URL (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<string>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Opens storage, applies migrations and builds the server. Wiring of every capability lives here. */
export async function createApp(options: AppOptions = {}): Promise<App> {
  const db = await openDatabase(options);
  await migrate(db);
  const server = buildServer({
    db,
    clock: options.clock ?? systemClock,
    bodyLimitBytes: options.bodyLimitBytes ?? 8 * 1024 * 1024,
    ingestConcurrency: options.ingestConcurrency ?? 16,
  });
  let closing: Promise<void> | undefined;
  return {
    server,
    db,
    async listen(port, host = '127.0.0.1') {
      await server.listen({ port, host });
      const address = server.server.address();
      const actualPort = typeof address === 'object' && address !== null ? address.port : port;
      return `http://${host}:${actualPort}`;
    },
    close() {
      closing ??= server.close().then(() => db.close());
      return closing;
    },
  };
}
