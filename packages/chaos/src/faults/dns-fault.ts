import dns from 'node:dns';
import { SightlineError } from '@sightline/core';
import type { ActiveFault } from './fault.js';
import { emptyStats } from './fault.js';
import { createRandom } from '../internal/random.js';

/** The `lookup` signature `net.connect`, `http.request` and undici's `connect` accept. */
export type LookupFunction = typeof dns.lookup;

/** One DNS fault rule. */
export interface DnsFaultRule {
  /** Hostname to break: exact, or a RegExp. */
  readonly hostname: string | RegExp;
  /** Error code returned (default `ENOTFOUND`). */
  readonly error?: 'ENOTFOUND' | 'EAI_AGAIN' | 'ESERVFAIL' | 'ETIMEOUT';
  /** Probability 0..1 that a lookup fails (default 1). */
  readonly probability?: number;
}

/** A faulty lookup to pass as `lookup`, plus its fault handle. */
export interface DnsFault extends ActiveFault {
  readonly lookup: LookupFunction;
}

/**
 * A DNS lookup that fails for matching hostnames while active and delegates to `dns.lookup`
 * otherwise. Node has no global resolver hook, so pass `fault.lookup` where connections are made
 * (`http.Agent`, `net.connect`, undici `Agent({ connect: { lookup } })`).
 */
export function createDnsFault(rules: readonly DnsFaultRule[], options: { seed?: number; lookup?: LookupFunction } = {}): DnsFault {
  for (const rule of rules) {
    if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
      throw new SightlineError('CHAOS_FAULT_INVALID', `DNS fault for ${String(rule.hostname)}: probability must be 0..1`, { probability: rule.probability });
    }
  }
  const random = createRandom(options.seed);
  const base = options.lookup ?? dns.lookup;
  const stats = emptyStats();
  let active = true;
  const lookup = ((hostname: string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as (error: NodeJS.ErrnoException | null, ...values: unknown[]) => void;
    const rule = active ? rules.find((r) => (typeof r.hostname === 'string' ? r.hostname === hostname : r.hostname.test(hostname))) : undefined;
    if (rule) {
      stats.matched += 1;
      if (random() < (rule.probability ?? 1)) {
        stats.injectedErrors += 1;
        const code = rule.error ?? 'ENOTFOUND';
        const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ${code} ${hostname} (injected)`), { code, hostname, syscall: 'getaddrinfo' });
        process.nextTick(() => callback(error));
        return;
      }
    }
    (base as (...a: unknown[]) => void)(hostname, ...rest);
  }) as LookupFunction;
  return {
    lookup,
    description: `DNS fault on ${rules.map((r) => String(r.hostname)).join(', ')}`,
    get active() {
      return active;
    },
    stats: () => ({ ...stats }),
    revert: async () => {
      active = false;
    },
  };
}
