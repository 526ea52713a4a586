import { SightlineError, systemClock, type Clock } from '@sightline/core';
import { createHash } from 'node:crypto';
import { createAuthorizer, type Authorizer, type AuthorizerOptions } from './authorizer.js';
import type { Policy, PolicySet } from './policy.js';

/** One immutable, published policy set. */
export interface PolicyVersion {
  /** `v<n>-<first 8 hex of the content's SHA-256>`. */
  readonly id: string;
  readonly number: number;
  readonly createdAt: number;
  readonly author: string;
  readonly message: string;
  readonly policySet: PolicySet;
}

/** What changed between two versions, by policy id. */
export interface PolicyDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/**
 * Versioned policy sets with atomic activation: a set is validated and compiled before it is
 * published, so a bad set never replaces a good one; rollback publishes the previous active
 * content as a new version (history is never rewritten).
 */
export class PolicyStore {
  readonly #versions: PolicyVersion[] = [];
  readonly #clock: Clock;
  readonly #options: Omit<AuthorizerOptions, 'version'>;
  #active: { version: PolicyVersion; authorizer: Authorizer } | undefined;
  readonly #history: string[] = [];

  constructor(options: Omit<AuthorizerOptions, 'version'> = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Validates, compiles and stores a new version; activates it unless `activate: false`. Throws `ABAC_POLICY_INVALID` and changes nothing when invalid. */
  publish(policySet: unknown, meta: { author: string; message: string; activate?: boolean }): PolicyVersion {
    const number = this.#versions.length + 1;
    const content = canonical(policySet);
    const id = `v${number}-${createHash('sha256').update(content).digest('hex').slice(0, 8)}`;
    const authorizer = createAuthorizer(policySet, { ...this.#options, version: id });
    const version: PolicyVersion = Object.freeze({ id, number, createdAt: this.#clock.now(), author: meta.author, message: meta.message, policySet: deepFreeze(structuredClone(policySet) as PolicySet) });
    this.#versions.push(version);
    if (meta.activate !== false) this.#activate(version, authorizer);
    return version;
  }

  /** Makes an existing version the active one. */
  activate(id: string): PolicyVersion {
    const version = this.get(id);
    this.#activate(version, createAuthorizer(version.policySet, { ...this.#options, version: version.id }));
    return version;
  }

  /** Re-publishes the content that was active before the current one, as a new version. */
  rollback(meta: { author: string; message?: string }): PolicyVersion {
    const previousId = this.#history[this.#history.length - 2];
    if (previousId === undefined) throw new SightlineError('ABAC_NO_PREVIOUS_VERSION', 'Nothing to roll back to: only one version has been active');
    return this.publish(this.get(previousId).policySet, { author: meta.author, message: meta.message ?? `rollback to ${previousId}` });
  }

  /** The authorizer of the active version; throws `ABAC_NO_ACTIVE_VERSION` before the first publish. */
  get authorizer(): Authorizer {
    if (this.#active === undefined) throw new SightlineError('ABAC_NO_ACTIVE_VERSION', 'No policy version is active yet: publish one first');
    return this.#active.authorizer;
  }

  get active(): PolicyVersion | undefined {
    return this.#active?.version;
  }

  get versions(): readonly PolicyVersion[] {
    return this.#versions;
  }

  get(id: string): PolicyVersion {
    const version = this.#versions.find((v) => v.id === id);
    if (version === undefined) throw new SightlineError('ABAC_UNKNOWN_VERSION', `No policy version ${JSON.stringify(id)}`, { id });
    return version;
  }

  /** Policies added, removed and changed from version `from` to version `to`. */
  diff(from: string, to: string): PolicyDiff {
    const a = new Map(this.get(from).policySet.policies.map((p) => [p.id, p]));
    const b = new Map(this.get(to).policySet.policies.map((p) => [p.id, p]));
    const same = (x: Policy, y: Policy) => canonical(x) === canonical(y);
    return {
      added: [...b.keys()].filter((id) => !a.has(id)),
      removed: [...a.keys()].filter((id) => !b.has(id)),
      changed: [...b.keys()].filter((id) => a.has(id) && !same(a.get(id)!, b.get(id)!)),
    };
  }

  #activate(version: PolicyVersion, authorizer: Authorizer): void {
    this.#active = { version, authorizer };
    this.#history.push(version.id);
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
