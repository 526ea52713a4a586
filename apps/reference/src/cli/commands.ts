import { parseDuration } from '@sightline/core';
import { searchLogs, type LogLevel, type LogRecord } from '@sightline/logging';
import { readFile } from 'node:fs/promises';
import { formatMicros } from '@sightline/finops';
import { basename } from 'node:path';
import { getJson, getText, postFile, postText, CliError, EXIT } from './api-client.js';
import { renderChaosRun, type ChaosRunBody } from './chaos-journal.js';
import { isoTime, renderTable, type Format } from './output.js';
import { spanTree, type TreeSpan } from './span-tree.js';

/**
 * One read-only subcommand: its options (besides --url/--format/--help) and what it prints.
 * A boolean option is a bare flag (`--errors`) and reaches `run` as the value "true".
 */
export interface QueryCommand {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; description: string }>;
  positionals?: number;
  run(context: { url: string; format: Format; values: Record<string, string | undefined>; positionals: string[] }): Promise<{ output: string; exitCode: number }>;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The parts of `/api/v1/slos` statuses the CLI prints. */
/** How far past its budget an SLO is (the API's `overspend`; null while budget is left). */
interface Overspend {
  overspentEvents: number;
  exhaustedAt: number;
}

interface SloStatusBody {
  name: string;
  service: string;
  objective: number;
  attainment: number;
  window: { start: number; end: number };
  events: { total: number; bad: number };
  budget: { remainingFraction: number; remainingEvents: number; timeToExhaustionMs: number | null };
  burnRates: Record<string, number>;
  conditions: { severity: string; longWindow: string; shortWindow: string; burnRate: number; longBurnRate: number; shortBurnRate: number; firing: boolean }[];
  firing: { page: boolean; ticket: boolean };
}

