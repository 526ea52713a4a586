import { IssueCollector, type IssuePath } from '@sightline/core';
import { parseAllDocuments, type Document } from 'yaml';
import { describeValue, isRecord, normaliseSpecList, serializeSloSpec, type SloSpec, type SpecInput } from './spec.js';
import { THRESHOLD_OPS, type ThresholdOp } from './threshold.js';

/**
 * Reads SLOs from YAML or JSON text: OpenSLO v1 `SLO` documents (`apiVersion: openslo/v1`,
 * several per file separated by `---`) and/or the native form (a list, or `{ slos: [...] }`).
 * Every problem is reported with its document and path in one `SLO_SPEC_INVALID` error, from
 * every stage at once: parser problems (YAML/JSON syntax, `SLO_YAML`, with line and column;
 * documents that expand too many aliases, the "billion laughs" attack, `SLO_YAML_ALIASES`),
 * OpenSLO problems (unsupported data source, missing target...) and the spec's own validation,
 * reported at the OpenSLO field it came from (`document 2.spec.objectives.0.targetPercent`).
 */
export function loadSloSpecs(text: string, source = 'SLO file'): SloSpec[] {
  const issues = new IssueCollector();
  const inputs: SpecInput[] = [];
  let nativeIndex = 0;
  if (typeof text !== 'string') {
    issues.add([], `expected YAML or JSON text, got ${text === null ? 'null' : typeof text}`, 'SLO_TEXT');
    issues.throwIfAny('SLO_SPEC_INVALID', source);
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text) as Document.Parsed[];
  } catch (error) {
    // The parser reports problems in `doc.errors`; a throw here is a parser fault, still surfaced as ours.
    issues.add([], `YAML: ${errorMessage(error)}`, 'SLO_YAML');
    issues.throwIfAny('SLO_SPEC_INVALID', source);
  }
  const all = Array.isArray(docs!) ? docs! : [docs!];
  all.forEach((doc, d) => {
    const at = [`document ${d + 1}`];
    if (doc.errors.length > 0) {
      for (const e of doc.errors) issues.add(at, `YAML: ${firstLine(e.message)}${positionOf(e)}`, 'SLO_YAML');
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // yaml throws a ReferenceError when aliases would expand past maxAliasCount (billion laughs).
      const aliases = error instanceof ReferenceError && /alias/i.test(error.message);
      issues.add(at, aliases ? `YAML: too many alias expansions (more than ${MAX_ALIAS_COUNT}); write the values out instead of using anchors and aliases` : `YAML: ${errorMessage(error)}`, aliases ? 'SLO_YAML_ALIASES' : 'SLO_YAML');
      return;
    }
    if (value === null || value === undefined) return;
    if (isRecord(value) && typeof value.apiVersion === 'string') inputs.push(...fromOpenSlo(value, at, issues));
    else if (Array.isArray(value)) for (const item of value) inputs.push({ value: item, at: [nativeIndex++] });
    else if (isRecord(value) && Array.isArray(value.slos)) for (const item of value.slos as unknown[]) inputs.push({ value: item, at: [nativeIndex++] });
    else issues.add(at, 'expected an OpenSLO document, a list of SLOs or { slos: [...] }', 'SLO_DOCUMENT');
  });
  // No throw between stages: the spec validation adds its issues to the parser's and OpenSLO's.
  const specs = normaliseSpecList(inputs, issues);
  issues.throwIfAny('SLO_SPEC_INVALID', source);
  return specs;
}

/**
 * OpenSLO v1 documents for specs (one per SLO), as plain data: feed them to a YAML writer.
 * `loadSloSpecs` of their YAML gives the same specs back.
 */
