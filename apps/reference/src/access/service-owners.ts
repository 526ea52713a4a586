import type { Principal } from '@sightline/core';
import type { FastifyRequest } from 'fastify';
import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database } from '../storage/database.js';

/** The resource attribute a service declares its owning team with (`OTEL_RESOURCE_ATTRIBUTES=sightline.team=payments`). */
export const OWNER_ATTRIBUTE = 'sightline.team';

/**
 * Which team owns which service, learned from the `sightline.team` resource attribute of ingested
 * spans (the last one seen wins, so moving a service to another team is a redeploy). Writes only
 * when a pair is new to this process.
 */
export class ServiceOwners {
  readonly #db: Database;
  readonly #known = new Map<string, string>();
  readonly #onError: (error: unknown) => void;
  #pending = Promise.resolve();

  constructor(db: Database, onError: (error: unknown) => void) {
    this.#db = db;
    this.#onError = onError;
  }

  observe(spans: readonly SpanRow[], now: number): void {
    const changed = new Map<string, string>();
    for (const span of spans) {
      const team = span.resource[OWNER_ATTRIBUTE];
      if (typeof team !== 'string' || team === '' || this.#known.get(span.service) === team) continue;
      this.#known.set(span.service, team);
      changed.set(span.service, team);
    }
    if (changed.size === 0) return;
    const rows = JSON.stringify([...changed].map(([service, team]) => ({ service, team })));
    this.#pending = this.#pending
      .then(() => this.#db.query(`insert into service_owners (service, team, updated_at) select service, team, $2 from jsonb_to_recordset($1::jsonb) as r(service text, team text) on conflict (service) do update set team = excluded.team, updated_at = excluded.updated_at`, [rows, now]))
      .then(() => undefined, this.#onError);
  }

  /** Resolves when the ownership seen so far is stored. */
  settled(): Promise<void> {
    return this.#pending;
  }

  async servicesOf(team: string): Promise<string[]> {
    const rows = await this.#db.query<{ service: string }>(`select service from service_owners where team = $1 order by service`, [team]);
    return rows.map((r) => r.service);
  }
}

/** The services a reader may see: `undefined` for all of them. */
export type ServiceScope = readonly string[] | undefined;

/** A reader on a team sees that team's services unless `mayReadAll`; a reader without a team is org-wide. */
export async function serviceScopeOf(principal: Principal, mayReadAll: boolean, owners: ServiceOwners): Promise<ServiceScope> {
  if (mayReadAll || principal.team === undefined) return undefined;
  return owners.servicesOf(principal.team);
}

/** The scope of the request's principal, for routes that read per-service data. */
export type ScopeOf = (request: FastifyRequest) => Promise<ServiceScope>;

/** Whether `service` is within `scope`. */
export const inScope = (scope: ServiceScope, service: string | undefined): boolean => scope === undefined || (service !== undefined && scope.includes(service));
