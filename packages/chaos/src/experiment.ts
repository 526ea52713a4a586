import { IssueCollector, parseDuration } from '@sightline/core';
import { parse as parseYaml } from 'yaml';

/** A duration: ms as a number, or a string such as `"30s"`, `"5m"`. */
export type DurationInput = number | string;

/**
 * Where an activity's behaviour comes from. Experiments are data, so code is referenced by name:
 * `function` providers are looked up in the runner's registry.
 */
export type Provider =
  | { readonly type: 'function'; readonly name: string; readonly arguments?: Readonly<Record<string, unknown>> }
  | { readonly type: 'http'; readonly url: string; readonly method?: string; readonly calls?: number; readonly percentile?: number; readonly timeoutMs?: number; readonly expectStatus?: readonly number[]; readonly maxLatencyMs?: number };

/**
 * What a probe's output must be for the system to count as healthy (Chaos Toolkit tolerances):
 * a literal (`true`, `200`), a `[min, max]` range, or a range on one field of an object output.
 * With no tolerance, an object output's `ok` field decides.
 */
export type Tolerance =
  | boolean
  | number
  | string
  | readonly [number, number]
  | { readonly type: 'range'; readonly path: string; readonly range: readonly [number, number] }
  | { readonly type: 'equals'; readonly path: string; readonly value: unknown };

/** Pauses around an activity. */
export interface Pauses {
  readonly before?: DurationInput;
  readonly after?: DurationInput;
}

/** An action changes the system (usually injects a fault) and may return an `ActiveFault`. */
export interface Action {
  readonly type: 'action';
  readonly name: string;
  readonly provider: Provider;
  readonly pauses?: Pauses;
}

/** A probe observes the system; with a tolerance it also judges it. */
export interface Probe {
  readonly type: 'probe';
  readonly name: string;
  readonly provider: Provider;
  readonly tolerance?: Tolerance;
  readonly pauses?: Pauses;
}

export type Activity = Action | Probe;

/** A probe evaluated on a schedule while the method runs; out of tolerance aborts the run. */
export interface StopCondition {
  readonly name: string;
  readonly provider: Provider;
  readonly tolerance?: Tolerance;
  /** How often to evaluate it (default 1s). */
  readonly every?: DurationInput;
}

/** A chaos experiment in the Chaos Toolkit shape. */
export interface Experiment {
  readonly title: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly steadyStateHypothesis?: { readonly title: string; readonly probes: readonly Probe[] };
  readonly method: readonly Activity[];
  readonly rollbacks?: readonly Action[];
  readonly stopConditions?: readonly StopCondition[];
  /** Hard maximum duration of the whole run, rollbacks excepted (default 10m). */
  readonly maxDuration?: DurationInput;
  /** Weight in a suite's resilience score (default 1). */
  readonly weight?: number;
}

const PROVIDER_TYPES = new Set(['function', 'http']);

/**
 * Checks an experiment and returns it typed; every problem is reported with its path, then one
 * `ValidationError` (code `CHAOS_EXPERIMENT_INVALID`) is thrown.
 */
export function validateExperiment(input: unknown): Experiment {
  const issues = new IssueCollector();
  if (!isObject(input)) {
    issues.add([], 'an experiment must be an object', 'CHAOS_EXPERIMENT_TYPE');
    issues.throwIfAny('CHAOS_EXPERIMENT_INVALID', 'experiment');
  }
  const doc = input as Record<string, unknown>;
  if (typeof doc.title !== 'string' || doc.title.trim() === '') issues.add(['title'], 'must be a non-empty string', 'CHAOS_TITLE_REQUIRED');
  const ssh = doc.steadyStateHypothesis;
  if (ssh !== undefined) {
    if (!isObject(ssh)) issues.add(['steadyStateHypothesis'], 'must be an object with title and probes', 'CHAOS_SSH_TYPE');
    else {
      if (typeof ssh.title !== 'string') issues.add(['steadyStateHypothesis', 'title'], 'must be a string', 'CHAOS_TITLE_REQUIRED');
      if (!Array.isArray(ssh.probes)) issues.add(['steadyStateHypothesis', 'probes'], 'must be an array of probes', 'CHAOS_PROBES_TYPE');
      else ssh.probes.forEach((p, i) => checkActivity(p, ['steadyStateHypothesis', 'probes', i], issues, 'probe'));
    }
  }
  if (!Array.isArray(doc.method) || doc.method.length === 0) issues.add(['method'], 'must be a non-empty array of activities', 'CHAOS_METHOD_REQUIRED');
  else doc.method.forEach((a, i) => checkActivity(a, ['method', i], issues));
  if (doc.rollbacks !== undefined) {
    if (!Array.isArray(doc.rollbacks)) issues.add(['rollbacks'], 'must be an array of actions', 'CHAOS_ROLLBACKS_TYPE');
    else doc.rollbacks.forEach((a, i) => checkActivity(a, ['rollbacks', i], issues, 'action'));
  }
  if (doc.stopConditions !== undefined) {
    if (!Array.isArray(doc.stopConditions)) issues.add(['stopConditions'], 'must be an array', 'CHAOS_STOP_CONDITIONS_TYPE');
    else
      doc.stopConditions.forEach((c, i) => {
        const path = ['stopConditions', i];
        if (!isObject(c)) return issues.add(path, 'must be an object', 'CHAOS_STOP_CONDITION_TYPE');
        if (typeof c.name !== 'string' || c.name === '') issues.add([...path, 'name'], 'must be a non-empty string', 'CHAOS_NAME_REQUIRED');
        checkProvider(c.provider, [...path, 'provider'], issues);
        if (c.tolerance !== undefined) checkTolerance(c.tolerance, [...path, 'tolerance'], issues);
        if (c.every !== undefined) checkDuration(c.every, [...path, 'every'], issues);
      });
  }
  if (doc.maxDuration !== undefined) checkDuration(doc.maxDuration, ['maxDuration'], issues);
  if (doc.weight !== undefined && !(typeof doc.weight === 'number' && doc.weight > 0)) issues.add(['weight'], 'must be a number > 0', 'CHAOS_WEIGHT_INVALID');
  if (doc.tags !== undefined && !(Array.isArray(doc.tags) && doc.tags.every((t) => typeof t === 'string'))) issues.add(['tags'], 'must be an array of strings', 'CHAOS_TAGS_TYPE');
  const title = typeof doc.title === 'string' ? doc.title : '(untitled)';
  issues.throwIfAny('CHAOS_EXPERIMENT_INVALID', `experiment "${title}"`);
  return doc as unknown as Experiment;
}