export function toOpenSlo(spec: SloSpec): Record<string, unknown> {
  const sli = spec.sli;
  const query = (q: string | undefined) => ({ metricSource: { type: 'Prometheus', spec: { query: q ?? '' } } });
  const indicator =
    sli.kind === 'latency' || sli.kind === 'freshness'
      ? { thresholdMetric: query(spec.prometheus?.totalQuery) }
      : { ratioMetric: { counter: true, bad: query(spec.prometheus?.errorQuery), total: query(spec.prometheus?.totalQuery) } };
  const timeWindow =
    spec.window.kind === 'rolling'
      ? [{ duration: spec.window.duration, isRolling: true }]
      : [{ duration: spec.window.unit === 'month' ? '1M' : '1w', isRolling: false, calendar: { startTime: '2020-01-01 00:00:00', timeZone: spec.window.timeZone } }];
  const objective: Record<string, unknown> = { target: spec.objective };
  if (sli.kind === 'latency' || sli.kind === 'freshness') Object.assign(objective, { op: sli.op ?? 'lte', value: sli.thresholdMs });
  const budgeting = spec.budgeting;
  if (budgeting?.method === 'Timeslices') Object.assign(objective, { timeSliceTarget: budgeting.timeSliceTarget });
  if (budgeting !== undefined) Object.assign(objective, { timeSliceWindow: budgeting.timeSliceWindow });
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: spec.name, ...(Object.keys(spec.labels).length > 0 ? { labels: { ...spec.labels } } : {}) },
    spec: {
      ...(spec.description === undefined ? {} : { description: spec.description }),
      service: spec.service,
      indicator: { metadata: { name: `${spec.name}-sli` }, spec: indicator },
      timeWindow,
      budgetingMethod: budgeting?.method ?? 'Occurrences',
      objectives: [objective],
      // Not in OpenSLO: what Sightline needs to round-trip, under the spec's extension point.
      'x-sightline': { sli: { ...sli }, alerting: serializeSloSpec(spec).alerting, ...(spec.prometheus === undefined ? {} : { prometheus: { ...spec.prometheus } }) },
    },
  };
}

/** Alias expansions allowed per document (yaml's own default): specs have no use for more. */
const MAX_ALIAS_COUNT = 100;

/** ` at line L, column C` from a yaml error's position, or '' when it has none. */
function positionOf(error: { linePos?: readonly { line: number; col: number }[] }): string {
  const start = error.linePos?.[0];
  return start === undefined ? '' : ` at line ${start.line}, column ${start.col}`;
}

/** yaml's message without the position and source excerpt it appends (the issue states the position once). */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const BUDGETING_METHODS = ['Occurrences', 'Timeslices', 'RatioTimeslices'];

/**
 * One OpenSLO v1 `SLO` document as native inputs, one per objective. Problems only OpenSLO can
 * have (data source, target/targetPercent, time window shape) are added to `issues` here, at the
 * document's own paths; the rest is validated with the native form, its paths mapped back.
 */
