import type { Principal } from '@sightline/core';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../storage/database.js';

/** The resource attribute a service declares its owning team with (`OTEL_RESOURCE_ATTRIBUTES=sightline.team=payments`). */
export const OWNER_ATTRIBUTE = 'sightline.team';

/** A claim on a service that lost to its owner: ignored, counted and reported. */
export interface RefusedClaim {
  service: string;
  /** The team that owns the service and keeps it. */
  owner: string;
  /** The team the refused data claimed it for. */
  claimedFor: string;
  /** Whether the data was refused too (a team credential writing to another team's service) or only the claim. */
  dataRefused: boolean;
}

/** What {@link ServiceOwners.admit} lets through from one ingest request. */
export interface Admitted<T> {
  accepted: T[];
  /** Items refused because their service belongs to another team than the credential's. */
  refused: number;
  errors: string[];
}

/**
 * Which team owns which service. Ownership comes from `access.serviceOwners` in the config (which
 * always wins, so an operator can correct a wrong claim by a restart), or from the first claim:
 * the team of the ingest credential, or, for a credential without a team (and in local mode), the
 * `sightline.team` resource attribute. A claimed service never moves to another team; later
 * claims for another team are ignored, counted ({@link refusedClaims}) and reported.
 */
export class ServiceOwners {
  readonly #db: Database;
  /** Owners seen so far; an owner never changes once set, so this cache never goes stale. */
  readonly #known = new Map<string, string>();
  readonly #onRefusedClaim: (claim: RefusedClaim) => void;
  #refusedClaims = 0;

  constructor(db: Database, options: { onRefusedClaim?: (claim: RefusedClaim) => void } = {}) {
    this.#db = db;
    this.#onRefusedClaim = options.onRefusedClaim ?? (() => undefined);
  }

  /** Claims for another team than the owner's, ignored since start. */
  get refusedClaims(): number {
    return this.#refusedClaims;
  }

  /** Stores the owners named in the config; they replace any claim (the operator's word wins). */
  async configure(owners: Readonly<Record<string, string>>, now: number): Promise<void> {
    const entries = Object.entries(owners);
    if (entries.length === 0) return;
    const rows = JSON.stringify(entries.map(([service, team]) => ({ service, team })));
    await this.#db.query(`insert into service_owners (service, team, updated_at) select service, team, $2 from jsonb_to_recordset($1::jsonb) as r(service text, team text) on conflict (service) do update set team = excluded.team, updated_at = excluded.updated_at`, [rows, now]);
    for (const [service, team] of entries) this.#known.set(service, team);
  }

  /**
   * Resolves the owners of the services in one ingest batch, claiming unowned ones, and returns
   * the items that may be stored. `credentialTeam` is the team of the ingest credential: when set
   * it is the only team that can claim, and items of a service owned by another team are refused.
   * Without it (local mode, a credential without a team) every item is stored and
   * `declaredTeam(item)` (the `sightline.team` attribute) claims unowned services.
   */
  async admit<T extends { service: string }>(items: T[], options: { credentialTeam: string | undefined; declaredTeam: (item: T) => string | undefined; now: number }): Promise<Admitted<T>> {
    const { credentialTeam } = options;
    // The teams each service is claimed for in this batch, in order; the first one claims it.
    const claims = new Map<string, string[]>();
    for (const item of items) {
      let teams = claims.get(item.service);
      if (teams === undefined) claims.set(item.service, (teams = []));
      const team = credentialTeam ?? nonEmpty(options.declaredTeam(item));
      if (team !== undefined && !teams.includes(team)) teams.push(team);
    }
    const unowned = [...claims].flatMap(([service, teams]): [string, string][] => (teams[0] === undefined || this.#known.has(service) ? [] : [[service, teams[0]]]));
    if (unowned.length > 0) await this.#claim(unowned, options.now);

    const refusedServices = new Set<string>();
    for (const [service, teams] of claims) {
      const owner = this.#known.get(service);
      if (owner === undefined) continue;
      for (const claimedFor of teams) {
        if (claimedFor === owner) continue;
        // A team credential cannot write into another team's service; without one the data is
        // stored (today's behaviour) and only the claim is ignored.
        const dataRefused = credentialTeam !== undefined;
        if (dataRefused) refusedServices.add(service);
        this.#refusedClaims++;
        this.#onRefusedClaim({ service, owner, claimedFor, dataRefused });
      }
    }
    if (refusedServices.size === 0) return { accepted: items, refused: 0, errors: [] };
    const accepted = items.filter((item) => !refusedServices.has(item.service));
    const errors = [...refusedServices].map((service) => `service ${JSON.stringify(service)} belongs to team ${JSON.stringify(this.#known.get(service))}; a credential of team ${JSON.stringify(credentialTeam)} may not write to it`);
    return { accepted, refused: items.length - accepted.length, errors };
  }

  /** Inserts the claims for services without an owner (first claim wins), then reads who owns them. */
  async #claim(claims: [string, string][], now: number): Promise<void> {
    const rows = JSON.stringify(claims.map(([service, team]) => ({ service, team })));
    // `do nothing`: a service that already has an owner (claimed by another request or replica) keeps it.
    await this.#db.query(`insert into service_owners (service, team, updated_at) select service, team, $2 from jsonb_to_recordset($1::jsonb) as r(service text, team text) on conflict (service) do nothing`, [rows, now]);
    const owned = await this.#db.query<{ service: string; team: string }>(`select service, team from service_owners where service in (select jsonb_array_elements_text($1::jsonb))`, [JSON.stringify(claims.map(([service]) => service))]);
    for (const row of owned) this.#known.set(row.service, row.team);
  }

  async servicesOf(team: string): Promise<string[]> {
    const rows = await this.#db.query<{ service: string }>(`select service from service_owners where team = $1 order by service`, [team]);
    return rows.map((r) => r.service);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
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
