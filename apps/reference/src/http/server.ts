import fastifyCompress from '@fastify/compress';
import Fastify, { type FastifyInstance } from 'fastify';
import { createGunzip } from 'node:zlib';
import type { Database } from '../storage/database.js';
import { isMigrated } from '../storage/migrations.js';
import { toApiError } from './api-error.js';

/**
 * Headers sent with every response. `style-src` allows no inline `<style>` or style attributes
 * in markup; the page sets element styles through the DOM (CSSOM), which CSP does not restrict.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
];

export interface ServerOptions {
  db: Database;
  /** Largest accepted request body in bytes (→ 413 above it). */
  bodyLimitBytes: number;
  /** Where server errors (every 500, with its request id) are logged; the app's `log` option. */
  log?: (line: Record<string, unknown>) => void;
}

/**
 * Builds the HTTP server shell: JSON-only body parsing, one error shape, `/healthz` and
 * `/readyz`. Capabilities add their routes in `app.ts`.
 */
export function buildServer(options: ServerOptions & { health?: { check(): Promise<unknown> } }): FastifyInstance {
  const app = Fastify({ bodyLimit: options.bodyLimitBytes, logger: false });

  // OTLP exporters may gzip their bodies (the Collector does by default). Decompress before
  // parsing; bodyLimit then applies to the decompressed bytes, so a zip bomb is refused (413).
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined || encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw Object.assign(new Error(`content-encoding ${encoding} is not supported; send gzip or identity`), { statusCode: 415, code: 'UNSUPPORTED_ENCODING' });
    }
    const gunzip = createGunzip();
    delete request.headers['content-length'];
    return payload.pipe(gunzip);
  });

  // JSON everywhere, and protobuf for OTLP (its routes decode the bytes); anything else is a 415
  // that names what is accepted, unless a route registers its own parser (CSV, YAML).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(new Error(`body is not valid JSON: ${(error as Error).message}`), { statusCode: 400, code: 'BODY_NOT_JSON' }), undefined);
    }
  });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', (request, _payload, done) => {
    const type = request.headers['content-type'] ?? '(none)';
    done(Object.assign(new Error(`content type ${type} is not supported; send application/json (or application/x-protobuf to the OTLP routes)`), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }), undefined);
  });

  app.setErrorHandler((error, request, reply) => {
    const fastifyStatus = (error as { statusCode?: number }).statusCode;
    if (fastifyStatus !== undefined && fastifyStatus >= 400 && fastifyStatus < 500) {
      const code = fastifyStatus === 413 ? 'BODY_TOO_LARGE' : String((error as { code?: string }).code ?? 'BAD_REQUEST');
      return reply.code(fastifyStatus).send({ error: { code, message: (error as Error).message } });
    }
    const { status, body } = toApiError(error);
    if (status < 500) return reply.code(status).send(body);
    // The answer points at the log line: both carry the request id.
    options.log?.({ level: 'error', msg: `${request.method} ${request.url} failed with ${status}`, requestId: request.id, error: (error as Error).message, stack: (error as Error).stack });
    return reply.code(status).send({ error: { ...body.error, message: `${body.error.message} (request id ${request.id})`, requestId: request.id } });
  });

  // Security headers on every answer (page, API, errors): the page loads only its own bundled
  // script and stylesheet, so a strict policy costs nothing and stops injected scripts.
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of SECURITY_HEADERS) reply.header(name, value);
    return payload;
  });

  // Answers (the page's bundle, API JSON) are compressed when the client accepts it: br, then gzip,
  // above 1 KiB. Registered before the web route's static files so their streams are compressed too.
  // Request bodies keep the gzip-only preParsing hook above (its 415 and bodyLimit semantics).
  void app.register(fastifyCompress, { global: true, globalDecompression: false, encodings: ['br', 'gzip'], threshold: 1024 });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const checks = { storage: false, migrations: false };
    try {
      await options.db.query('select 1');
      checks.storage = true;
      checks.migrations = await isMigrated(options.db);
    } catch {
      // reported as not ready below
    }
    const ready = checks.storage && checks.migrations;
    // ?verbose adds every health indicator; readiness itself stays storage + migrations, so a
    // memory warning never takes a replica out of rotation.
    const verbose = Object.hasOwn((request.query ?? {}) as object, 'verbose') && options.health !== undefined;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks, ...(verbose ? { health: await options.health!.check() } : {}) });
  });
  return app;
}