function fromOpenSlo(doc: Record<string, unknown>, at: IssuePath, issues: IssueCollector): SpecInput[] {
  if (doc.apiVersion !== 'openslo/v1') {
    issues.add([...at, 'apiVersion'], `unsupported ${JSON.stringify(doc.apiVersion)}: expected openslo/v1`, 'SLO_OPENSLO_VERSION');
    return [];
  }
  if (doc.kind !== 'SLO') return []; // Service, SLI, AlertPolicy... documents carry nothing we evaluate
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const spec = isRecord(doc.spec) ? doc.spec : undefined;
  if (spec === undefined) {
    issues.add([...at, 'spec'], 'missing: an SLO document needs spec with service, indicator and objectives', 'SLO_OPENSLO_SPEC');
    return [];
  }
  const extension = isRecord(spec['x-sightline']) ? spec['x-sightline'] : {};
  const indicator = isRecord(spec.indicator) && isRecord(spec.indicator.spec) ? spec.indicator.spec : undefined;
  const ratioAt = ['spec', 'indicator', 'spec', 'ratioMetric'];
  let queries: RatioQueries | undefined;
  let isThreshold = false;
  let indicatorOk = true;
  if (indicator === undefined) {
    issues.add([...at, 'spec', 'indicator'], 'an inline indicator is required (indicatorRef is not resolved)', 'SLO_OPENSLO_INDICATOR');
    indicatorOk = false;
  } else if (isRecord(indicator.ratioMetric)) {
    queries = ratioQueries(indicator.ratioMetric, [...at, ...ratioAt], issues);
  } else if (isRecord(indicator.thresholdMetric)) {
    isThreshold = true;
  } else {
    issues.add([...at, 'spec', 'indicator', 'spec'], 'expected ratioMetric or thresholdMetric', 'SLO_OPENSLO_INDICATOR');
    indicatorOk = false;
  }
  const window = openSloWindow(spec.timeWindow, [...at, 'spec', 'timeWindow'], issues);
  const method = spec.budgetingMethod ?? 'Occurrences';
  if (!BUDGETING_METHODS.includes(method as string)) {
    issues.add([...at, 'spec', 'budgetingMethod'], `must be one of ${BUDGETING_METHODS.join(', ')}; got ${describeValue(method)}`, 'SLO_OPENSLO_BUDGETING');
  }
  const listed = Array.isArray(spec.objectives) ? spec.objectives : [];
  if (listed.length === 0) issues.add([...at, 'spec', 'objectives'], 'at least one objective with a target (or targetPercent) is required', 'SLO_OPENSLO_OBJECTIVES');
  const base = typeof metadata.name === 'string' ? metadata.name : undefined;
  // Without objectives, one placeholder still validates the rest of the document (name, window...).
  const objectives = listed.length === 0 ? [undefined] : listed;
  return objectives.map((item: unknown, k: number): SpecInput => {
    const objectiveAt = ['spec', 'objectives', k];
    const objective = isRecord(item) ? item : {};
    if (item !== undefined && !isRecord(item)) issues.add([...at, ...objectiveAt], 'expected an object with target or targetPercent', 'SLO_OPENSLO_OBJECTIVES');
    const skip: string[] = [];
    const target = listed.length === 0 ? 0.5 : objectiveTarget(objective, [...at, ...objectiveAt], issues);
    if (target === undefined) skip.push('objective');
    if (!window.ok) skip.push('window');
    let sli: unknown = extension.sli;
    if (sli === undefined && isThreshold) sli = thresholdSli(objective, [...at, ...objectiveAt], issues);
    if (sli === undefined) sli = queries !== undefined ? { kind: 'ratio' } : { kind: 'availability' };
    if (!indicatorOk) skip.push('sli');
    const budgeting =
      method === 'Timeslices' || method === 'RatioTimeslices'
        ? { method, ...(method === 'Timeslices' && objective.timeSliceTarget !== undefined ? { timeSliceTarget: objective.timeSliceTarget } : {}), ...(objective.timeSliceWindow === undefined ? {} : { timeSliceWindow: objective.timeSliceWindow }) }
        : undefined;
    const prometheus = extension.prometheus ?? queries?.prometheus;
    const name = objectives.length === 1 ? base : `${base}-${typeof objective.name === 'string' ? objective.name : k}`;
    const value = {
      name,
      service: spec.service,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      objective: target ?? 0.5,
      ...(window.value === undefined ? {} : { window: window.value }),
      sli,
      ...(budgeting === undefined ? {} : { budgeting }),
      ...(extension.alerting === undefined ? {} : { alerting: extension.alerting }),
      ...(prometheus === undefined ? {} : { prometheus }),
      ...(metadata.labels === undefined ? {} : { labels: metadata.labels }),
    };
    const targetKey = objective.target === undefined && objective.targetPercent !== undefined ? 'targetPercent' : 'target';
    const fromExtension = (field: string) => extension[field] !== undefined;
    const mapPath = (path: IssuePath): IssuePath => {
      const [field, ...rest] = path;
      const key = String(field);
      const next = rest[0];
      switch (key) {
        case 'name':
          return ['metadata', 'name', ...(listed.length > 1 ? [] : rest)];
        case 'service':
        case 'description':
          return ['spec', key, ...rest];
        case 'objective':
          return [...objectiveAt, targetKey];
        case 'window':
          return rest.length === 0 ? ['spec', 'timeWindow', 0, 'duration'] : ['spec', 'timeWindow', 0, 'calendar', ...rest];
        case 'sli':
          if (fromExtension('sli')) return ['spec', 'x-sightline', ...path];
          if (isThreshold && next === 'thresholdMs') return [...objectiveAt, 'value'];
          if (isThreshold && next === 'op') return [...objectiveAt, 'op'];
          return ['spec', 'indicator', ...rest];
        case 'budgeting':
          return next === 'method' || next === undefined ? ['spec', 'budgetingMethod'] : [...objectiveAt, ...rest];
        case 'prometheus':
          if (fromExtension('prometheus')) return ['spec', 'x-sightline', ...path];
          return next === 'totalQuery' ? [...ratioAt, 'total', 'metricSource', 'spec', 'query'] : [...ratioAt, queries?.errorFrom ?? 'bad', 'metricSource', 'spec', 'query'];
        case 'alerting':
          return ['spec', 'x-sightline', ...path];
        case 'labels':
          return ['metadata', ...path];
        default:
          return path;
      }
    };
    return { value, at, mapPath, skip };
  });
}

