import { IssueCollector, parseDuration, type IssuePath } from '@sightline/core';
import { THRESHOLD_OPS, type ThresholdOp } from './threshold.js';
import { defaultBurnWindows, nominalPeriodMs, type BurnWindow } from './burn-windows.js';

/** Rolling: the last `duration` (e.g. `30d`). Calendar: the current month or week in a time zone. */
export type SloWindow = { readonly kind: 'rolling'; readonly duration: string } | { readonly kind: 'calendar'; readonly unit: 'month' | 'week'; readonly timeZone: string };

/**
 * What counts as a good event.
 * - `availability`: the event succeeded (for spans: no error status, no HTTP 5xx).
 * - `latency`: the event took at most `thresholdMs` (from raw durations, or histogram buckets: see README).
 * - `freshness`: the data was at most `thresholdMs` old when read.
 *   Both compare with `op` (OpenSLO's `lt`, `lte`, `gt`, `gte`; absent means `lte`): `lt` 300 is
 *   good below 300 ms only.
 * - `ratio`: good and total are two counters: recorded yourself, or named (`goodMetric`,
 *   `totalMetric`) for a collector that reads them from metrics (the reference app does).
 * `operation` narrows a span-derived SLI to one operation (route or span name) of the service.
 */
export type SliSpec =
  | { readonly kind: 'availability'; readonly operation?: string }
  | { readonly kind: 'latency'; readonly thresholdMs: number; readonly op?: ThresholdOp; readonly operation?: string }
  | { readonly kind: 'freshness'; readonly thresholdMs: number; readonly op?: ThresholdOp }
  | { readonly kind: 'ratio'; readonly goodMetric?: string; readonly totalMetric?: string };

/**
 * PromQL for the rule export, Sloth style: `{{.window}}` stands for the range (`5m`, `1h`, ...).
 * Without it the export uses the counters `registerSloMetrics` registers.
 */
export interface PrometheusSli {
  readonly errorQuery: string;
  readonly totalQuery: string;
}

/**
 * OpenSLO's time-slice budgeting methods (absent from a spec: `Occurrences`, good events / all events).
 * - `Timeslices`: the window is cut into `timeSliceWindow` slices; a slice is good when its good/total
 *   ratio is at least `timeSliceTarget` (a slice without events is good); the objective is the
 *   fraction of good slices.
 * - `RatioTimeslices`: the objective is the average of the slices' good/total ratios (a slice
 *   without events counts as 1).
 * `timeSliceWindow` is a duration string (`1m`, `5m`, `1h`) that divides an hour or a day.
 */
export type SloBudgeting =
  | { readonly method: 'Timeslices'; readonly timeSliceTarget: number; readonly timeSliceWindow: string }
  | { readonly method: 'RatioTimeslices'; readonly timeSliceWindow: string };

/** One SLO, normalised: every default is written out, so serialising it loses nothing. */
export interface SloSpec {
  readonly name: string;
  readonly service: string;
  readonly description?: string;
  /** Target fraction of good events, in (0, 1), e.g. 0.999. */
  readonly objective: number;
  readonly window: SloWindow;
  readonly sli: SliSpec;
  /** How the budget is counted; absent: `Occurrences` (events). */
  readonly budgeting?: SloBudgeting;
  readonly alerting: { readonly burnWindows: readonly BurnWindow[] };
  readonly prometheus?: PrometheusSli;
  /** Extra labels on alerts, metrics and rules (e.g. `team`). */
  readonly labels: Readonly<Record<string, string>>;
}

const NAME = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/;
const LABEL_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SLI_KINDS = ['availability', 'latency', 'freshness', 'ratio'] as const;

/**
 * Validates and normalises SLOs given as objects in the native form. Every problem of every SLO
 * is reported at once with its path (`[1].objective`), in a `ValidationError` coded
 * `SLO_SPEC_INVALID`; nothing is returned unless all are valid. Names must be unique.
 * @example
 * parseSloSpecs([{ name: 'checkout-availability', service: 'checkout', objective: 0.999, window: '30d', sli: { kind: 'availability' } }]);
 */
