import { AuditTrail, PolicyStore, verifyAuditTrail, type AuditHead, type AuditVerification, type Decision, type PolicySet, type PolicyVersion } from '@sightline/abac';
import type { Clock, Principal } from '@sightline/core';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/database.js';
import type { CostScope } from '../costs/cost-store.js';
import { DEFAULT_APP_POLICIES } from './default-policies.js';
import { PgAuditSink } from './pg-audit-sink.js';
import { serviceScopeOf, ServiceOwners, type RefusedClaim, type ServiceScope } from './service-owners.js';
import { INGEST_ROUTES, routeAction } from './route-actions.js';

/** How callers are identified: `local` (one user, no login) or bearer tokens from the config. */
export interface AccessConfig {
  mode: 'local' | 'token';
  /** Tokens by SHA-256 (hex) of the token, never the token itself. */
  tokens: { sha256: string; principal: Principal }[];
  /** A policy set to publish as the first version instead of the defaults. */
  policies?: PolicySet;
  /** Owning team by service name; wins over any claim made by ingested data. */
  serviceOwners?: Record<string, string>;
}

/** The principal local mode acts as: one user who may do everything. */
export const LOCAL_PRINCIPAL: Principal = { id: 'local', kind: 'user', roles: ['admin'] };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Access control on the app itself with `@sightline/abac`: every `/api/v1` request — and in token
 * mode every OTLP ingest request — is identified (bearer token or local mode), mapped to an action
 * on a resource type, decided by the active policy version, and recorded in the hash-chained audit
 * trail stored in the database. Policy versions are stored too, so activation and rollback survive
 * restarts.
 */
export class AccessControl {
  readonly store: PolicyStore;
  readonly audit: AuditTrail;
  readonly sink: PgAuditSink;
  readonly config: AccessConfig;
  readonly owners: ServiceOwners;
  readonly #db: Database;
  readonly #tokens: Map<string, Principal>;

  private constructor(db: Database, config: AccessConfig, store: PolicyStore, audit: AuditTrail, sink: PgAuditSink, owners: ServiceOwners) {
    this.#db = db;
    this.config = config;
    this.store = store;
    this.audit = audit;
    this.sink = sink;
    this.owners = owners;
    this.#tokens = new Map(config.tokens.map((t) => [t.sha256.toLowerCase(), t.principal]));
  }

  static async create(options: { db: Database; clock: Clock; config: AccessConfig; onRefusedClaim?: (claim: RefusedClaim) => void }): Promise<AccessControl> {
    const { db, clock, config } = options;
    const sink = new PgAuditSink(db);
    const audit = new AuditTrail({ sink, clock, batchSize: 256, ...(await sink.tail()) });
    const store = new PolicyStore({ clock, onDecision: audit.record });
    const stored = await db.query<{ number: number; author: string; message: string; policy_set: PolicySet; active: boolean }>(`select number, author, message, policy_set, active from policy_versions order by number`);
    if (stored.length === 0) {
      const first = store.publish(config.policies ?? DEFAULT_APP_POLICIES, { author: 'sightline', message: config.policies === undefined ? 'default policies' : 'policies from the config' });
      await db.query(`insert into policy_versions (number, id, author, message, policy_set, created_at, active) values ($1, $2, $3, $4, $5::jsonb, $6, true)`, [first.number, first.id, first.author, first.message, JSON.stringify(first.policySet), first.createdAt]);
    } else {
      // Replaying the versions in order gives them the same ids; then the stored active one wins.
      for (const row of stored) store.publish(row.policy_set, { author: row.author, message: row.message, activate: false });
      const active = stored.find((r) => r.active) ?? stored[stored.length - 1]!;
      store.activate(store.versions[active.number - 1]!.id);
    }
    const owners = new ServiceOwners(db, options.onRefusedClaim === undefined ? {} : { onRefusedClaim: options.onRefusedClaim });
    await owners.configure(config.serviceOwners ?? {}, clock.now());
    return new AccessControl(db, config, store, audit, sink, owners);
  }

  /** The principal behind an `Authorization` header (HTTP) or metadata entry (gRPC), or why there is none. */
  identify(header: string | undefined): Principal | { problem: string } {
    if (this.config.mode === 'local') return LOCAL_PRINCIPAL;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (token === undefined || token === '') return { problem: 'send Authorization: Bearer <token>' };
    const principal = this.#tokens.get(createHash('sha256').update(token).digest('hex'));
    return principal ?? { problem: 'unknown token' };
  }

  decide(principal: Principal, action: string, resourceType: string, context: Record<string, unknown>, explain = false): Decision {
    const subject = { id: principal.id, kind: principal.kind, roles: principal.roles ?? [], ...(principal.team === undefined ? {} : { team: principal.team }), ...(principal.tenant === undefined ? {} : { tenant: principal.tenant }), ...principal.attributes };
    return this.store.authorizer.decide({ subject, action, resource: { type: resourceType }, context }, { explain });
  }

  /**
   * Which cost rows `principal` may read: all of them when a policy allows it to `read-all`
   * costs, otherwise its own team's. The decision is audited like any other.
   */
  costScope(principal: Principal): CostScope {
    if (this.decide(principal, 'read-all', 'costs', {}).decision === 'allow') return { all: true };
    return { all: false, team: principal.team };
  }

  /**
   * Which services `principal` may read (spans, logs, metrics, alerts and SLOs of them): all of
   * them when a policy allows it to `read-all` services or it has no team, otherwise those its
   * team owns (see {@link ServiceOwners}).
   */
  async serviceScope(principal: Principal): Promise<ServiceScope> {
    const mayReadAll = principal.team === undefined || this.decide(principal, 'read-all', 'services', {}).decision === 'allow';
    return serviceScopeOf(principal, mayReadAll, this.owners);
  }