interface RatioQueries {
  /** Absent when some query could not be read (its problem is reported). */
  readonly prometheus?: { readonly errorQuery: string; readonly totalQuery: string };
  /** Which numerator the error query comes from. */
  readonly errorFrom: 'good' | 'bad';
}

/**
 * The PromQL of a ratio metric. Only Prometheus sources can be evaluated (the queries become
 * recording rules): any other `metricSource.type` is reported as the problem it is, by name.
 */
function ratioQueries(ratio: Record<string, unknown>, at: IssuePath, issues: IssueCollector): RatioQueries {
  if (ratio.raw !== undefined) issues.add([...at, 'raw'], 'a precomputed ratio (raw) is not supported: give good or bad with total', 'SLO_OPENSLO_RAW');
  if (ratio.total === undefined) issues.add([...at, 'total'], 'missing: the denominator query (total)', 'SLO_OPENSLO_TOTAL');
  if (ratio.good === undefined && ratio.bad === undefined) issues.add(at, 'missing: one numerator query, good or bad', 'SLO_OPENSLO_GOOD');
  if (ratio.good !== undefined && ratio.bad !== undefined) issues.add([...at, 'good'], 'give good or bad, not both (OpenSLO v1: if bad is defined, good must not be set)', 'SLO_OPENSLO_GOOD');
  const read = (part: 'good' | 'bad' | 'total'): string | undefined => {
    const value = ratio[part];
    if (value === undefined) return undefined;
    const source = isRecord(value) && isRecord(value.metricSource) ? value.metricSource : undefined;
    const where = [...at, part, 'metricSource'];
    if (source === undefined) {
      issues.add(where, 'missing: { type: Prometheus, spec: { query } }', 'SLO_OPENSLO_METRIC_SOURCE');
      return undefined;
    }
    const type = source.type;
    if (type === undefined && source.metricSourceRef !== undefined) {
      issues.add([...where, 'metricSourceRef'], `metricSourceRef ${describeValue(source.metricSourceRef)} is not resolved: give metricSource.type Prometheus and spec.query inline`, 'SLO_OPENSLO_DATA_SOURCE');
      return undefined;
    }
    if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'prometheus')) {
      issues.add([...where, 'type'], `metricSource.type ${typeof type === 'string' ? type : describeValue(type)} is not supported: only prometheus queries can be evaluated`, 'SLO_OPENSLO_DATA_SOURCE');
      return undefined;
    }
    const query = isRecord(source.spec) ? source.spec.query : undefined;
    if (typeof query !== 'string') {
      issues.add([...where, 'spec', 'query'], 'missing: a PromQL query with the {{.window}} placeholder', 'SLO_OPENSLO_QUERY');
      return undefined;
    }
    return query;
  };
  // In the document's order, so the issues read top to bottom.
  const good = read('good');
  const bad = read('bad');
  const total = read('total');
  const errorFrom = bad === undefined && ratio.good !== undefined ? 'good' : 'bad';
  // An empty query (what toOpenSlo writes for a spec without PromQL) means "no rule queries".
  if (total === undefined || total === '' || (bad ?? good) === undefined || (bad ?? good) === '') return { errorFrom };
  // The rule export wants errors; good/total becomes (total - good)/total.
  return { errorFrom, prometheus: { errorQuery: bad ?? `(${total}) - (${good!})`, totalQuery: total } };
}

