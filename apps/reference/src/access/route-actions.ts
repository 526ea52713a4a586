/** What an API request asks to do, in the policies' words. */
export interface RouteAction {
  action: string;
  resourceType: string;
}

/**
 * Maps a route (Fastify's route pattern) and method to an action on a resource type. Reads are
 * `read` on the first path segment after /api/v1; writes are listed one by one, so a new write
 * route without an entry is refused (`unmapped`) instead of slipping through as a read.
 */
const WRITES: Record<string, RouteAction> = {
  'POST /api/v1/alerts/:id/ack': { action: 'acknowledge', resourceType: 'alerts' },
  'POST /api/v1/silences': { action: 'silence', resourceType: 'alerts' },
  'DELETE /api/v1/silences/:id': { action: 'silence', resourceType: 'alerts' },
  'PUT /api/v1/slos/:name': { action: 'manage', resourceType: 'slos' },
  'DELETE /api/v1/slos/:name': { action: 'manage', resourceType: 'slos' },
  'POST /api/v1/slos/:name/events': { action: 'record', resourceType: 'slos' },
  'POST /api/v1/authz/decide': { action: 'decide', resourceType: 'authz' },
  'POST /api/v1/policies': { action: 'manage', resourceType: 'policies' },
  'POST /api/v1/policies/:id/activate': { action: 'manage', resourceType: 'policies' },
  'POST /api/v1/policies/rollback': { action: 'manage', resourceType: 'policies' },
  'POST /api/v1/chaos/runs': { action: 'run', resourceType: 'chaos' },
  'POST /api/v1/chaos/runs/:id/abort': { action: 'run', resourceType: 'chaos' },
  'POST /api/v1/chaos/proxies': { action: 'run', resourceType: 'chaos' },
  'POST /api/v1/chaos/export': { action: 'read', resourceType: 'chaos' },
  'POST /api/v1/costs/imports': { action: 'import', resourceType: 'costs' },
  // OTLP ingest, guarded in token mode only (local mode ingests without a credential).
  'POST /v1/traces': { action: 'ingest', resourceType: 'traces' },
  'POST /v1/metrics': { action: 'ingest', resourceType: 'metrics' },
  'POST /v1/logs': { action: 'ingest', resourceType: 'logs' },
};

/** The OTLP/HTTP receiver routes, which answer errors in the OTLP (google.rpc.Status) shape. */
export const INGEST_ROUTES: ReadonlySet<string> = new Set(['/v1/traces', '/v1/metrics', '/v1/logs']);

export function routeAction(method: string, route: string): RouteAction | 'unmapped' {
  if (method === 'GET' || method === 'HEAD') {
    const segment = route.slice('/api/v1/'.length).split('/')[0] ?? '';
    // The page's view endpoints read what their views show.
    return { action: 'read', resourceType: segment === 'views' ? (route.split('/')[4] ?? 'views') : segment };
  }
  return WRITES[`${method} ${route}`] ?? 'unmapped';
}