export function parseSloSpecs(input: unknown, source = 'SLO specs'): SloSpec[] {
  const issues = new IssueCollector();
  const list = Array.isArray(input) ? input : isRecord(input) && Array.isArray(input.slos) ? input.slos : undefined;
  if (list === undefined) {
    issues.add([], 'expected a list of SLOs or an object with an `slos` list', 'SLO_LIST');
    issues.throwIfAny('SLO_SPEC_INVALID', source);
  }
  const specs = normaliseSpecList(
    list!.map((value: unknown, i: number) => ({ value, at: [i] })),
    issues,
  );
  issues.throwIfAny('SLO_SPEC_INVALID', source);
  return specs;
}

/**
 * One SLO in the native form to validate, from wherever it came: `at` prefixes its issue paths,
 * `mapPath` (optional) turns a native field path (`['objective']`) into the source's own
 * (`['spec', 'objectives', 0, 'target']`), and `skip` drops issues of fields already reported.
 */
export interface SpecInput {
  readonly value: unknown;
  readonly at: IssuePath;
  readonly mapPath?: (path: IssuePath) => IssuePath;
  readonly skip?: readonly string[];
}

/**
 * Validates every input into `issues` (no throw) and returns the valid specs; names must be
 * unique across the list. Shared by `parseSloSpecs` and the file loader, which adds its own
 * parse and OpenSLO issues to the same collector so one error lists them all.
 */
export function normaliseSpecList(inputs: readonly SpecInput[], issues: IssueCollector): SloSpec[] {
  const specs: SloSpec[] = [];
  const seen = new Map<string, IssuePath>();
  for (const { value, at, mapPath, skip } of inputs) {
    const local = new IssueCollector();
    const spec = normaliseSpec(value, [], local);
    const where = (path: IssuePath): IssuePath => [...at, ...(mapPath === undefined ? path : mapPath(path))];
    for (const issue of local.issues) if (!skip?.includes(String(issue.path[0]))) issues.add(where(issue.path), issue.message, issue.code);
    const name = isRecord(value) ? value.name : undefined;
    if (typeof name === 'string') {
      const first = seen.get(name);
      if (first !== undefined) issues.add(where(['name']), `duplicate name ${JSON.stringify(name)} (first at [${first.join('.')}])`, 'SLO_DUPLICATE');
      else seen.set(name, at);
    }
    if (spec !== undefined) specs.push(spec);
  }
  return specs;
}

/** One SLO; see {@link parseSloSpecs}. */
export function parseSloSpec(input: unknown, source = 'SLO spec'): SloSpec {
  const issues = new IssueCollector();
  const spec = normaliseSpec(input, [], issues);
  issues.throwIfAny('SLO_SPEC_INVALID', source);
  return spec!;
}

/** The native form of a spec as plain data (what `parseSloSpecs` reads back to an identical spec). */
export function serializeSloSpec(spec: SloSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: spec.name, service: spec.service };
  if (spec.description !== undefined) out.description = spec.description;
  out.objective = spec.objective;
  out.window = spec.window.kind === 'rolling' ? spec.window.duration : { calendar: spec.window.unit, timeZone: spec.window.timeZone };
  out.sli = { ...spec.sli };
  if (spec.budgeting !== undefined) out.budgeting = { ...spec.budgeting };
  out.alerting = { burnWindows: spec.alerting.burnWindows.map((w) => ({ ...w })) };
  if (spec.prometheus !== undefined) out.prometheus = { ...spec.prometheus };
  out.labels = { ...spec.labels };
  return out;
}