export const QUERY_COMMANDS: Record<string, QueryCommand> = {
  health: {
    summary: 'Is the server ready (storage, migrations)? With the health indicators (database, event loop, memory, disk, ingest queue, dependencies). Exit 0 if ready (or, with --indicator, if that one is up), 1 if not.',
    usage: 'sightline health [--indicator NAME] [--url URL] [--format table|json]',
    options: { indicator: { type: 'string', description: 'only this indicator; exit by its status' } },
    async run({ url, format, values }) {
      type Reading = { name: string; status: string; message: string };
      const { status, body } = await getJson<{ status: string; checks: Record<string, boolean>; health?: { status: string; aggregation: string; indicators: Reading[] } }>(url, '/readyz?verbose');
      const indicators = body.health?.indicators ?? [];
      if (values.indicator !== undefined) {
        const one = indicators.find((i) => i.name === values.indicator);
        if (one === undefined) return usageError(`no indicator ${JSON.stringify(values.indicator)}; there are: ${indicators.map((i) => i.name).join(', ')}`);
        return { output: format === 'json' ? json(one) : renderTable([one], ['name', 'status', 'message']), exitCode: one.status === 'up' ? EXIT.ok : EXIT.failed };
      }
      if (format === 'json') return { output: json(body), exitCode: status === 200 ? EXIT.ok : EXIT.failed };
      const rows = [
        ...Object.entries(body.checks).map(([check, ok]) => ({ name: check, status: ok ? 'ok' : 'FAIL', message: 'readiness' })),
        ...indicators.map((i) => ({ name: i.name, status: i.status, message: i.message })),
      ];
      const summary = body.health === undefined ? '' : `\nhealth: ${body.health.status} (${body.health.aggregation})`;
      return { output: renderTable(rows, ['name', 'status', 'message']) + summary, exitCode: status === 200 ? EXIT.ok : EXIT.failed };
    },
  },
  logs: {
    summary: 'Search logs, newest first.',
    usage: 'sightline logs [--since 1h] [--level error] [--service NAME] [--trace ID] [--text TEXT] [--limit N] [--file PATH]',
    options: {
      file: { type: 'string', description: 'search a JSON log file (@sightline/logging format) instead of the server' },
      since: { type: 'string', description: 'how far back (e.g. 15m, 1h, 7d) or an ISO time' },
      level: { type: 'string', description: 'minimum level: trace, debug, info, warn, error, fatal' },
      service: { type: 'string', description: 'only this service' },
      trace: { type: 'string', description: 'only this trace id' },
      text: { type: 'string', description: 'case-insensitive text in the message' },
      limit: { type: 'string', description: 'at most N records (default 100)' },
    },
    async run({ url, format, values }) {
      if (values.file !== undefined) return searchLogFile(values.file, values, format);
      const { body } = await getJson<{ logs: Record<string, unknown>[] }>(url, '/api/v1/logs', {
        since: values.since,
        level: values.level,
        service: values.service,
        traceId: values.trace,
        text: values.text,
        limit: values.limit,
      });
      if (format === 'json') return { output: json(body.logs), exitCode: EXIT.ok };
      const rows = body.logs.map((l) => ({ time: isoTime(l.time_ms), level: l.severity_text ?? l.severity_number, service: l.service, message: l.body, trace: l.trace_id }));
      return { output: renderTable(rows, ['time', 'level', 'service', 'message', 'trace']), exitCode: EXIT.ok };
    },
  },
  'log-stats': {
    summary: 'Log counts by level and by service.',
    usage: 'sightline log-stats [--since 1h]',
    options: { since: { type: 'string', description: 'how far back (default 1h)' } },
    async run({ url, format, values }) {
      const { body } = await getJson<{ total: number; byLevel: Record<string, number>; byService: Record<string, number> }>(url, '/api/v1/logs/stats', { since: values.since });
      if (format === 'json') return { output: json(body), exitCode: EXIT.ok };
      const rows = [
        ...Object.entries(body.byLevel).map(([key, count]) => ({ by: 'level', key, count })),
        ...Object.entries(body.byService).map(([key, count]) => ({ by: 'service', key, count })),
      ];
      return { output: `${renderTable(rows, ['by', 'key', 'count'])}\ntotal ${body.total}`, exitCode: EXIT.ok };
    },
  },
  alerts: {
    summary: 'Alerts, most recently changed first.',
    usage: 'sightline alerts [--status firing|resolved] [--limit N]',
    options: { status: { type: 'string', description: 'firing or resolved' }, limit: { type: 'string', description: 'at most N alerts' } },
    async run({ url, format, values }) {
      const { body } = await getJson<{ alerts: Record<string, unknown>[] }>(url, '/api/v1/alerts', { status: values.status, limit: values.limit });
      if (format === 'json') return { output: json(body.alerts), exitCode: EXIT.ok };
      const rows = body.alerts.map((a) => ({ status: a.status, severity: a.severity, title: a.title, since: isoTime(a.startsAt), silenced: a.silenced ? 'yes' : '' }));
      return { output: renderTable(rows, ['status', 'severity', 'title', 'since', 'silenced']), exitCode: EXIT.ok };
    },
  },
  anomalies: {
    summary: 'Anomalies found in metrics and derived series, newest first.',
    usage: 'sightline anomalies [--since 1h] [--severity warning] [--service NAME] [--limit N]',
    options: {
      since: { type: 'string', description: 'how far back (e.g. 1h, 7d) or an ISO time' },
      severity: { type: 'string', description: 'minimum severity: info, warning, error, critical' },
      service: { type: 'string', description: 'only this service' },
      limit: { type: 'string', description: 'at most N anomalies (default 100)' },
    },
    async run({ url, format, values }) {
      const { body } = await getJson<{ anomalies: Record<string, unknown>[] }>(url, '/api/v1/anomalies', { since: values.since, severity: values.severity, service: values.service, limit: values.limit });
      if (format === 'json') return { output: json(body.anomalies), exitCode: EXIT.ok };
      const rows = body.anomalies.map((a) => ({ start: isoTime(a.startsAt), end: isoTime(a.endsAt), severity: a.severity, score: (a.score as number).toFixed(2), series: a.seriesKey, reason: a.reason }));
      return { output: renderTable(rows, ['start', 'end', 'severity', 'score', 'series', 'reason']), exitCode: EXIT.ok };
    },
  },
  traces: {
    summary: 'Show one trace by id, or search traces.',
    usage: 'sightline traces [TRACE_ID] [--service NAME] [--since 1h] [--errors] [--include-self] [--limit N]',
    positionals: 1,
    options: {
      service: { type: 'string', description: 'only traces touching this service' },
      since: { type: 'string', description: 'how far back (default: all)' },
      errors: { type: 'boolean', description: 'only traces with an error span (`--errors true` works too)' },
      'include-self': { type: 'boolean', description: "also Sightline's own traces (its API and page requests), hidden by default" },
      limit: { type: 'string', description: 'at most N traces (default 50)' },
    },
    async run({ url, format, values, positionals }) {
      const id = positionals[0];
      if (id !== undefined) {
        type Span = TreeSpan & { duration_ms: number; service: string; name: string; status_code: number };
        const { body } = await getJson<{ spans: Span[] }>(url, `/api/v1/traces/${encodeURIComponent(id)}`);
        if (format === 'json') return { output: json(body), exitCode: EXIT.ok };
        const start = Math.min(...body.spans.map((s) => s.start_ms));
        // The name is indented two spaces per level under its parent span.
        const rows = spanTree(body.spans).map(({ span: s, depth }) => ({ offset_ms: (s.start_ms - start).toFixed(1), duration_ms: s.duration_ms.toFixed(1), service: s.service, name: `${'  '.repeat(depth)}${s.name}`, status: s.status_code === 2 ? 'ERROR' : 'ok', span: s.span_id }));
        return { output: renderTable(rows, ['offset_ms', 'duration_ms', 'service', 'name', 'status', 'span']), exitCode: EXIT.ok };
      }
      const { body } = await getJson<{ traces: Record<string, unknown>[] }>(url, '/api/v1/traces', { service: values.service, since: values.since, errorsOnly: values.errors, includeSelf: values['include-self'], limit: values.limit });
      if (format === 'json') return { output: json(body.traces), exitCode: EXIT.ok };
      const rows = body.traces.map((t) => ({ trace: t.trace_id, start: isoTime(t.start_ms), duration_ms: (t.duration_ms as number).toFixed(1), root: `${String(t.root_service)} ${String(t.root_name)}`, spans: t.span_count, errors: t.error_count }));
      return { output: renderTable(rows, ['trace', 'start', 'duration_ms', 'root', 'spans', 'errors']), exitCode: EXIT.ok };
    },
  },
  slo: {
    summary: 'SLOs: `slo list`, `slo status NAME` (budget, burn rates, deploy gate), `slo rules` (Prometheus YAML).',
    usage: 'sightline slo list | sightline slo status NAME | sightline slo rules',
    options: {},
    positionals: 2,
    async run({ url, format, positionals }) {
      const [action, name] = positionals;
      const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
      if (action === 'rules') return { output: await getText(url, '/api/v1/slos/rules'), exitCode: EXIT.ok };
      if (action === 'list') {
        const { body } = await getJson<{ slos: { spec: Record<string, unknown>; source: string; status: SloStatusBody; overspend: Overspend | null }[] }>(url, '/api/v1/slos');
        if (format === 'json') return { output: json(body.slos), exitCode: EXIT.ok };
        const rows = body.slos.map(({ spec, source, status, overspend }) => ({
          name: spec.name,
          service: spec.service,
          objective: pct(spec.objective as number),
          attainment: pct(status.attainment),
          budget_left: overspend === null ? pct(status.budget.remainingFraction) : `overspent ${overspend.overspentEvents.toFixed(0)}`,
          burn_1h: (status.burnRates['1h'] ?? 0).toFixed(2),
          alert: status.firing.page ? 'PAGE' : status.firing.ticket ? 'ticket' : '-',
          source,
        }));
        return { output: renderTable(rows, ['name', 'service', 'objective', 'attainment', 'budget_left', 'burn_1h', 'alert', 'source']), exitCode: EXIT.ok };
      }
      if (action === 'status' && name !== undefined) {
        const { body } = await getJson<{ status: SloStatusBody; overspend: Overspend | null; gate: { allowed: boolean; reasons: string[] } }>(url, `/api/v1/slos/${encodeURIComponent(name)}`);
        if (format === 'json') return { output: json(body), exitCode: body.gate.allowed ? EXIT.ok : EXIT.failed };
        const s = body.status;
        const lines = [
          `${s.name} (${s.service}): objective ${pct(s.objective)}, attainment ${pct(s.attainment)} over ${isoTime(s.window.start)} – ${isoTime(s.window.end)}`,
          `events: ${s.events.total} total, ${s.events.bad} bad`,
          body.overspend === null
            ? `error budget: ${pct(s.budget.remainingFraction)} left (${s.budget.remainingEvents.toFixed(0)} bad events), ${s.budget.timeToExhaustionMs === null ? 'not burning' : `exhausted in ${(s.budget.timeToExhaustionMs / 3_600_000).toFixed(1)} h at the 1h burn rate`}`
            : `error budget: overspent by ${body.overspend.overspentEvents.toFixed(0)} bad events${` since ${isoTime(body.overspend.exhaustedAt)}`}`,
          '',
          renderTable(s.conditions.map((c) => ({ class: c.severity, windows: `${c.longWindow}/${c.shortWindow}`, threshold: `${c.burnRate}x`, long: c.longBurnRate.toFixed(2), short: c.shortBurnRate.toFixed(2), firing: c.firing ? 'FIRING' : '-' })), ['class', 'windows', 'threshold', 'long', 'short', 'firing']),
          '',
          body.gate.allowed ? 'deploy gate: open' : `deploy gate: CLOSED — ${body.gate.reasons.join('; ')}`,
        ];
        // Exit 1 when deploys are frozen, so a CI step can gate on it.
        return { output: lines.join('\n'), exitCode: body.gate.allowed ? EXIT.ok : EXIT.failed };
      }
      return usageError('expected `slo list`, `slo status NAME` or `slo rules`');
    },
  },
  audit: {
    summary: 'The access audit trail: `audit verify` checks the hash chain (exit 1 when broken; with --head and --seq also that nothing was cut off its end), `audit head` prints the end of the chain to keep elsewhere, `audit list` shows recent decisions.',
    usage: 'sightline audit verify [--head HASH --seq N] | sightline audit head | sightline audit list [--limit N]',
    options: {
      limit: { type: 'string', description: 'at most N entries (default 50)' },
      head: { type: 'string', description: 'hash of a published audit head (from `audit head`), with --seq' },
      seq: { type: 'string', description: 'sequence number of that published head, with --head' },
    },
    positionals: 1,
    async run({ url, format, values, positionals }) {
      if (positionals[0] === 'head') {
        const { body } = await getJson<{ hash: string; sequence: number }>(url, '/api/v1/audit/head');
        if (format === 'json') return { output: json(body), exitCode: EXIT.ok };
        return { output: `audit head: seq ${body.sequence} hash ${body.hash}\nkeep it apart from the database; later: sightline audit verify --head ${body.hash} --seq ${body.sequence}`, exitCode: EXIT.ok };
      }
      if (positionals[0] === 'verify') {
        if ((values.head === undefined) !== (values.seq === undefined)) return usageError('--head and --seq go together (both from `sightline audit head`)');
        const anchor = values.head === undefined || values.seq === undefined ? {} : { head: values.head, seq: values.seq };
        const { body } = await getJson<{ ok: boolean; blocks?: number; entries?: number; block?: number; seq?: number; problem?: string }>(url, '/api/v1/audit/verify', anchor);
        if (format === 'json') return { output: json(body), exitCode: body.ok ? EXIT.ok : EXIT.failed };
        return body.ok
          ? { output: `audit trail intact: ${body.blocks} blocks, ${body.entries} decisions`, exitCode: EXIT.ok }
          : { output: `audit trail BROKEN at block ${body.block} (entry ${body.seq}): ${body.problem}`, exitCode: EXIT.failed };
      }
      if (positionals[0] === 'list') {
        const { body } = await getJson<{ entries: Record<string, unknown>[] }>(url, '/api/v1/audit', { limit: values.limit ?? '50' });
        if (format === 'json') return { output: json(body.entries), exitCode: EXIT.ok };
        const rows = body.entries.map((e) => ({ seq: e.seq, time: isoTime(e.time), principal: e.principal, action: e.action, resource: e.resource, decision: e.decision, policies: (e.policies as string[]).join(',') }));
        return { output: renderTable(rows, ['seq', 'time', 'principal', 'action', 'resource', 'decision', 'policies']), exitCode: EXIT.ok };
      }
      return usageError('expected `audit verify`, `audit head` or `audit list`');
    },
  },
  chaos: {
    summary: 'Chaos experiments: `chaos run FILE` (starts it on the server), `chaos list`, `chaos show ID` (the journal; exit 1 unless completed), `chaos export FILE` (Chaos Mesh manifests).',
    usage: 'sightline chaos run FILE | chaos list | chaos show ID | chaos export FILE',
    options: {},
    positionals: 2,
    async run({ url, format, positionals }) {
      const [action, arg] = positionals;
      const read = async (file: string) => readFile(file, 'utf8').catch((error: Error) => usageError(`cannot read ${file}: ${error.message}`));
      if (action === 'run' && arg !== undefined) {
        const { body } = await postText<{ id: string; title: string }>(url, '/api/v1/chaos/runs', await read(arg));
        return { output: format === 'json' ? json(body) : `started ${body.id}: ${body.title} (sightline chaos show ${body.id})`, exitCode: EXIT.ok };
      }
      if (action === 'export' && arg !== undefined) {
        const { body } = await postText<{ yaml: string; untranslated: { reason: string }[] }>(url, '/api/v1/chaos/export', await read(arg));
        const notes = body.untranslated.map((u) => `# not translated: ${u.reason}`).join('\n');
        return { output: format === 'json' ? json(body) : `${notes}${notes === '' ? '' : '\n'}${body.yaml}`, exitCode: EXIT.ok };
      }
      if (action === 'show' && arg !== undefined) {
        const { body } = await getJson<ChaosRunBody>(url, `/api/v1/chaos/runs/${encodeURIComponent(arg)}`);
        return { output: format === 'json' ? json(body) : renderChaosRun(body), exitCode: body.status === 'completed' ? EXIT.ok : EXIT.failed };
      }
      if (action === 'list') {
        const { body } = await getJson<{ runs: Record<string, unknown>[] }>(url, '/api/v1/chaos/runs');
        if (format === 'json') return { output: json(body.runs), exitCode: EXIT.ok };
        const rows = body.runs.map((r) => ({ id: r.id, started: isoTime(r.started_at), title: r.title, status: r.status }));
        return { output: renderTable(rows, ['id', 'started', 'title', 'status']), exitCode: EXIT.ok };
      }
      return usageError('expected `chaos run FILE`, `chaos list`, `chaos show ID` or `chaos export FILE`');
    },
  },
  cost: {
    summary: 'Costs: `cost import FILE` (uploads a FOCUS CSV; exit 1 when rows were rejected), `cost breakdown`, `cost chargeback`, `cost anomalies`, `cost recommendations`, `cost imports`. Money in the billing currency.',
    usage: 'sightline cost import FILE [--filename NAME] [--mapping JSON] [--conformance focus-1.1] | cost breakdown [--by DIMS] [--granularity day|week|month] [--top N] [--since T] [--until T] | cost chargeback [--tag KEY] [--shared even|proportional] [--untagged even|proportional] | cost anomalies [--dimension DIM] | cost recommendations | cost imports',
    options: {
      filename: { type: 'string', description: 'name recorded with the import (default: the file name)' },
      mapping: { type: 'string', description: 'for a non-FOCUS export: JSON of FOCUS column → your column, e.g. \'{"BilledCost":"cost"}\'' },
      conformance: { type: 'string', description: 'focus-1.0 or focus-1.1: also enforce every FOCUS Mandatory column (default: the core columns)' },
      by: { type: 'string', description: 'comma-separated FOCUS columns and tag:KEY (default ServiceName)' },
      granularity: { type: 'string', description: 'day, week or month (default day)' },
      top: { type: 'string', description: 'keep the N costliest groups, fold the rest into (other)' },
      since: { type: 'string', description: 'charges from (duration back from now, ISO time)' },
      until: { type: 'string', description: 'charges before' },
      tag: { type: 'string', description: 'the owner tag for chargeback (default team)' },
      shared: { type: 'string', description: 'split of shared cost (default proportional)' },
      untagged: { type: 'string', description: 'split of untagged cost (default proportional)' },
      dimension: { type: 'string', description: 'the series of cost anomalies (default ServiceName)' },
    },
    positionals: 2,
    async run({ url, format, values, positionals }) {
      const [action, arg] = positionals;
      const money = (micros: number) => formatMicros(micros);
      const window = { since: values.since, until: values.until };
      if (action === 'import' && arg !== undefined) {
        type Imported = { id: string; rows_read: number; accepted: number; rejected: number; rejects: { rowNumber: number; issues: { column: string; code: string; message: string }[] }[] };
        const { body } = await postFile<Imported>(url, '/api/v1/costs/imports', arg, 'text/csv', { filename: values.filename ?? basename(arg), mapping: values.mapping, conformance: values.conformance }).catch((error: unknown) => {
          // The server's hint names its API option (columnMapping); the CLI's is --mapping.
          throw error instanceof CliError ? new CliError(error.message.replaceAll('map it with columnMapping', 'map it with --mapping'), error.exitCode) : error;
        });
        if (format === 'json') return { output: json(body), exitCode: body.rejected === 0 ? EXIT.ok : EXIT.failed };
        const lines = [`import ${body.id}: read ${body.rows_read}, accepted ${body.accepted}, rejected ${body.rejected}`];
        for (const r of body.rejects.slice(0, 20)) lines.push(`  row ${r.rowNumber}: ${r.issues.map((i) => `${i.column}: ${i.message}`).join('; ')}`);
        if (body.rejected > 0) lines.push(`the rejects file: GET /api/v1/costs/imports/${body.id}/rejects`);
        return { output: lines.join('\n'), exitCode: body.rejected === 0 ? EXIT.ok : EXIT.failed };
      }
      if (action === 'breakdown') {
        const { body } = await getJson<{ currency: string; by: string[]; rows: { period: string; group: Record<string, string>; cost: number; records: number }[]; total: number }>(url, '/api/v1/costs/breakdown', { ...window, by: values.by, granularity: values.granularity, top: values.top });
        if (format === 'json') return { output: json(body), exitCode: EXIT.ok };
        const rows = body.rows.map((r) => ({ period: r.period, ...r.group, cost: money(r.cost), records: r.records }));
        return { output: `${renderTable(rows, ['period', ...body.by, 'cost', 'records'])}\ntotal ${money(body.total)} ${body.currency}`, exitCode: EXIT.ok };
      }
      if (action === 'chargeback') {
        const { body } = await getJson<{ currency: string; total: number; teams: { team: string; direct: number; shared: number; untagged: number; total: number; share: number }[] }>(url, '/api/v1/costs/chargeback', { ...window, tag: values.tag, shared: values.shared, untagged: values.untagged });
        if (format === 'json') return { output: json(body), exitCode: EXIT.ok };
        const rows = body.teams.map((t) => ({ team: t.team, direct: money(t.direct), shared: money(t.shared), untagged: money(t.untagged), total: money(t.total), share: `${(t.share * 100).toFixed(1)}%` }));
        return { output: `${renderTable(rows, ['team', 'direct', 'shared', 'untagged', 'total', 'share'])}\ntotal ${money(body.total)} ${body.currency}`, exitCode: EXIT.ok };
      }
      if (action === 'anomalies') {
        const { body } = await getJson<{ anomalies: { day: string; value: string; actual: number; expected: number; impact: number; currency: string; rootCauses: { dimension: string; value: string; share: number }[] }[] }>(url, '/api/v1/costs/anomalies', { ...window, dimension: values.dimension });
        if (format === 'json') return { output: json(body.anomalies), exitCode: EXIT.ok };
        const rows = body.anomalies.map((a) => ({ day: a.day, value: a.value, actual: money(a.actual), expected: money(a.expected), impact: `${money(a.impact)} ${a.currency}`, 'root causes': a.rootCauses.slice(0, 3).map((c) => `${c.dimension}=${c.value} ${Math.round(c.share * 100)}%`).join(', ') }));
        return { output: renderTable(rows, ['day', 'value', 'actual', 'expected', 'impact', 'root causes']), exitCode: EXIT.ok };
      }
      if (action === 'recommendations') {
        const { body } = await getJson<{ recommendations: { kind: string; target: string; monthlySavings: number; effort: string; roi: number; paybackMonths: number; detail: string }[] }>(url, '/api/v1/costs/recommendations', window);
        if (format === 'json') return { output: json(body.recommendations), exitCode: EXIT.ok };
        const rows = body.recommendations.map((r) => ({ kind: r.kind, target: r.target, 'monthly savings': money(r.monthlySavings), effort: r.effort, roi: r.roi.toFixed(1), payback: `${r.paybackMonths.toFixed(2)} mo`, detail: r.detail }));
        return { output: renderTable(rows, ['kind', 'target', 'monthly savings', 'effort', 'roi', 'payback', 'detail']), exitCode: EXIT.ok };
      }
      if (action === 'imports') {
        const { body } = await getJson<{ imports: Record<string, unknown>[] }>(url, '/api/v1/costs/imports');
        if (format === 'json') return { output: json(body.imports), exitCode: EXIT.ok };
        const rows = body.imports.map((i) => ({ id: i.id, started: isoTime(i.started_at), file: i.filename, status: i.status, accepted: i.accepted, rejected: i.rejected }));
        return { output: renderTable(rows, ['id', 'started', 'file', 'status', 'accepted', 'rejected']), exitCode: EXIT.ok };
      }
      return usageError('expected `cost import FILE`, `cost breakdown`, `cost chargeback`, `cost anomalies`, `cost recommendations` or `cost imports`');
    },
  },
};

