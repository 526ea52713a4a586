import { IssueCollector, parseDuration } from '@sightline/core';
import { parse as parseYaml } from 'yaml';
import { compileJsonPath } from './internal/json-path.js';

/** A duration: a number (ms; seconds in `pauses`, as Chaos Toolkit has it), or a string such as `"30s"`, `"5m"`. */
export type DurationInput = number | string;

/** Names of Chaos Toolkit secret scopes a provider may use (`secrets: ["scope"]`). */
export type SecretScopes = readonly string[];

/**
 * Where an activity's behaviour comes from (Chaos Toolkit providers). Experiments are data, so
 * code is referenced by name: `function` providers, and `python` providers under
 * `"<module>.<func>"`, are looked up in the runner's registry. Strings may use `${name}` to
 * read the experiment's `configuration` and the provider's `secrets`.
 */
export type Provider = FunctionProvider | HttpProvider | ProcessProvider | PythonProvider;

/** Calls a function from the runner's registry. */
export interface FunctionProvider {
  readonly type: 'function';
  readonly name: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Seconds of real time the call may take (as the activity's `timeout`). */
  readonly timeout?: number;
  readonly secrets?: SecretScopes;
}

/**
 * Calls a URL (Chaos Toolkit's `http` provider). The output has the last call's `status`,
 * `headers` and `body` (parsed when the response is JSON), plus `calls`, `errors`,
 * `errorRatio`, `statuses`, `latencyMs` (the `percentile`, ms) and `ok`.
 */
export interface HttpProvider {
  readonly type: 'http';
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Query parameters for GET; the request body otherwise (JSON when `content-type` says so, else form-encoded). */
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Chaos Toolkit timeout, seconds, or `[connect, read]` seconds (their sum bounds each call). */
  readonly timeout?: number | readonly [number, number];
  /** Retries of a call that failed to connect or timed out (default 0). */
  readonly max_retries?: number;
  /** Only `true` is supported (TLS certificates are always verified). */
  readonly verify_tls?: boolean;
  readonly secrets?: SecretScopes;
  readonly calls?: number;
  readonly percentile?: number;
  /** Per-call timeout, ms (default 5000; `timeout` in seconds takes precedence). */
  readonly timeoutMs?: number;
  readonly expectStatus?: readonly number[];
  readonly maxLatencyMs?: number;
}

/**
 * Runs a command (Chaos Toolkit's `process` provider); the output is `{ status, stdout, stderr }`
 * with `status` the exit code. `arguments` as a list is passed as is (no shell), as a string it
 * is appended to `path` and run by the shell, as a mapping it becomes `key value` pairs.
 */
export interface ProcessProvider {
  readonly type: 'process';
  readonly path: string;
  readonly arguments?: string | readonly (string | number | boolean)[] | Readonly<Record<string, unknown>>;
  /** Seconds; a command still running then is killed and the activity fails (default: none). */
  readonly timeout?: number;
  readonly secrets?: SecretScopes;
}

/**
 * A Chaos Toolkit Python function. Python is not run here: the runner refuses the experiment
 * (`CHAOS_UNSUPPORTED`, naming module and function) unless the registry has a function under
 * `"<module>.<func>"`.
 */
export interface PythonProvider {
  readonly type: 'python';
  readonly module: string;
  readonly func: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Seconds of real time the call may take (as the activity's `timeout`). */
  readonly timeout?: number;
  readonly secrets?: SecretScopes;
}

/**
 * What a probe's output must be for the system to count as healthy (Chaos Toolkit tolerances):
 * - a literal (`true`, `200`, `"ok"`): equal to the output, or to its `status` when the output
 *   is an object with one (http, process);
 * - a list: with an object output that has a `status`, the accepted statuses; otherwise two
 *   numbers are an inclusive `[min, max]` range and any other list the accepted values;
 * - `{ type: range, range: [min, max], target? }`, `{ type: regex, pattern, target? }`,
 *   `{ type: jsonpath, path, expect?, count?, target? }` where `target` picks a field of the
 *   output (`body`, `stdout`, ...) first;
 * - `{ type: probe, name, provider }`: another probe, called with `value` (the output) added to
 *   its arguments; a truthy result is within tolerance;
 * - this package's `{ type: equals, path, value }` and `{ type: range, path, range }` (dotted path).
 * With no tolerance, an object output's `ok` field decides.
 */
export type Tolerance =
  | boolean
  | number
  | string
  | readonly (boolean | number | string)[]
  | { readonly type: 'range'; readonly range: readonly [number, number]; readonly target?: string; readonly path?: string }
  | { readonly type: 'equals'; readonly path: string; readonly value: unknown }
  | { readonly type: 'regex'; readonly pattern: string; readonly target?: string }
  | { readonly type: 'jsonpath'; readonly path: string; readonly expect?: unknown; readonly count?: number; readonly target?: string }
  | { readonly type: 'probe'; readonly name: string; readonly provider: Provider };

/** Pauses around an activity: a number is seconds (as in Chaos Toolkit), a string a duration such as `"1m"`. */
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
  /** Seconds of real time the provider may take; longer fails the activity with `CHAOS_ACTIVITY_TIMEOUT`. */
  readonly timeout?: number;
  /** Chaos Toolkit background activities are not supported (reported when the run starts). */
  readonly background?: boolean;
  /** Chaos Toolkit controls are Python extensions: not supported (reported when the run starts). */
  readonly controls?: readonly unknown[];
}

/** A probe observes the system; with a tolerance it also judges it. */
export interface Probe {
  readonly type: 'probe';
  readonly name: string;
  readonly provider: Provider;
  readonly tolerance?: Tolerance;
  readonly pauses?: Pauses;
  /** Seconds of real time the provider may take; longer fails the activity with `CHAOS_ACTIVITY_TIMEOUT`. */
  readonly timeout?: number;
  readonly background?: boolean;
  readonly controls?: readonly unknown[];
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

/**
 * A configuration or secret value: a literal, or read from the environment when the run starts
 * (`{ type: env, key, default?, env_var_type? }`, `env_var_type` one of str, int, float, bool, json).
 */
export type ConfigurationValue = unknown;

/** A chaos experiment in the Chaos Toolkit shape (`steady-state-hypothesis` is read as `steadyStateHypothesis`). */
export interface Experiment {
  readonly title: string;
  readonly description?: string;
  readonly version?: string;
  readonly tags?: readonly string[];
  readonly contributions?: Readonly<Record<string, string>>;
  readonly configuration?: Readonly<Record<string, ConfigurationValue>>;
  /** Secret scopes: scope name → key → value (literal or `{ type: env, key }`). */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, ConfigurationValue>>>>;
  /** Free-form vendor data, kept as is and not interpreted. */
  readonly extensions?: readonly Readonly<Record<string, unknown>>[];
  /** Not supported (Python controls); reported when the run starts. */
  readonly controls?: readonly unknown[];
  /** Not supported (Chaos Toolkit runtime strategies); reported when the run starts. */
  readonly runtime?: Readonly<Record<string, unknown>>;
  readonly steadyStateHypothesis?: { readonly title: string; readonly probes: readonly Probe[] };
  readonly method: readonly Activity[];
  readonly rollbacks?: readonly Action[];
  readonly stopConditions?: readonly StopCondition[];
  /** Hard maximum duration of the whole run, rollbacks excepted (default 10m; a number is ms). */
  readonly maxDuration?: DurationInput;
  /** Weight in a suite's resilience score (default 1). */
  readonly weight?: number;
}

type Path = (string | number)[];

const EXPERIMENT_KEYS = ['title', 'description', 'version', 'tags', 'contributions', 'configuration', 'secrets', 'extensions', 'controls', 'runtime', 'steady-state-hypothesis', 'steadyStateHypothesis', 'method', 'rollbacks', 'stopConditions', 'maxDuration', 'weight'];
const HYPOTHESIS_KEYS = ['title', 'probes', 'controls'];
const ACTIVITY_KEYS = ['type', 'name', 'provider', 'tolerance', 'pauses', 'timeout', 'background', 'controls', 'ref'];
const PROVIDER_KEYS: Record<string, readonly string[]> = {
  function: ['type', 'name', 'arguments', 'timeout', 'secrets'],
  http: ['type', 'url', 'method', 'headers', 'arguments', 'timeout', 'max_retries', 'verify_tls', 'secrets', 'calls', 'percentile', 'timeoutMs', 'expectStatus', 'maxLatencyMs'],
  process: ['type', 'path', 'arguments', 'timeout', 'secrets'],
  python: ['type', 'module', 'func', 'arguments', 'timeout', 'secrets'],
};
const TOLERANCE_KEYS: Record<string, readonly string[]> = {
  range: ['type', 'range', 'target', 'path'],
  equals: ['type', 'path', 'value'],
  regex: ['type', 'pattern', 'target'],
  jsonpath: ['type', 'path', 'expect', 'count', 'target'],
};
const ENV_KEYS = ['type', 'key', 'default', 'env_var_type'];
const ENV_VAR_TYPES = ['str', 'int', 'float', 'bool', 'json'];

/**
 * Checks an experiment and returns it typed: this package's camelCase spelling or Chaos Toolkit's
 * documented format (`steady-state-hypothesis`, `process`/`python` providers, `ref` activities,
 * `configuration`, `secrets`...). Keys the format does not define are reported, never dropped.
 * Every problem is reported with its path, then one `ValidationError` (code
 * `CHAOS_EXPERIMENT_INVALID`) is thrown.
 */
export function validateExperiment(input: unknown): Experiment {
  const issues = new IssueCollector();
  if (!isObject(input)) {
    issues.add([], 'an experiment must be an object', 'CHAOS_EXPERIMENT_TYPE');
    issues.throwIfAny('CHAOS_EXPERIMENT_INVALID', 'experiment');
  }
  const doc = input as Record<string, unknown>;
  checkKeys(doc, EXPERIMENT_KEYS, [], issues, 'an experiment');
  if (typeof doc.title !== 'string' || doc.title.trim() === '') issues.add(['title'], 'must be a non-empty string', 'CHAOS_TITLE_REQUIRED');
  if (doc['steady-state-hypothesis'] !== undefined && doc.steadyStateHypothesis !== undefined) {
    issues.add(['steadyStateHypothesis'], 'give the hypothesis once: "steady-state-hypothesis" (Chaos Toolkit) or "steadyStateHypothesis"', 'CHAOS_SSH_DUPLICATE');
  }
  const sshKey = doc['steady-state-hypothesis'] !== undefined ? 'steady-state-hypothesis' : 'steadyStateHypothesis';
  const ssh = doc[sshKey];
  // Every named activity of the experiment, for Chaos Toolkit's `{ ref: name }` reuse.
  const declared = namedActivities(doc);
  let hypothesis: Record<string, unknown> | undefined;
  if (ssh !== undefined) {
    if (!isObject(ssh)) issues.add([sshKey], 'must be an object with title and probes', 'CHAOS_SSH_TYPE');
    else {
      checkKeys(ssh, HYPOTHESIS_KEYS, [sshKey], issues, 'a steady-state hypothesis');
      if (typeof ssh.title !== 'string') issues.add([sshKey, 'title'], 'must be a string', 'CHAOS_TITLE_REQUIRED');
      if (ssh.probes !== undefined && !Array.isArray(ssh.probes)) issues.add([sshKey, 'probes'], 'must be an array of probes', 'CHAOS_PROBES_TYPE');
      const probes = Array.isArray(ssh.probes) ? ssh.probes.map((p, i) => checkActivity(p, [sshKey, 'probes', i], issues, declared, 'probe')) : [];
      hypothesis = { ...ssh, probes };
    }
  }
  let method: unknown[] = [];
  // Chaos Toolkit: the method is required but may be empty (an experiment that only checks the hypothesis).
  if (!Array.isArray(doc.method)) issues.add(['method'], 'must be an array of activities (it may be empty)', 'CHAOS_METHOD_REQUIRED');
  else method = doc.method.map((a, i) => checkActivity(a, ['method', i], issues, declared));
  let rollbacks: unknown[] | undefined;
  if (doc.rollbacks !== undefined) {
    if (!Array.isArray(doc.rollbacks)) issues.add(['rollbacks'], 'must be an array of actions', 'CHAOS_ROLLBACKS_TYPE');
    else rollbacks = doc.rollbacks.map((a, i) => checkActivity(a, ['rollbacks', i], issues, declared, 'action'));
  }
  if (doc.stopConditions !== undefined) {
    if (!Array.isArray(doc.stopConditions)) issues.add(['stopConditions'], 'must be an array', 'CHAOS_STOP_CONDITIONS_TYPE');
    else
      doc.stopConditions.forEach((c, i) => {
        const path = ['stopConditions', i];
        if (!isObject(c)) return issues.add(path, 'must be an object', 'CHAOS_STOP_CONDITION_TYPE');
        checkKeys(c, ['name', 'provider', 'tolerance', 'every'], path, issues, 'a stop condition');
        if (typeof c.name !== 'string' || c.name === '') issues.add([...path, 'name'], 'must be a non-empty string', 'CHAOS_NAME_REQUIRED');
        checkProvider(c.provider, [...path, 'provider'], issues);
        if (c.tolerance !== undefined) checkTolerance(c.tolerance, [...path, 'tolerance'], issues);
        if (c.every !== undefined) checkDuration(c.every, [...path, 'every'], issues);
      });
  }
  if (doc.maxDuration !== undefined) checkDuration(doc.maxDuration, ['maxDuration'], issues);
  if (doc.weight !== undefined && !(typeof doc.weight === 'number' && doc.weight > 0)) issues.add(['weight'], 'must be a number > 0', 'CHAOS_WEIGHT_INVALID');
  if (doc.tags !== undefined && !(Array.isArray(doc.tags) && doc.tags.every((t) => typeof t === 'string'))) issues.add(['tags'], 'must be an array of strings', 'CHAOS_TAGS_TYPE');
  for (const key of ['description', 'version'] as const) if (doc[key] !== undefined && typeof doc[key] !== 'string') issues.add([key], 'must be a string', 'CHAOS_FIELD_TYPE');
  if (doc.contributions !== undefined && !(isObject(doc.contributions) && Object.values(doc.contributions).every((v) => typeof v === 'string'))) issues.add(['contributions'], 'must map names to "none", "low", "medium" or "high"', 'CHAOS_FIELD_TYPE');
  if (doc.extensions !== undefined && !(Array.isArray(doc.extensions) && doc.extensions.every(isObject))) issues.add(['extensions'], 'must be an array of objects', 'CHAOS_FIELD_TYPE');
  if (doc.controls !== undefined && !Array.isArray(doc.controls)) issues.add(['controls'], 'must be an array', 'CHAOS_FIELD_TYPE');
  if (doc.runtime !== undefined && !isObject(doc.runtime)) issues.add(['runtime'], 'must be an object', 'CHAOS_FIELD_TYPE');
  if (doc.configuration !== undefined) {
    if (!isObject(doc.configuration)) issues.add(['configuration'], 'must be an object of name → value', 'CHAOS_CONFIGURATION_TYPE');
    else for (const [key, value] of Object.entries(doc.configuration)) checkConfigurationValue(value, ['configuration', key], issues);
  }
  if (doc.secrets !== undefined) {
    if (!isObject(doc.secrets)) issues.add(['secrets'], 'must be an object of scope → { name → value }', 'CHAOS_SECRETS_TYPE');
    else
      for (const [scope, entries] of Object.entries(doc.secrets)) {
        if (!isObject(entries)) issues.add(['secrets', scope], 'must be an object of name → value', 'CHAOS_SECRETS_TYPE');
        else for (const [key, value] of Object.entries(entries)) checkConfigurationValue(value, ['secrets', scope, key], issues);
      }
  }
  const title = typeof doc.title === 'string' ? doc.title : '(untitled)';
  issues.throwIfAny('CHAOS_EXPERIMENT_INVALID', `experiment "${title}"`);
  const { 'steady-state-hypothesis': _hyphenated, steadyStateHypothesis: _camel, method: _method, rollbacks: _rollbacks, ...rest } = doc;
  return { ...rest, ...(hypothesis ? { steadyStateHypothesis: hypothesis } : {}), method, ...(rollbacks ? { rollbacks } : {}) } as unknown as Experiment;
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

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], path: Path, issues: IssueCollector, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.add([...path, key], `unknown key in ${what} (known: ${allowed.join(', ')}); vendor data belongs in "extensions"`, 'CHAOS_UNKNOWN_KEY');
  }
}