function normaliseSpec(input: unknown, at: IssuePath, issues: IssueCollector): SloSpec | undefined {
  if (!isRecord(input)) {
    issues.add(at, 'expected an object', 'SLO_NOT_OBJECT');
    return undefined;
  }
  const before = issues.issues.length;
  const known = new Set(['name', 'service', 'description', 'objective', 'window', 'sli', 'budgeting', 'alerting', 'prometheus', 'labels']);
  for (const key of Object.keys(input)) if (!known.has(key)) issues.add([...at, key], `unknown field (known: ${[...known].join(', ')})`, 'SLO_UNKNOWN_FIELD');
  const name = input.name;
  if (typeof name !== 'string' || !NAME.test(name)) issues.add([...at, 'name'], 'must be 1-128 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit', 'SLO_NAME');
  const service = input.service;
  if (typeof service !== 'string' || service === '') issues.add([...at, 'service'], 'must be a non-empty string', 'SLO_SERVICE');
  if (input.description !== undefined && typeof input.description !== 'string') issues.add([...at, 'description'], 'must be a string', 'SLO_DESCRIPTION');
  const objective = input.objective;
  if (objective === undefined) {
    issues.add([...at, 'objective'], 'missing: the target fraction of good events, a number in (0, 1), e.g. 0.999 for 99.9%', 'SLO_OBJECTIVE');
  } else if (typeof objective !== 'number' || !(objective > 0 && objective < 1)) {
    issues.add([...at, 'objective'], `must be a number in (0, 1), e.g. 0.999 for 99.9%; got ${describeValue(objective)}`, 'SLO_OBJECTIVE');
  }
  const window = normaliseWindow(input.window, [...at, 'window'], issues);
  const sli = normaliseSli(input.sli, [...at, 'sli'], issues);
  const burnWindows = normaliseAlerting(input.alerting, [...at, 'alerting'], issues, window);
  const prometheus = normalisePrometheus(input.prometheus, [...at, 'prometheus'], issues);
  const budgeting = normaliseBudgeting(input.budgeting, [...at, 'budgeting'], issues);
  if (budgeting !== undefined && burnWindows !== undefined) checkSliceMultiples(budgeting, burnWindows, [...at, 'alerting', 'burnWindows'], issues);
  const labels = normaliseLabels(input.labels, [...at, 'labels'], issues);
  if (issues.issues.length > before) return undefined;
  return {
    name: name as string,
    service: service as string,
    ...(input.description === undefined ? {} : { description: input.description as string }),
    objective: objective as number,
    window: window!,
    sli: sli!,
    ...(budgeting === undefined ? {} : { budgeting }),
    alerting: { burnWindows: burnWindows! },
    ...(prometheus === undefined ? {} : { prometheus }),
    labels: labels!,
  };
}

function normaliseWindow(value: unknown, at: IssuePath, issues: IssueCollector): SloWindow | undefined {
  if (value === undefined) return { kind: 'rolling', duration: '30d' };
  if (typeof value === 'string') {
    const ms = durationOrUndefined(value);
    if (ms === undefined || ms < 3_600_000 || ms > 400 * 86_400_000 || ms % 3_600_000 !== 0) {
      issues.add(at, `unknown window ${JSON.stringify(value)}: a rolling window is a whole number of hours between 1h and 400d, e.g. "30d" or "28d"`, 'SLO_WINDOW');
      return undefined;
    }
    return { kind: 'rolling', duration: value };
  }
  if (isRecord(value) && (value.calendar === 'month' || value.calendar === 'week')) {
    const timeZone = value.timeZone ?? 'UTC';
    if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) {
      issues.add([...at, 'timeZone'], `unknown IANA time zone ${describeValue(timeZone)}`, 'SLO_TIME_ZONE');
      return undefined;
    }
    return { kind: 'calendar', unit: value.calendar, timeZone };
  }
  issues.add(at, 'must be a rolling duration such as "30d" or { calendar: "month" | "week", timeZone }', 'SLO_WINDOW');
  return undefined;
}