  /**
   * Which audit entries `principal` may read: all of them when a policy allows it to `read-all`
   * of the audit trail, otherwise only its own decisions.
   */
  auditScope(principal: Principal): { all: true } | { all: false; principal: string } {
    if (this.decide(principal, 'read-all', 'audit', {}).decision === 'allow') return { all: true };
    return { all: false, principal: principal.id };
  }

  /**
   * Authorises every `/api/v1` request before its handler: 401 unidentified, 403 denied with the
   * reason. In token mode OTLP ingest is authorised too (`ingest` on traces, metrics or logs),
   * answering in the OTLP error shape (google.rpc.Status: 16 UNAUTHENTICATED, 7 PERMISSION_DENIED).
   */
  register(server: FastifyInstance): void {
    server.addHook('preHandler', async (request, reply) => {
      const route = request.routeOptions.url ?? '';
      if (INGEST_ROUTES.has(route)) {
        const ingest = this.authorizeIngest(request.headers.authorization, route, request.ip);
        if ('principal' in ingest) {
          if (ingest.principal !== undefined) request.principal = ingest.principal;
          return;
        }
        if (ingest.refused === 'unauthenticated') return reply.code(401).header('www-authenticate', 'Bearer').send({ code: 16, message: ingest.message });
        return reply.code(403).send({ code: 7, message: ingest.message });
      }
      if (!route.startsWith('/api/v1/')) return;
      const who = this.identify(request.headers.authorization);
      if ('problem' in who) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'UNAUTHENTICATED', message: `Who are you? ${who.problem}` } });
      request.principal = who;
      const wanted = routeAction(request.method, route);
      if (wanted === 'unmapped') return reply.code(403).send({ error: { code: 'FORBIDDEN', message: `${request.method} ${route} has no access rule: refused` } });
      const decision = this.decide(who, wanted.action, wanted.resourceType, { ip: request.ip, route, method: request.method }, true);
      if (decision.decision === 'allow') return;
      const because = decision.reason === 'denied_by_policy' ? `denied by ${decision.policies.join(', ')}` : 'no policy allows it';
      return reply.code(403).send({
        error: { code: 'FORBIDDEN', message: `${who.id} may not ${wanted.action} ${wanted.resourceType}: ${because}`, decision: { decision: decision.decision, reason: decision.reason, policies: decision.policies, version: decision.version, explanation: decision.explanation } },
      });
    });
  }

  /**
   * The OTLP ingest decision for `route` (`/v1/traces|metrics|logs`), shared by OTLP/HTTP and
   * OTLP/gRPC: in local mode every sender ingests (no principal); in token mode the credential must
   * identify a principal the policies allow to `ingest` that signal.
   */
  authorizeIngest(authorization: string | undefined, route: string, ip: string): { principal: Principal | undefined } | { refused: 'unauthenticated' | 'forbidden'; message: string } {
    if (this.config.mode === 'local') return { principal: undefined };
    const who = this.identify(authorization);
    if ('problem' in who) return { refused: 'unauthenticated', message: `OTLP ingest needs a credential: ${who.problem} (set the exporter's headers or metadata option)` };
    const wanted = routeAction('POST', route);
    if (wanted === 'unmapped') return { refused: 'forbidden', message: `POST ${route} has no access rule: refused` };
    const decision = this.decide(who, wanted.action, wanted.resourceType, { ip, route, method: 'POST' });
    if (decision.decision === 'allow') return { principal: who };
    return { refused: 'forbidden', message: `${who.id} may not ${wanted.action} ${wanted.resourceType}: ${decision.reason === 'denied_by_policy' ? `denied by ${decision.policies.join(', ')}` : 'no policy allows it'}` };
  }

  /** Publishes (and activates) a new policy version; a bad set changes nothing (`ABAC_POLICY_INVALID`). */
  async publish(policySet: unknown, meta: { author: string; message: string }): Promise<PolicyVersion> {
    const version = this.store.publish(policySet, meta);
    await this.#db.transaction(async (tx) => {
      await tx.query(`update policy_versions set active = false`);
      await tx.query(`insert into policy_versions (number, id, author, message, policy_set, created_at, active) values ($1, $2, $3, $4, $5::jsonb, $6, true)`, [version.number, version.id, version.author, version.message, JSON.stringify(version.policySet), version.createdAt]);
    });
    return version;
  }

  async activate(id: string): Promise<PolicyVersion> {
    const version = this.store.activate(id);
    await this.#db.query(`update policy_versions set active = (id = $1)`, [id]);
    return version;
  }

  async rollback(author: string): Promise<PolicyVersion> {
    const before = this.store.versions.length;
    const version = this.store.rollback({ author });
    if (this.store.versions.length > before) {
      await this.#db.transaction(async (tx) => {
        await tx.query(`update policy_versions set active = false`);
        await tx.query(`insert into policy_versions (number, id, author, message, policy_set, created_at, active) values ($1, $2, $3, $4, $5::jsonb, $6, true)`, [version.number, version.id, version.author, version.message, JSON.stringify(version.policySet), version.createdAt]);
      });
    }
    return version;
  }

  /**
   * Seals what is buffered and checks the whole chain in storage; with `expectedHead` (a head
   * published earlier and kept apart from the database) it also proves nothing was cut off the end.
   */
  async verify(expectedHead?: AuditHead): Promise<AuditVerification> {
    await this.audit.flush();
    return verifyAuditTrail(await this.sink.read(), expectedHead === undefined ? {} : { expectedHead });
  }

  /** The end of the chain once everything buffered is sealed: what an operator anchors elsewhere. */
  async head(): Promise<AuditHead> {
    await this.audit.flush();
    return this.audit.head();
  }
}