function checkActivity(value: unknown, path: Path, issues: IssueCollector, declared: Map<string, Record<string, unknown>>, only?: 'action' | 'probe'): unknown {
  if (!isObject(value)) {
    issues.add(path, 'must be an object', 'CHAOS_ACTIVITY_TYPE');
    return value;
  }
  if (value.ref !== undefined) {
    // Chaos Toolkit: `{ type, ref: name }` reuses an activity declared earlier under that name.
    checkKeys(value, ['type', 'ref'], path, issues, 'an activity reference');
    const target = typeof value.ref === 'string' ? declared.get(value.ref) : undefined;
    if (!target) {
      issues.add([...path, 'ref'], `no activity named "${String(value.ref)}" in the experiment`, 'CHAOS_REF_UNKNOWN');
      return value;
    }
    if (value.type !== undefined && value.type !== target.type) issues.add([...path, 'type'], `"${String(value.ref)}" is a ${String(target.type)}`, 'CHAOS_ACTIVITY_TYPE');
    if (only && target.type !== only) issues.add([...path, 'ref'], `must refer to a ${only} here`, 'CHAOS_ACTIVITY_TYPE');
    return target;
  }
  checkKeys(value, ACTIVITY_KEYS, path, issues, 'an activity');
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
    else {
      checkKeys(value.pauses, ['before', 'after'], [...path, 'pauses'], issues, 'pauses');
      for (const k of ['before', 'after'] as const) if (value.pauses[k] !== undefined) checkDuration(value.pauses[k], [...path, 'pauses', k], issues);
    }
  }
  if (value.background !== undefined && typeof value.background !== 'boolean') issues.add([...path, 'background'], 'must be a boolean', 'CHAOS_FIELD_TYPE');
  if (value.controls !== undefined && !Array.isArray(value.controls)) issues.add([...path, 'controls'], 'must be an array', 'CHAOS_FIELD_TYPE');
  if (value.timeout !== undefined && !(typeof value.timeout === 'number' && value.timeout > 0)) issues.add([...path, 'timeout'], 'must be seconds > 0', 'CHAOS_ACTIVITY_TIMEOUT');
  return value;
}