function normaliseSli(value: unknown, at: IssuePath, issues: IssueCollector): SliSpec | undefined {
  if (!isRecord(value) || !SLI_KINDS.includes(value.kind as (typeof SLI_KINDS)[number])) {
    issues.add([...at, 'kind'], `must be one of ${SLI_KINDS.join(', ')}`, 'SLO_SLI_KIND');
    return undefined;
  }
  const operation = value.operation;
  if (operation !== undefined && (typeof operation !== 'string' || operation === '')) issues.add([...at, 'operation'], 'must be a non-empty string', 'SLO_SLI_OPERATION');
  const op = typeof operation === 'string' && operation !== '' ? { operation } : {};
  switch (value.kind) {
    case 'availability':
      return { kind: 'availability', ...op };
    case 'ratio': {
      const { goodMetric, totalMetric } = value;
      if (goodMetric === undefined && totalMetric === undefined) return { kind: 'ratio' };
      if (typeof goodMetric !== 'string' || goodMetric === '' || typeof totalMetric !== 'string' || totalMetric === '') {
        issues.add([...at, goodMetric === undefined ? 'goodMetric' : 'totalMetric'], 'a ratio SLI over metrics names both goodMetric and totalMetric (counter names)', 'SLO_SLI_METRICS');
        return undefined;
      }
      return { kind: 'ratio', goodMetric, totalMetric };
    }
    case 'latency':
    case 'freshness': {
      const threshold = value.thresholdMs;
      if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) {
        issues.add([...at, 'thresholdMs'], `a ${value.kind} SLI needs thresholdMs > 0`, 'SLO_SLI_THRESHOLD');
        return undefined;
      }
      const cmp = value.op;
      if (cmp !== undefined && !THRESHOLD_OPS.includes(cmp as ThresholdOp)) {
        issues.add([...at, 'op'], `must be one of ${THRESHOLD_OPS.join(', ')} (how a value compares with thresholdMs to be good; default lte); got ${describeValue(cmp)}`, 'SLO_SLI_OP');
        return undefined;
      }
      const withOp = cmp === undefined ? {} : { op: cmp as ThresholdOp };
      return value.kind === 'latency' ? { kind: 'latency', thresholdMs: threshold, ...withOp, ...op } : { kind: 'freshness', thresholdMs: threshold, ...withOp };
    }
    default:
      return undefined;
  }
}

function normaliseAlerting(value: unknown, at: IssuePath, issues: IssueCollector, window: SloWindow | undefined): BurnWindow[] | undefined {
  // The defaults follow the SLO window, so each alert keeps meaning the same share of the budget.
  if (value === undefined) return defaultBurnWindows(window === undefined ? 30 * 86_400_000 : nominalPeriodMs(window));
  if (!isRecord(value) || !Array.isArray(value.burnWindows) || value.burnWindows.length === 0) {
    issues.add([...at, 'burnWindows'], 'must be a non-empty list of { severity, longWindow, shortWindow, burnRate }', 'SLO_BURN_WINDOWS');
    return undefined;
  }
  const out: BurnWindow[] = [];
  value.burnWindows.forEach((w: unknown, i: number) => {
    const p = [...at, 'burnWindows', i];
    if (!isRecord(w)) return issues.add(p, 'expected an object', 'SLO_BURN_WINDOW');
    if (w.severity !== 'page' && w.severity !== 'ticket') issues.add([...p, 'severity'], 'must be "page" or "ticket"', 'SLO_BURN_SEVERITY');
    const long = typeof w.longWindow === 'string' ? durationOrUndefined(w.longWindow) : undefined;
    const short = typeof w.shortWindow === 'string' ? durationOrUndefined(w.shortWindow) : undefined;
    if (long === undefined || long % 60_000 !== 0 || long <= 0) issues.add([...p, 'longWindow'], 'must be a whole number of minutes such as "1h"', 'SLO_BURN_WINDOW');
    if (short === undefined || short % 60_000 !== 0 || short <= 0) issues.add([...p, 'shortWindow'], 'must be a whole number of minutes such as "5m"', 'SLO_BURN_WINDOW');
    if (long !== undefined && short !== undefined && short >= long) issues.add([...p, 'shortWindow'], 'must be shorter than longWindow', 'SLO_BURN_WINDOW');
    if (typeof w.burnRate !== 'number' || !(w.burnRate > 0) || !Number.isFinite(w.burnRate)) issues.add([...p, 'burnRate'], 'must be a number > 0', 'SLO_BURN_RATE');
    out.push({ severity: w.severity as 'page' | 'ticket', longWindow: w.longWindow as string, shortWindow: w.shortWindow as string, burnRate: w.burnRate as number });
  });
  return out;
}

const BUDGETING_METHODS = ['Occurrences', 'Timeslices', 'RatioTimeslices'] as const;