/**
 * `logs --file`: the same filters over a JSON log file, read with `@sightline/logging`'s search
 * (streamed: any file size), newest `limit` records last.
 */
async function searchLogFile(file: string, values: Record<string, string | undefined>, format: Format): Promise<{ output: string; exitCode: number }> {
  const since = values.since === undefined ? undefined : /^\d+(ms|s|m|h|d|w)$/.test(values.since) ? Date.now() - parseDuration(values.since) : values.since;
  const filter = {
    ...(values.level === undefined ? {} : { minLevel: values.level as LogLevel }),
    ...(values.service === undefined ? {} : { service: values.service }),
    ...(values.trace === undefined ? {} : { traceId: values.trace }),
    ...(values.text === undefined ? {} : { text: values.text }),
    ...(since === undefined ? {} : { from: since }),
  };
  const limit = Number(values.limit ?? 100);
  const found: LogRecord[] = [];
  try {
    for await (const record of searchLogs(file, filter)) {
      found.push(record);
      if (found.length > limit) found.shift();
    }
  } catch (error) {
    throw new CliError(`cannot search ${file}: ${(error as Error).message}`, (error as { code?: string }).code === 'LOGGING_FILTER_INVALID' ? EXIT.usage : EXIT.failed);
  }
  if (format === 'json') return { output: json(found), exitCode: EXIT.ok };
  const rows = found.map((r) => ({ time: r.timestamp, level: r.level, service: r.service, message: r.message, trace: r.trace_id }));
  return { output: renderTable(rows, ['time', 'level', 'service', 'message', 'trace']), exitCode: EXIT.ok };
}

/** Fails with a usage error (exit 2). */
export function usageError(message: string): never {
  throw new CliError(message, EXIT.usage);
}