/**
 * The objective's target as a fraction: `target` (0..1) or `targetPercent` (0..100), never both.
 * OpenSLO v1: "A `targetPercent: 99.95` is equivalent to `target: 0.9995`".
 */
function objectiveTarget(objective: Record<string, unknown>, at: IssuePath, issues: IssueCollector): number | undefined {
  const { target, targetPercent } = objective;
  if (target !== undefined && targetPercent !== undefined) {
    issues.add([...at, 'targetPercent'], 'give target or targetPercent, not both', 'SLO_OPENSLO_TARGET');
    return undefined;
  }
  if (target === undefined && targetPercent === undefined) {
    issues.add(at, 'missing: target (a fraction in (0, 1), e.g. 0.999) or targetPercent (a percentage in (0, 100), e.g. 99.9)', 'SLO_OPENSLO_TARGET');
    return undefined;
  }
  if (target !== undefined) return target as number; // range checked with the native objective
  if (typeof targetPercent !== 'number' || !(targetPercent > 0 && targetPercent < 100)) {
    issues.add([...at, 'targetPercent'], `must be a percentage in (0, 100), e.g. 99.9; got ${describeValue(targetPercent)}`, 'SLO_OPENSLO_TARGET');
    return undefined;
  }
  // A decimal shift, not a division: 99.9 / 100 is 0.9990000000000001 in binary floating point.
  return Number(`${targetPercent}e-2`);
}

/** A threshold objective as a latency SLI: `value` in ms, compared with `op` exactly. */
function thresholdSli(objective: Record<string, unknown>, at: IssuePath, issues: IssueCollector): unknown {
  const op = objective.op;
  if (!THRESHOLD_OPS.includes(op as ThresholdOp)) {
    issues.add([...at, 'op'], `${op === undefined ? 'missing' : `got ${describeValue(op)}`}: a threshold objective needs op ${THRESHOLD_OPS.join(', ')} (the value, in milliseconds, is good when it compares so with value)`, 'SLO_OPENSLO_OP');
    return { kind: 'latency', thresholdMs: objective.value };
  }
  return { kind: 'latency', thresholdMs: objective.value, op };
}

/**
 * The native window of an OpenSLO `timeWindow`. Absent (optional in OpenSLO v1): `undefined`,
 * which the native form reads as its default, a 30-day rolling window.
 */
function openSloWindow(value: unknown, at: IssuePath, issues: IssueCollector): { value?: unknown; ok: boolean } {
  if (value === undefined) return { ok: true };
  if (!Array.isArray(value) || value.length !== 1 || !isRecord(value[0])) {
    issues.add(at, 'must be a list of exactly one { duration, isRolling: true } or { duration, calendar: { timeZone } }', 'SLO_OPENSLO_WINDOW');
    return { ok: false };
  }
  const tw = value[0];
  // OpenSLO v1: isRolling, "if omitted assumed `false` if `calendar:` is present".
  const isCalendar = tw.isRolling === false || (tw.isRolling === undefined && isRecord(tw.calendar));
  if (!isCalendar) return { value: tw.duration, ok: true };
  const unit = tw.duration === '1M' ? 'month' : tw.duration === '1w' ? 'week' : undefined;
  if (unit === undefined) {
    issues.add([...at, 0, 'duration'], `a calendar window must be 1M (a month) or 1w (a week); got ${describeValue(tw.duration)}`, 'SLO_OPENSLO_WINDOW');
    return { ok: false };
  }
  return { value: { calendar: unit, timeZone: isRecord(tw.calendar) && tw.calendar.timeZone !== undefined ? tw.calendar.timeZone : 'UTC' }, ok: true };
}