/** The first activity of each name in the hypothesis, method and rollbacks (refs are not followed). */
function namedActivities(doc: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const ssh = doc['steady-state-hypothesis'] ?? doc.steadyStateHypothesis;
  const lists = [isObject(ssh) ? ssh.probes : undefined, doc.method, doc.rollbacks];
  const named = new Map<string, Record<string, unknown>>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const a of list) if (isObject(a) && a.ref === undefined && typeof a.name === 'string' && !named.has(a.name)) named.set(a.name, a);
  }
  return named;
}

function checkProvider(value: unknown, path: Path, issues: IssueCollector): void {
  if (!isObject(value)) return issues.add(path, 'must be an object with a type', 'CHAOS_PROVIDER_TYPE');
  const keys = typeof value.type === 'string' ? PROVIDER_KEYS[value.type] : undefined;
  if (!keys) return issues.add([...path, 'type'], 'must be "function", "http", "process" or "python"', 'CHAOS_PROVIDER_TYPE');
  checkKeys(value, keys, path, issues, `a ${String(value.type)} provider`);
  if (value.secrets !== undefined && !(Array.isArray(value.secrets) && value.secrets.every((s) => typeof s === 'string'))) issues.add([...path, 'secrets'], 'must be an array of secret scope names', 'CHAOS_PROVIDER_SECRETS');
  switch (value.type) {
    case 'function':
      if (typeof value.name !== 'string' || value.name === '') issues.add([...path, 'name'], 'must name a registered function', 'CHAOS_PROVIDER_NAME');
      if (value.arguments !== undefined && !isObject(value.arguments)) issues.add([...path, 'arguments'], 'must be an object', 'CHAOS_PROVIDER_ARGUMENTS');
      if (value.timeout !== undefined && !(typeof value.timeout === 'number' && value.timeout > 0)) issues.add([...path, 'timeout'], 'must be seconds > 0', 'CHAOS_PROVIDER_TIMEOUT');
      return;
    case 'python':
      if (typeof value.module !== 'string' || value.module === '') issues.add([...path, 'module'], 'must name a Python module', 'CHAOS_PROVIDER_NAME');
      if (typeof value.func !== 'string' || value.func === '') issues.add([...path, 'func'], 'must name a function of the module', 'CHAOS_PROVIDER_NAME');
      if (value.arguments !== undefined && !isObject(value.arguments)) issues.add([...path, 'arguments'], 'must be an object', 'CHAOS_PROVIDER_ARGUMENTS');
      if (value.timeout !== undefined && !(typeof value.timeout === 'number' && value.timeout > 0)) issues.add([...path, 'timeout'], 'must be seconds > 0', 'CHAOS_PROVIDER_TIMEOUT');
      return;
    case 'process': {
      if (typeof value.path !== 'string' || value.path === '') issues.add([...path, 'path'], 'must be the command to run', 'CHAOS_PROVIDER_PATH');
      const args = value.arguments;
      if (args !== undefined && typeof args !== 'string' && !isObject(args) && !(Array.isArray(args) && args.every((a) => ['string', 'number', 'boolean'].includes(typeof a)))) {
        issues.add([...path, 'arguments'], 'must be a string, a list of strings or a mapping', 'CHAOS_PROVIDER_ARGUMENTS');
      }
      if (value.timeout !== undefined && !(typeof value.timeout === 'number' && value.timeout > 0)) issues.add([...path, 'timeout'], 'must be seconds > 0', 'CHAOS_PROVIDER_TIMEOUT');
      return;
    }
    case 'http': {
      // `${name}` placeholders are filled at run time, so only a URL without them is checked here.
      if (typeof value.url !== 'string' || (!value.url.includes('${') && !URL.canParse(value.url))) issues.add([...path, 'url'], 'must be an absolute URL', 'CHAOS_PROVIDER_URL');
      if (value.method !== undefined && typeof value.method !== 'string') issues.add([...path, 'method'], 'must be an HTTP method', 'CHAOS_PROVIDER_METHOD');
      if (value.headers !== undefined && !(isObject(value.headers) && Object.values(value.headers).every((h) => typeof h === 'string'))) issues.add([...path, 'headers'], 'must map header names to strings', 'CHAOS_PROVIDER_HEADERS');
      if (value.arguments !== undefined && !isObject(value.arguments)) issues.add([...path, 'arguments'], 'must be an object', 'CHAOS_PROVIDER_ARGUMENTS');
      const t = value.timeout;
      if (t !== undefined && !((typeof t === 'number' && t > 0) || (Array.isArray(t) && t.length === 2 && t.every((x) => typeof x === 'number' && x > 0)))) issues.add([...path, 'timeout'], 'must be seconds > 0 or [connect, read] seconds', 'CHAOS_PROVIDER_TIMEOUT');
      if (value.max_retries !== undefined && !(Number.isInteger(value.max_retries) && (value.max_retries as number) >= 0)) issues.add([...path, 'max_retries'], 'must be an integer >= 0', 'CHAOS_PROVIDER_RETRIES');
      if (value.verify_tls !== undefined && typeof value.verify_tls !== 'boolean') issues.add([...path, 'verify_tls'], 'must be a boolean', 'CHAOS_FIELD_TYPE');
      if (value.calls !== undefined && !(Number.isInteger(value.calls) && (value.calls as number) >= 1)) issues.add([...path, 'calls'], 'must be an integer >= 1', 'CHAOS_PROVIDER_CALLS');
      if (value.percentile !== undefined && !(typeof value.percentile === 'number' && value.percentile > 0 && value.percentile <= 100)) issues.add([...path, 'percentile'], 'must be in (0, 100]', 'CHAOS_PROVIDER_PERCENTILE');
      return;
    }
  }
}

