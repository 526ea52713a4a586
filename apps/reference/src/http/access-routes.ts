import type { FastifyInstance } from 'fastify';
import { LOCAL_PRINCIPAL, type AccessControl } from '../access/access-control.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

/**
 * The app as a policy decision point, its policy versions, and its audit trail:
 * `POST /api/v1/authz/decide`, `GET|POST /api/v1/policies`, `POST /api/v1/policies/:id/activate`,
 * `POST /api/v1/policies/rollback`, `GET /api/v1/policies/diff`, `GET /api/v1/audit`,
 * `GET /api/v1/audit/head`, `GET /api/v1/audit/verify[?head=HASH&seq=N]`.
 */
export function registerAccessRoutes(app: FastifyInstance, options: { access: AccessControl; now: () => number }): void {
  const { access } = options;
  const who = (request: { principal?: { id: string } }) => request.principal?.id ?? 'unknown';
  const summary = (v: { id: string; number: number; author: string; message: string; createdAt: number }) => ({ id: v.id, number: v.number, author: v.author, message: v.message, createdAt: v.createdAt });

  app.post('/api/v1/authz/decide', async (request) => {
    const body = request.body as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null) throw new HttpError(400, 'DECIDE_INVALID', 'Expected { subject, action, resource, context?, explain? }');
    const { explain, ...accessRequest } = body;
    return access.store.authorizer.decide(accessRequest as never, { explain: explain === true });
  });

  app.get('/api/v1/policies', async () => ({ active: access.store.active?.id ?? null, versions: access.store.versions.map(summary) }));

  app.get('/api/v1/policies/diff', async (request) => {
    const q = parseQuery(request.query, { from: { type: 'string' }, to: { type: 'string' } }, options.now());
    if (q.from === undefined || q.to === undefined) throw new HttpError(400, 'QUERY_INVALID', 'from and to (version ids) are required');
    return access.store.diff(q.from, q.to);
  });

  app.get<{ Params: { id: string } }>('/api/v1/policies/:id', async (request) => access.store.get(request.params.id));

  app.post('/api/v1/policies', async (request, reply) => {
    const body = request.body as { policySet?: unknown; message?: unknown } | null;
    if (typeof body?.message !== 'string' || body.message === '') throw new HttpError(400, 'POLICY_MESSAGE_REQUIRED', 'Expected { policySet, message } with a message saying why');
    const version = await access.publish(body.policySet, { author: who(request), message: body.message });
    return reply.code(201).send(summary(version));
  });

  app.post<{ Params: { id: string } }>('/api/v1/policies/:id/activate', async (request) => summary(await access.activate(request.params.id)));
  app.post('/api/v1/policies/rollback', async (request) => summary(await access.rollback(who(request))));

  // Auditors (and admins) read the whole trail; anyone else only its own decisions.
  app.get('/api/v1/audit', async (request) => {
    const q = parseQuery(request.query, { limit: { type: 'integer', min: 1, max: 1_000 } }, options.now());
    const scope = access.auditScope(request.principal ?? LOCAL_PRINCIPAL);
    await access.audit.flush();
    return { scope: scope.all ? 'all' : 'own', entries: await access.sink.recent(q.limit ?? 100, scope.all ? undefined : scope.principal) };
  });

  // The head is published so an operator can keep it apart from the database (a ticket, a log
  // archive, another system) and later prove with `verify?head=&seq=` that no decision was cut off.
  app.get('/api/v1/audit/head', async () => access.head());

  app.get('/api/v1/audit/verify', async (request) => {
    const q = parseQuery(request.query, { head: { type: 'string' }, seq: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER } }, options.now());
    if ((q.head === undefined) !== (q.seq === undefined)) throw new HttpError(400, 'QUERY_INVALID', 'head and seq go together: the hash and sequence number of a published audit head');
    if (q.head !== undefined && !/^[0-9a-f]{64}$/.test(q.head)) throw new HttpError(400, 'QUERY_INVALID', 'head must be a SHA-256 hash (64 lowercase hex digits)');
    return access.verify(q.head === undefined || q.seq === undefined ? undefined : { hash: q.head, sequence: q.seq });
  });
}
