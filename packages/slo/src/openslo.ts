import { IssueCollector, type IssuePath } from '@sightline/core';
import { parseAllDocuments, type Document } from 'yaml';
import { isRecord, parseSloSpecs, serializeSloSpec, type SloSpec } from './spec.js';

/**
 * Reads SLOs from YAML or JSON text: OpenSLO v1 `SLO` documents (`apiVersion: openslo/v1`,
 * several per file separated by `---`) and/or the native form (a list, or `{ slos: [...] }`).
 * Every problem is reported with its document and path in one `SLO_SPEC_INVALID` error,
 * parser problems included: YAML/JSON syntax (`SLO_YAML`, with line and column) and documents
 * that expand too many aliases, the "billion laughs" attack (`SLO_YAML_ALIASES`).
 */
export function loadSloSpecs(text: string, source = 'SLO file'): SloSpec[] {
  const issues = new IssueCollector();
  const native: unknown[] = [];
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
    if (isRecord(value) && typeof value.apiVersion === 'string') {
      for (const converted of fromOpenSlo(value, at, issues)) native.push(converted);
    } else if (Array.isArray(value)) for (const item of value) native.push(item);
    else if (isRecord(value) && Array.isArray(value.slos)) for (const item of value.slos as unknown[]) native.push(item);
    else issues.add(at, 'expected an OpenSLO document, a list of SLOs or { slos: [...] }', 'SLO_DOCUMENT');
  });
  issues.throwIfAny('SLO_SPEC_INVALID', source);
  return parseSloSpecs(native, source);
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
  if (sli.kind === 'latency' || sli.kind === 'freshness') Object.assign(objective, { op: 'lte', value: sli.thresholdMs });
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: spec.name, ...(Object.keys(spec.labels).length > 0 ? { labels: { ...spec.labels } } : {}) },
    spec: {
      ...(spec.description === undefined ? {} : { description: spec.description }),
      service: spec.service,
      indicator: { metadata: { name: `${spec.name}-sli` }, spec: indicator },
      timeWindow,
      budgetingMethod: 'Occurrences',
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

function fromOpenSlo(doc: Record<string, unknown>, at: IssuePath, issues: IssueCollector): unknown[] {
  if (doc.apiVersion !== 'openslo/v1') {
    issues.add([...at, 'apiVersion'], `unsupported ${JSON.stringify(doc.apiVersion)}: expected openslo/v1`, 'SLO_OPENSLO_VERSION');
    return [];
  }
  if (doc.kind !== 'SLO') return []; // Service, SLI, AlertPolicy... documents carry nothing we evaluate
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const spec = isRecord(doc.spec) ? doc.spec : undefined;
  if (spec === undefined) {
    issues.add([...at, 'spec'], 'missing', 'SLO_OPENSLO_SPEC');
    return [];
  }
  const extension = isRecord(spec['x-sightline']) ? spec['x-sightline'] : {};
  const indicator = isRecord(spec.indicator) && isRecord(spec.indicator.spec) ? spec.indicator.spec : undefined;
  if (indicator === undefined) {
    issues.add([...at, 'spec', 'indicator'], 'an inline indicator is required (indicatorRef is not resolved)', 'SLO_OPENSLO_INDICATOR');
    return [];
  }
  let prometheus: Record<string, string> | undefined;
  let sli: unknown = extension.sli;
  const queryOf = (source: unknown) => (isRecord(source) && isRecord(source.metricSource) && isRecord(source.metricSource.spec) && typeof source.metricSource.spec.query === 'string' ? source.metricSource.spec.query : undefined);
  const objectives = Array.isArray(spec.objectives) ? spec.objectives.filter(isRecord) : [];
  if (objectives.length === 0) issues.add([...at, 'spec', 'objectives'], 'at least one objective with a target is required', 'SLO_OPENSLO_OBJECTIVES');
  if (isRecord(indicator.ratioMetric)) {
    const ratio = indicator.ratioMetric;
    const total = queryOf(ratio.total);
    const bad = queryOf(ratio.bad);
    const good = queryOf(ratio.good);
    if (total === undefined) issues.add([...at, 'spec', 'indicator', 'spec', 'ratioMetric', 'total'], 'missing total', 'SLO_OPENSLO_TOTAL');
    if (bad === undefined && good === undefined) issues.add([...at, 'spec', 'indicator', 'spec', 'ratioMetric'], 'missing good or bad', 'SLO_OPENSLO_GOOD');
    // The rule export wants errors; good/total becomes (total - good)/total.
    if (total !== undefined && total !== '') prometheus = { errorQuery: bad ?? `(${total}) - (${good})`, totalQuery: total };
    sli ??= { kind: 'ratio' };
  } else if (isRecord(indicator.thresholdMetric)) {
    const objective = objectives[0];
    if (objective !== undefined && objective.op !== 'lte' && objective.op !== 'lt') issues.add([...at, 'spec', 'objectives', 0, 'op'], 'a threshold objective must use op lte or lt (value in milliseconds)', 'SLO_OPENSLO_OP');
    sli ??= { kind: 'latency', thresholdMs: objective?.value };
  } else {
    issues.add([...at, 'spec', 'indicator', 'spec'], 'expected ratioMetric or thresholdMetric', 'SLO_OPENSLO_INDICATOR');
  }
  const windows = Array.isArray(spec.timeWindow) ? spec.timeWindow.filter(isRecord) : [];
  const tw = windows[0];
  let window: unknown;
  if (tw === undefined) issues.add([...at, 'spec', 'timeWindow'], 'one time window is required', 'SLO_OPENSLO_WINDOW');
  else if (tw.isRolling === false) {
    const unit = tw.duration === '1M' ? 'month' : tw.duration === '1w' ? 'week' : undefined;
    if (unit === undefined) issues.add([...at, 'spec', 'timeWindow', 0, 'duration'], 'a calendar window must be 1M or 1w', 'SLO_OPENSLO_WINDOW');
    window = { calendar: unit, timeZone: isRecord(tw.calendar) ? tw.calendar.timeZone : 'UTC' };
  } else window = tw.duration;
  if (spec.budgetingMethod !== undefined && spec.budgetingMethod !== 'Occurrences') {
    issues.add([...at, 'spec', 'budgetingMethod'], 'only Occurrences is supported', 'SLO_OPENSLO_BUDGETING');
  }
  const base = typeof metadata.name === 'string' ? metadata.name : undefined;
  return objectives.map((objective, i) => ({
    name: objectives.length === 1 ? base : `${base}-${typeof objective.name === 'string' ? objective.name : i}`,
    service: spec.service,
    ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
    objective: objective.target,
    window,
    sli,
    ...(extension.alerting === undefined ? {} : { alerting: extension.alerting }),
    ...(extension.prometheus !== undefined ? { prometheus: extension.prometheus } : prometheus === undefined ? {} : { prometheus }),
    ...(isRecord(metadata.labels) ? { labels: metadata.labels } : {}),
  }));
}