function checkTolerance(value: unknown, path: Path, issues: IssueCollector): void {
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return;
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((v) => ['boolean', 'number', 'string'].includes(typeof v))) issues.add(path, 'a list must hold accepted values, or [min, max] numbers', 'CHAOS_TOLERANCE_RANGE');
    else if (value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number' && value[0] > value[1]) issues.add(path, 'a range [min, max] needs min <= max', 'CHAOS_TOLERANCE_RANGE');
    return;
  }
  if (!isObject(value)) return issues.add(path, 'must be a literal, a list, or an object with a type', 'CHAOS_TOLERANCE_TYPE');
  if (value.type === 'probe') {
    // A tolerance probe is a probe definition; like Chaos Toolkit, only its provider is used.
    checkKeys(value, ACTIVITY_KEYS.filter((k) => k !== 'ref'), path, issues, 'a probe tolerance');
    if (typeof value.name !== 'string' || value.name === '') issues.add([...path, 'name'], 'must be a non-empty string', 'CHAOS_NAME_REQUIRED');
    return checkProvider(value.provider, [...path, 'provider'], issues);
  }
  const keys = typeof value.type === 'string' ? TOLERANCE_KEYS[value.type] : undefined;
  if (!keys) return issues.add([...path, 'type'], 'must be "range", "regex", "jsonpath", "probe" or "equals"', 'CHAOS_TOLERANCE_TYPE');
  checkKeys(value, keys, path, issues, `a ${String(value.type)} tolerance`);
  if (value.target !== undefined && typeof value.target !== 'string') issues.add([...path, 'target'], 'must name a field of the output, such as "body" or "stdout"', 'CHAOS_TOLERANCE_TARGET');
  switch (value.type) {
    case 'range':
      if (value.path !== undefined && typeof value.path !== 'string') issues.add([...path, 'path'], 'must be a field path such as "latencyMs"', 'CHAOS_TOLERANCE_PATH');
      if (!isRange(value.range)) issues.add([...path, 'range'], 'must be [min, max] numbers with min <= max', 'CHAOS_TOLERANCE_RANGE');
      return;
    case 'equals':
      if (typeof value.path !== 'string') issues.add([...path, 'path'], 'must be a field path', 'CHAOS_TOLERANCE_PATH');
      return;
    case 'regex':
      if (typeof value.pattern !== 'string') return issues.add([...path, 'pattern'], 'must be a regular expression', 'CHAOS_TOLERANCE_PATTERN');
      if (!value.pattern.includes('${')) {
        try {
          new RegExp(value.pattern);
        } catch (error) {
          issues.add([...path, 'pattern'], `is not a valid regular expression: ${(error as Error).message}`, 'CHAOS_TOLERANCE_PATTERN');
        }
      }
      return;
    case 'jsonpath':
      if (typeof value.path !== 'string' || value.path.trim() === '') return issues.add([...path, 'path'], 'must be a JSONPath such as "$.status"', 'CHAOS_TOLERANCE_PATH');
      if (!value.path.includes('${')) {
        try {
          compileJsonPath(value.path);
        } catch (error) {
          issues.add([...path, 'path'], (error as Error).message, 'CHAOS_TOLERANCE_PATH');
        }
      }
      if (value.count !== undefined && !(Number.isInteger(value.count) && (value.count as number) >= 0)) issues.add([...path, 'count'], 'must be an integer >= 0', 'CHAOS_TOLERANCE_COUNT');
      return;
  }
}

function checkConfigurationValue(value: unknown, path: Path, issues: IssueCollector): void {
  if (!isObject(value) || value.type === undefined) return;
  if (value.type !== 'env') return; // other typed values (vault, probe) are reported when the run starts
  checkKeys(value, ENV_KEYS, path, issues, 'an environment reference');
  if (typeof value.key !== 'string' || value.key === '') issues.add([...path, 'key'], 'must name an environment variable', 'CHAOS_CONFIGURATION_KEY');
  if (value.env_var_type !== undefined && !ENV_VAR_TYPES.includes(value.env_var_type as string)) issues.add([...path, 'env_var_type'], `must be one of ${ENV_VAR_TYPES.join(', ')}`, 'CHAOS_CONFIGURATION_TYPE');
}

function checkDuration(value: unknown, path: Path, issues: IssueCollector): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return;
  if (typeof value === 'string') {
    try {
      parseDuration(value);
      return;
    } catch {
      // reported below with the experiment's own code and path
    }
  }
  issues.add(path, 'must be a number >= 0 or a duration such as "30s"', 'CHAOS_DURATION_INVALID');
}

function isRange(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number' && value[0] <= value[1];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
