import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Serves the built web page (`dist/web`, built by Vite with every asset bundled) at `/`, with
 * unknown non-API paths falling back to `index.html` so client-side routes survive a reload.
 * Returns whether a built page was found.
 */
export async function registerWebRoute(app: FastifyInstance): Promise<boolean> {
  // From dist/ (node dist/main.js) the page sits beside this module; from src/ (tsx) it is in ../dist.
  const root = [join(import.meta.dirname, '..', 'web'), join(import.meta.dirname, '..', '..', 'dist', 'web')].find((dir) => existsSync(join(dir, 'index.html')));
  if (root === undefined) {
    app.get('/', async (_request, reply) => reply.type('text/plain').send('The web page is not built: run `pnpm build` in apps/reference. The API is at /api/v1.\n'));
    return false;
  }
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: 'index.html' });
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !/^\/(api|v1)\//.test(request.url) && request.url !== '/metrics';
    if (isPage) return reply.sendFile('index.html');
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}` } });
  });
  return true;
}