/** Parses an experiment from JSON or YAML text (JSON is YAML), then validates it. */
export function parseExperiment(text: string): Experiment {
  const issues = new IssueCollector();
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    issues.add([], `not valid JSON or YAML: ${(error as Error).message}`, 'CHAOS_EXPERIMENT_SYNTAX');
    issues.throwIfAny('CHAOS_EXPERIMENT_INVALID', 'experiment text');
  }
  return validateExperiment(doc);
}

function checkActivity(value: unknown, path: (string | number)[], issues: IssueCollector, only?: 'action' | 'probe'): void {
  if (!isObject(value)) return issues.add(path, 'must be an object', 'CHAOS_ACTIVITY_TYPE');
  if (value.type !== 'action' && value.type !== 'probe') issues.add([...path, 'type'], 'must be "action" or "probe"', 'CHAOS_ACTIVITY_TYPE');
  else if (only && value.type !== only) issues.add([...path, 'type'], `must be "${only}" here`, 'CHAOS_ACTIVITY_TYPE');
  if (typeof value.name !== 'string' || value.name === '') issues.add([...path, 'name'], 'must be a non-empty string', 'CHAOS_NAME_REQUIRED');
  checkProvider(value.provider, [...path, 'provider'], issues);
  if (value.tolerance !== undefined) {
    if (value.type === 'action') issues.add([...path, 'tolerance'], 'only probes have a tolerance', 'CHAOS_TOLERANCE_ON_ACTION');
    else checkTolerance(value.tolerance, [...path, 'tolerance'], issues);
  }
  if (value.pauses !== undefined) {
    if (!isObject(value.pauses)) issues.add([...path, 'pauses'], 'must be an object with before/after', 'CHAOS_PAUSES_TYPE');
    else for (const k of ['before', 'after'] as const) if (value.pauses[k] !== undefined) checkDuration(value.pauses[k], [...path, 'pauses', k], issues);
  }
}

function checkProvider(value: unknown, path: (string | number)[], issues: IssueCollector): void {
  if (!isObject(value)) return issues.add(path, 'must be an object with a type', 'CHAOS_PROVIDER_TYPE');
  if (typeof value.type !== 'string' || !PROVIDER_TYPES.has(value.type)) return issues.add([...path, 'type'], 'must be "function" or "http"', 'CHAOS_PROVIDER_TYPE');
  if (value.type === 'function') {
    if (typeof value.name !== 'string' || value.name === '') issues.add([...path, 'name'], 'must name a registered function', 'CHAOS_PROVIDER_NAME');
    if (value.arguments !== undefined && !isObject(value.arguments)) issues.add([...path, 'arguments'], 'must be an object', 'CHAOS_PROVIDER_ARGUMENTS');
  } else {
    if (typeof value.url !== 'string' || !URL.canParse(value.url)) issues.add([...path, 'url'], 'must be an absolute URL', 'CHAOS_PROVIDER_URL');
    if (value.calls !== undefined && !(Number.isInteger(value.calls) && (value.calls as number) >= 1)) issues.add([...path, 'calls'], 'must be an integer >= 1', 'CHAOS_PROVIDER_CALLS');
    if (value.percentile !== undefined && !(typeof value.percentile === 'number' && value.percentile > 0 && value.percentile <= 100)) issues.add([...path, 'percentile'], 'must be in (0, 100]', 'CHAOS_PROVIDER_PERCENTILE');
  }
}

function checkTolerance(value: unknown, path: (string | number)[], issues: IssueCollector): void {
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return;
  if (Array.isArray(value)) {
    if (!isRange(value)) issues.add(path, 'a range must be [min, max] numbers with min <= max', 'CHAOS_TOLERANCE_RANGE');
    return;
  }
  if (isObject(value) && value.type === 'range') {
    if (typeof value.path !== 'string') issues.add([...path, 'path'], 'must be a field path such as "latencyMs"', 'CHAOS_TOLERANCE_PATH');
    if (!isRange(value.range)) issues.add([...path, 'range'], 'must be [min, max] numbers with min <= max', 'CHAOS_TOLERANCE_RANGE');
    return;
  }
  if (isObject(value) && value.type === 'equals') {
    if (typeof value.path !== 'string') issues.add([...path, 'path'], 'must be a field path', 'CHAOS_TOLERANCE_PATH');
    return;
  }
  issues.add(path, 'must be a literal, [min, max], or {type: "range"|"equals", path, ...}', 'CHAOS_TOLERANCE_TYPE');
}

function checkDuration(value: unknown, path: (string | number)[], issues: IssueCollector): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return;
  if (typeof value === 'string') {
    try {
      parseDuration(value);
      return;
    } catch {
      // reported below with the experiment's own code and path
    }
  }
  issues.add(path, 'must be ms >= 0 or a duration such as "30s"', 'CHAOS_DURATION_INVALID');
}

function isRange(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number' && value[0] <= value[1];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
