import { SightlineError } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { CurrencyGuard, type CurrencyConversion } from './currency-guard.js';
import { costOf, type CostMetric } from './dimension.js';
import { addMicros, allocateLargestRemainder } from './money.js';

/** How costs nobody owns directly are split across teams. */
export type SplitRule = 'even' | 'proportional' | { readonly weights: Readonly<Record<string, number>> };

/** Options of {@link chargeback}. */
export interface ChargebackOptions {
  /** The tag naming the owner, e.g. `team`. */
  readonly tagKey: string;
  /** Default `effective` (amortised), the usual basis for chargeback. */
  readonly cost?: CostMetric;
  /**
   * Records that are shared by everyone (support, tax, a shared cluster): split by `sharedSplit`.
   * Default: `ChargeCategory` Tax, plus records tagged `<tagKey>=shared`.
   */
  readonly isShared?: (record: CostRecord) => boolean;
  /** Default `proportional` (to each team's direct cost). */
  readonly sharedSplit?: SplitRule;
  /** How spend without the owner tag is split. Default `proportional`. */
  readonly untaggedSplit?: SplitRule;
  /** Teams to include even with no direct cost (they can still receive an even or weighted share). */
  readonly teams?: readonly string[];
  readonly conversion?: CurrencyConversion;
}

/** One team's bill. Money in micro-units. */
export interface TeamCharge {
  readonly team: string;
  /** Cost tagged to the team. */
  readonly direct: number;
  /** The team's share of shared cost, shown apart from direct cost. */
  readonly shared: number;
  /** The team's share of untagged cost. */
  readonly untagged: number;
  /** direct + shared + untagged. */
  readonly total: number;
  /** total / report total, 0..1. */
  readonly share: number;
}

/** A chargeback report: `teams[].total` sums to `total` exactly. */
export interface ChargebackReport {
  readonly currency: string;
  readonly total: number;
  readonly sharedTotal: number;
  readonly untaggedTotal: number;
  readonly teams: readonly TeamCharge[];
}

/**
 * Chargeback/showback: assigns every micro-unit of cost to a team. Direct cost by tag; shared and
 * untagged cost split evenly, proportionally or by weights, with largest-remainder rounding so the
 * teams' totals add up to the source total exactly. Throws `FINOPS_CHARGEBACK_NO_TEAMS` when no team
 * exists to charge, `FINOPS_WEIGHTS_INVALID` for bad weights.
 * @example
 * const report = await chargeback(records, { tagKey: 'team', untaggedSplit: 'proportional' });
 */
export async function chargeback(records: Iterable<CostRecord> | AsyncIterable<CostRecord>, options: ChargebackOptions): Promise<ChargebackReport> {
  const metric = options.cost ?? 'effective';
  const guard = new CurrencyGuard(options.conversion);
  const isShared = options.isShared ?? ((r: CostRecord) => r.chargeCategory === 'Tax' || r.tags[options.tagKey] === 'shared');
  const direct = new Map<string, number>();
  for (const team of options.teams ?? []) direct.set(team, 0);
  let shared = 0;
  let untagged = 0;
  for await (const record of records) {
    const cost = guard.convert(record, costOf(record, metric));
    if (isShared(record)) shared = addMicros(shared, cost);
    else {
      const team = record.tags[options.tagKey];
      if (team === undefined || team === '') untagged = addMicros(untagged, cost);
      else direct.set(team, addMicros(direct.get(team) ?? 0, cost));
    }
  }
  const teams = [...direct.keys()].sort();
  if (teams.length === 0) {
    if (shared === 0 && untagged === 0) return { currency: guard.currency, total: 0, sharedTotal: 0, untaggedTotal: 0, teams: [] };
    throw new SightlineError('FINOPS_CHARGEBACK_NO_TEAMS', `chargeback: no record carries the "${options.tagKey}" tag and no teams were listed, so shared/untagged cost has nobody to go to; pass options.teams`, { tagKey: options.tagKey });
  }
  const sharedParts = split(shared, teams, direct, options.sharedSplit ?? 'proportional');
  const untaggedParts = split(untagged, teams, direct, options.untaggedSplit ?? 'proportional');
  let total = shared + untagged;
  for (const cost of direct.values()) total += cost;
  const charges = teams.map((team, i) => {
    const own = direct.get(team) ?? 0;
    const sharedPart = sharedParts[i] ?? 0;
    const untaggedPart = untaggedParts[i] ?? 0;
    const teamTotal = own + sharedPart + untaggedPart;
    return { team, direct: own, shared: sharedPart, untagged: untaggedPart, total: teamTotal, share: total === 0 ? 0 : teamTotal / total };
  });
  charges.sort((a, b) => b.total - a.total || (a.team < b.team ? -1 : 1));
  return { currency: guard.currency, total, sharedTotal: shared, untaggedTotal: untagged, teams: charges };
}

function split(amount: number, teams: readonly string[], direct: ReadonlyMap<string, number>, rule: SplitRule): number[] {
  if (amount === 0) return teams.map(() => 0);
  let weights: number[];
  if (rule === 'even') weights = teams.map(() => 1);
  else if (rule === 'proportional') {
    // Credits can make a team's direct cost negative; a negative weight would charge the others extra.
    weights = teams.map((team) => Math.max(0, direct.get(team) ?? 0));
    if (weights.every((w) => w === 0)) weights = teams.map(() => 1);
  } else {
    const unknown = Object.keys(rule.weights).filter((team) => !teams.includes(team));
    if (unknown.length > 0) throw new SightlineError('FINOPS_WEIGHTS_INVALID', `chargeback weights name teams with no cost and not in options.teams: ${unknown.join(', ')}`, { unknown });
    weights = teams.map((team) => rule.weights[team] ?? 0);
  }
  return allocateLargestRemainder(amount, weights);
}