function normaliseBudgeting(value: unknown, at: IssuePath, issues: IssueCollector): SloBudgeting | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !BUDGETING_METHODS.includes(value.method as (typeof BUDGETING_METHODS)[number])) {
    issues.add([...at, 'method'], `must be one of ${BUDGETING_METHODS.join(', ')}`, 'SLO_BUDGETING');
    return undefined;
  }
  const known = value.method === 'Timeslices' ? ['method', 'timeSliceTarget', 'timeSliceWindow'] : value.method === 'RatioTimeslices' ? ['method', 'timeSliceWindow'] : ['method'];
  for (const key of Object.keys(value)) if (!known.includes(key)) issues.add([...at, key], `not used by ${String(value.method)} (known: ${known.join(', ')})`, 'SLO_UNKNOWN_FIELD');
  if (value.method === 'Occurrences') return undefined;
  const before = issues.issues.length;
  const window = sliceWindow(value.timeSliceWindow);
  if (window === undefined) {
    issues.add([...at, 'timeSliceWindow'], `must be a duration that divides an hour (1m, 5m, 10m, 15m, 30m, 1h) or a day (2h, 6h, 1d...), or a number of minutes; got ${describeValue(value.timeSliceWindow)}`, 'SLO_TIME_SLICE_WINDOW');
  }
  if (value.method === 'RatioTimeslices') return issues.issues.length > before ? undefined : { method: 'RatioTimeslices', timeSliceWindow: window! };
  const target = value.timeSliceTarget;
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) {
    issues.add([...at, 'timeSliceTarget'], `${target === undefined ? 'missing' : `got ${describeValue(target)}`}: Timeslices needs the good/total ratio a slice must reach to be good, a number in (0, 1], e.g. 0.95`, 'SLO_TIME_SLICE_TARGET');
  }
  return issues.issues.length > before ? undefined : { method: 'Timeslices', timeSliceTarget: target as number, timeSliceWindow: window! };
}

/** A time-slice length as a duration string, or undefined when it is not whole minutes dividing an hour or a day. */
function sliceWindow(value: unknown): string | undefined {
  // OpenSLO: "Default interpretation of unit if specified as a number in minutes."
  const text = typeof value === 'number' && Number.isInteger(value) && value > 0 ? `${value}m` : value;
  if (typeof text !== 'string') return undefined;
  const ms = durationOrUndefined(text);
  if (ms === undefined || ms < 60_000 || ms % 60_000 !== 0) return undefined;
  return 3_600_000 % ms === 0 || (ms % 3_600_000 === 0 && 86_400_000 % ms === 0) ? text : undefined;
}

/** A burn-rate window over slices must hold whole slices, or its burn rate would mix in part of one. */
function checkSliceMultiples(budgeting: SloBudgeting, windows: readonly BurnWindow[], at: IssuePath, issues: IssueCollector): void {
  const slice = durationOrUndefined(budgeting.timeSliceWindow) ?? 60_000;
  windows.forEach((w, i) => {
    for (const key of ['shortWindow', 'longWindow'] as const) {
      const ms = durationOrUndefined(w[key]);
      if (ms !== undefined && ms % slice !== 0) issues.add([...at, i, key], `must be a whole number of time slices (${budgeting.timeSliceWindow}) under ${budgeting.method}: set alerting.burnWindows or use a shorter timeSliceWindow`, 'SLO_BURN_WINDOW_SLICES');
    }
  });
}

function normalisePrometheus(value: unknown, at: IssuePath, issues: IssueCollector): PrometheusSli | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    issues.add(at, 'expected { errorQuery, totalQuery }', 'SLO_PROMETHEUS');
    return undefined;
  }
  for (const key of ['errorQuery', 'totalQuery'] as const) {
    const q = value[key];
    if (typeof q !== 'string' || !q.includes('{{.window}}')) issues.add([...at, key], 'must be PromQL containing the {{.window}} placeholder, e.g. sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', 'SLO_PROMETHEUS_QUERY');
  }
  return { errorQuery: value.errorQuery as string, totalQuery: value.totalQuery as string };
}

function normaliseLabels(value: unknown, at: IssuePath, issues: IssueCollector): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.add(at, 'expected an object of string labels', 'SLO_LABELS');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(k) || k.startsWith('__')) issues.add([...at, k], 'must be a Prometheus label name', 'SLO_LABEL_NAME');
    if (typeof v !== 'string') issues.add([...at, k], 'must be a string', 'SLO_LABEL_VALUE');
    else out[k] = v;
  }
  return out;
}

/**
 * A short rendering of any value for an error message. Never throws: YAML aliases can build
 * cyclic values, which `JSON.stringify` refuses, and a message must not become the error.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Milliseconds of a duration string, or undefined when it does not parse. */
export function durationOrUndefined(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
