import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The app's own `/metrics` (Prometheus text format): process health from prom-client's
 * defaults plus whatever gauges the capabilities register on the returned registry.
 */
export function registerMetricsRoute(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sightline_' });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  return registry;
}
