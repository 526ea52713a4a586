import type { FastifyInstance } from 'fastify';
import type { ChaosRuns } from '../chaos/chaos-runs.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

/**
 * `POST /api/v1/chaos/runs` (an experiment as JSON, or YAML/JSON text with `text/plain`) → 202
 * with the run id; `GET /api/v1/chaos/runs`, `GET /api/v1/chaos/runs/:id` (with its journal),
 * `POST /api/v1/chaos/runs/:id/abort`; `POST /api/v1/chaos/export` (Chaos Mesh manifests);
 * `POST|GET /api/v1/chaos/proxies` (TCP proxies network faults target).
 */
export function registerChaosRoutes(app: FastifyInstance, options: { chaos: ChaosRuns; now: () => number }): void {
  const { chaos } = options;
  app.addContentTypeParser(['text/plain', 'application/yaml'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post('/api/v1/chaos/runs', async (request, reply) => reply.code(202).send(await chaos.start(request.body)));
  app.get('/api/v1/chaos/runs', async (request) => {
    const q = parseQuery(request.query, { limit: { type: 'integer', min: 1, max: 500 } }, options.now());
    return { runs: await chaos.list(q.limit ?? 50) };
  });
  app.get<{ Params: { id: string } }>('/api/v1/chaos/runs/:id', async (request) => {
    const run = await chaos.get(request.params.id);
    if (run === undefined) throw new HttpError(404, 'CHAOS_RUN_NOT_FOUND', `No chaos run ${request.params.id}`);
    return run;
  });
  app.post<{ Params: { id: string } }>('/api/v1/chaos/runs/:id/abort', async (request, reply) => {
    if (!chaos.abort(request.params.id)) throw new HttpError(404, 'CHAOS_RUN_NOT_RUNNING', `Chaos run ${request.params.id} is not running`);
    return reply.code(202).send({ aborting: request.params.id });
  });
  app.post('/api/v1/chaos/export', async (request) => chaos.exportChaosMesh(request.body));
  app.post('/api/v1/chaos/proxies', async (request, reply) => {
    const body = request.body as { name?: unknown; upstream?: unknown } | null;
    if (typeof body?.name !== 'string' || typeof body.upstream !== 'string' || !/^[^:]+:\d+$/.test(body.upstream)) throw new HttpError(400, 'CHAOS_PROXY_INVALID', 'Expected { name, upstream: "host:port" }');
    return reply.code(201).send(await chaos.openProxy(body.name, body.upstream));
  });
  app.get('/api/v1/chaos/proxies', async () => ({ proxies: [...chaos.proxies.entries()].map(([name, p]) => ({ name, listen: `127.0.0.1:${p.port}` })) }));
}
