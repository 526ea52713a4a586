import { IssueCollector, type IssuePath } from '@sightline/core';
import { parseAllDocuments } from 'yaml';
import { isRecord, parseSloSpecs, serializeSloSpec, type SloSpec } from './spec.js';

/**
 * Reads SLOs from YAML or JSON text: OpenSLO v1 `SLO` documents (`apiVersion: openslo/v1`,
 * several per file separated by `---`) and/or the native form (a list, or `{ slos: [...] }`).
 * Every problem is reported with its document and path in one `SLO_SPEC_INVALID` error.
 */
export function loadSloSpecs(text: string, source = 'SLO file'): SloSpec[] {
  const issues = new IssueCollector();
  const native: unknown[] = [];
  const docs = parseAllDocuments(text);
  const all = Array.isArray(docs) ? docs : [docs];
  all.forEach((doc, d) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) issues.add([`document ${d + 1}`], `YAML: ${e.message}`, 'SLO_YAML');
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (isRecord(value) && typeof value.apiVersion === 'string') {
      const converted = fromOpenSlo(value, [`document ${d + 1}`], issues);
      native.push(...converted);
    } else if (Array.isArray(value)) native.push(...value);
    else if (isRecord(value) && Array.isArray(value.slos)) native.push(...value.slos);
    else issues.add([`document ${d + 1}`], 'expected an OpenSLO document, a list of SLOs or { slos: [...] }', 'SLO_DOCUMENT');
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
