import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** `Cache-Control` of a content-hashed asset: its name changes with its bytes, so it never needs revalidating. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** `Cache-Control` of everything else the page is made of (index.html first): revalidate on every use (ETag). */
export const REVALIDATE_CACHE_CONTROL = 'no-cache';

// Vite names bundled files `assets/<name>-<hash>.<ext>` (8 base64url characters of hash); the
// source map keeps its file's name plus `.map`.
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+(\.map)?$/;

/** Whether `path` (relative to the page's root, `/`-separated) is a content-hashed bundle asset. */
export function isHashedAsset(path: string): boolean {
  return HASHED_ASSET.test(path);
}

/**
 * Serves the built web page (`dist/web`, built by Vite with every asset bundled) at `/`, with
 * unknown non-API paths falling back to `index.html` so client-side routes survive a reload.
 * Hashed assets are cached for a year; index.html is revalidated each time, so a new build is
 * seen on the next load. Returns whether a built page was found.
 */
export async function registerWebRoute(app: FastifyInstance): Promise<boolean> {
  // From dist/ (node dist/main.js) the page sits beside this module; from src/ (tsx) it is in ../dist.
  const root = [join(import.meta.dirname, '..', 'web'), join(import.meta.dirname, '..', '..', 'dist', 'web')].find((dir) => existsSync(join(dir, 'index.html')));
  if (root === undefined) {
    app.get('/', async (_request, reply) => reply.type('text/plain').send('The web page is not built: run `pnpm build` in apps/reference. The API is at /api/v1.\n'));
    return false;
  }
  const setHeaders = (response: { setHeader(name: string, value: string): unknown }, filePath: string) => {
    const path = relative(root, filePath).split(sep).join('/');
    response.setHeader('cache-control', isHashedAsset(path) ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL);
  };
  // cacheControl: false leaves Cache-Control to setHeaders (send's own `max-age=0` would win otherwise).
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: 'index.html', cacheControl: false, setHeaders });
  app.setNotFoundHandler((request, reply) => {
    // A missing bundle file (an old hash after a deploy) is a 404, not the page: a browser would
    // otherwise run index.html as its script.
    const isPage = request.method === 'GET' && !/^\/(api|v1|assets)\//.test(request.url) && request.url !== '/metrics';
    if (isPage) return reply.sendFile('index.html');
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}` } });
  });
  return true;
}
