// Costs in the app (token mode): a FOCUS upload with bad rows stores the good ones and reports
// the bad; a team sees only its own cost rows while finance sees all; the planted spike of the
// generated bill is found with its root cause and raised as an alert; a malformed file leaves no
// rows behind; GenAI spans arriving over OTLP are priced and attributed; the CLI uploads and reads.
import { describe, expect, it } from '@jest/globals';
import { breakdownCosts, generateFocusBill, GENERATED_FOCUS_HEADER, importFocusCsv, type CostRecord } from '@sightline/finops';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/main.js';
import { testDatabases } from './databases.js';
import { getAs, tokenAccess, useTestApp } from './test-app.js';

const TOKENS = { finance: 'finance-token-1', checkout: 'checkout-token-1', search: 'search-token-1', teamless: 'teamless-token-1', collector: 'collector-token-1' };
const BILLED_COST = GENERATED_FOCUS_HEADER.indexOf('BilledCost');
const CHARGE_CATEGORY = GENERATED_FOCUS_HEADER.indexOf('ChargeCategory');

/** A generated 35-day bill with a planted EC2 spike in us-east-1, and two rows broken on purpose. */
function billWithBadRows(): { text: string; rows: number; badLines: number[] } {
  const lines = [...generateFocusBill({ rows: 14_000, days: 35, seed: 7, spike: { day: 31, serviceName: 'Amazon EC2', regionId: 'us-east-1', factor: 4 } })].join('').trimEnd().split('\n');
  // Line numbers are 1-based with the header on line 1; the generator writes no quoted newlines.
  const breakField = (line: number, field: number, value: string) => {
    const fields = lines[line - 1]!.split(',');
    fields[field] = value;
    lines[line - 1] = fields.join(',');
  };
  breakField(10, BILLED_COST, 'twelve');
  breakField(20, CHARGE_CATEGORY, 'Refund');
  return { text: `${lines.join('\n')}\n`, rows: lines.length - 1, badLines: [10, 20] };
}

describe.each(testDatabases.map((db) => [db.name, db] as const))('costs (%s)', (_name, database) => {
  const t = useTestApp(
    {
      config: {
        // The generated bill is small: its spike is about 65.00 over the usual.
        costs: { anomalyMinImpact: 10_000_000, anomalyMinRelativeImpact: 0.15 },
        access: tokenAccess({
          [TOKENS.finance]: { id: 'fiona', kind: 'user', roles: ['finance'] },
          [TOKENS.checkout]: { id: 'chen', kind: 'user', team: 'checkout', roles: ['viewer'] },
          [TOKENS.search]: { id: 'sami', kind: 'user', team: 'search', roles: ['operator'] },
          [TOKENS.teamless]: { id: 'tess', kind: 'user', roles: ['viewer'] },
          [TOKENS.collector]: { id: 'collector', kind: 'service', roles: ['ingest'] },
        }),
      },
    },
    database,
  );
  const bill = billWithBadRows();
  const get = <T,>(token: string, path: string) => getAs<T>(t.url, token, path);
  const upload = (token: string, text: string, query = '') => fetch(`${t.url}/api/v1/costs/imports${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: text });

  type Imported = { id: string; status: string; rows_read: number; accepted: number; rejected: number; rejects: { rowNumber: number; issues: { column: string; code: string }[] }[] };
  let imported: Imported;

  it('stores the good rows of an upload and reports each bad row with its line, column and reason; only finance may upload', async () => {
    expect((await upload(TOKENS.checkout, bill.text)).status).toBe(403);
    const response = await upload(TOKENS.finance, bill.text, '?filename=bill.csv');
    expect(response.status).toBe(201);
    imported = (await response.json()) as Imported;
    expect(imported).toMatchObject({ status: 'completed', rows_read: bill.rows, accepted: bill.rows - 2, rejected: 2 });
    expect(imported.rejects.map((r) => [r.rowNumber, r.issues[0]?.column])).toEqual([[10, 'BilledCost'], [20, 'ChargeCategory']]);

    const rejects = await fetch(`${t.url}/api/v1/costs/imports/${imported.id}/rejects`, { headers: { authorization: `Bearer ${TOKENS.finance}` } });
    const lines = (await rejects.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^row,errors,BilledCost,/);
    expect(lines[1]).toMatch(/^10,.*BilledCost.*,twelve,/);
    // Every accepted row is stored, and the daily rollup the reads use changes nothing: the API's
    // breakdown equals finops's over the file's own rows, to the micro-unit and the row count.
    const local: CostRecord[] = [];
    await importFocusCsv([bill.text], (r) => local.push(r));
    const expected = await breakdownCosts(local, { by: ['ServiceName', 'tag:team'], granularity: 'day' });
    const stored = await get<{ rows: unknown[]; total: number }>(TOKENS.finance, '/api/v1/costs/breakdown?by=ServiceName,tag:team&granularity=day');
    expect(stored.body.total).toBe(expected.total);
    expect(stored.body.rows).toEqual(expected.rows);
  });

  it('shows a team only its own cost rows, finance every team, and a reader without a team none', async () => {
    const teamsOf = async (token: string) => {
      const { body } = await get<{ records: { tags: Record<string, string> }[] }>(token, '/api/v1/costs/records?limit=1000');
      return new Set(body.records.map((r) => r.tags['team'] ?? '(untagged)'));
    };
    expect(await teamsOf(TOKENS.checkout)).toEqual(new Set(['checkout']));
    expect(await teamsOf(TOKENS.search)).toEqual(new Set(['search']));
    expect((await teamsOf(TOKENS.finance)).size).toBeGreaterThan(2);
    expect(await teamsOf(TOKENS.teamless)).toEqual(new Set());

    const byTeam = await get<{ rows: { group: Record<string, string>; cost: number }[]; total: number }>(TOKENS.checkout, '/api/v1/costs/breakdown?by=tag:team&granularity=month');
    expect(new Set(byTeam.body.rows.map((r) => r.group['tag:team']))).toEqual(new Set(['checkout']));
    // Chargeback over the checkout team's rows charges only checkout, to the micro-unit.
    const charge = await get<{ total: number; teams: { team: string; total: number }[] }>(TOKENS.checkout, '/api/v1/costs/chargeback');
    expect(charge.body.teams.map((t) => t.team)).toEqual(['checkout']);
    expect(charge.body.total).toBe(byTeam.body.total);
  });

  it('allocates every micro-unit of the bill to teams in chargeback', async () => {
    const { body } = await get<{ total: number; untaggedTotal: number; teams: { team: string; direct: number; untagged: number; total: number }[] }>(TOKENS.finance, '/api/v1/costs/chargeback?untagged=even');
    expect(body.untaggedTotal).toBeGreaterThan(0);
    expect(body.teams.reduce((sum, t) => sum + t.total, 0)).toBe(body.total);
    const breakdown = await get<{ total: number }>(TOKENS.finance, '/api/v1/costs/breakdown?by=ServiceName&granularity=month');
    expect(body.total).toBe(breakdown.body.total);
  });

  it('finds the planted spike with its root cause and raises it through the alert pipeline', async () => {
    const { body } = await get<{ anomalies: { value: string; day: string; impact: number; rootCauses: { dimension: string; value: string; share: number }[] }[] }>(TOKENS.finance, '/api/v1/costs/anomalies?dimension=ServiceName');
    const spike = body.anomalies.find((a) => a.value === 'Amazon EC2');
    expect(spike).toMatchObject({ day: '2026-02-01' });
    expect(spike?.rootCauses[0]).toMatchObject({ dimension: 'RegionId', value: 'us-east-1' });
    expect(spike?.impact).toBeGreaterThan(0);
    const alerts = await get<{ alerts: { source: string; labels: Record<string, string> }[] }>(TOKENS.finance, '/api/v1/alerts?status=firing');
    expect(alerts.body.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'finops', labels: expect.objectContaining({ alertname: 'CostAnomaly', value: 'Amazon EC2' }) })]));
  });

  it('lists recommendations with savings derived from the stored bill', async () => {
    const { body } = await get<{ recommendations: { kind: string; monthlySavings: number; paybackMonths: number }[] }>(TOKENS.finance, '/api/v1/costs/recommendations');
    expect(body.recommendations.length).toBeGreaterThan(0);
    for (const r of body.recommendations) expect(r.monthlySavings).toBeGreaterThan(0);
  });

  it('refuses a malformed file as a whole and leaves no row of it behind', async () => {
    const before = (await get<{ total: number }>(TOKENS.finance, '/api/v1/costs/breakdown?granularity=month')).body.total;
    const broken = `${GENERATED_FOCUS_HEADER.join(',')}\n"1.00,unterminated\n`;
    const response = await upload(TOKENS.finance, broken);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('FINOPS_CSV_MALFORMED');
    expect((await get<{ total: number }>(TOKENS.finance, '/api/v1/costs/breakdown?granularity=month')).body.total).toBe(before);
    const { body } = await get<{ imports: { status: string; error: string | null }[] }>(TOKENS.finance, '/api/v1/costs/imports');
    expect(body.imports[0]).toMatchObject({ status: 'failed' });
  });

  it('enforces every FOCUS 1.1 Mandatory column when the upload asks for conformance', async () => {
    // The generated bill with InvoiceIssuerName renamed to a custom column: fine for the core
    // columns, missing a Mandatory column for FOCUS 1.1.
    const generated = [...generateFocusBill({ rows: 40, days: 2, seed: 9, spike: null })].join('');
    const text = generated.replace('InvoiceIssuerName', 'x_InvoiceIssuer');
    const strict = await upload(TOKENS.finance, text, '?conformance=focus-1.1');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'FINOPS_HEADER_INVALID', message: expect.stringContaining('InvoiceIssuerName') });
    const lenient = await upload(TOKENS.finance, text);
    expect(lenient.status).toBe(201);
    expect((await lenient.json()) as { rejected: number }).toMatchObject({ rejected: 0 });
    expect((await upload(TOKENS.finance, bill.text, '?conformance=focus-1.1')).status).toBe(201);
  });

  it('rejects bad query parameters and a wrong content type with their codes', async () => {
    const bad = await get<{ error: { code: string; issues: { path: string[] }[] } }>(TOKENS.finance, '/api/v1/costs/breakdown?by=Colour');
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0]?.path).toEqual(['by']);
    const json = await fetch(`${t.url}/api/v1/costs/imports`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.finance}`, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    const mapping = await upload(TOKENS.finance, bill.text, `?mapping=${encodeURIComponent('["BilledCost"]')}`);
    expect(mapping.status).toBe(400);
    expect(((await mapping.json()) as { error: { code: string } }).error.code).toBe('COST_MAPPING_INVALID');
  });

  it('prices GenAI spans arriving over OTLP and attributes them to their user and team', async () => {
    const day = Date.UTC(2026, 1, 3);
    const start = day + 10 * 3_600_000;
    const span = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'chat claude-sonnet-4',
      kind: 3,
      startTimeUnixNano: `${start}000000`,
      endTimeUnixNano: `${start + 1200}000000`,
      attributes: [
        { key: 'gen_ai.provider.name', value: { stringValue: 'anthropic' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'claude-sonnet-4-20250514' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: '1000' } },
        { key: 'gen_ai.usage.output_tokens', value: { intValue: '200' } },
        { key: 'user.id', value: { stringValue: 'u-42' } },
        { key: 'sightline.team', value: { stringValue: 'search' } },
      ],
      status: {},
    };
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'assistant' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: [span] }] }] };
    expect((await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.collector}` }, body: JSON.stringify(body) })).status).toBe(200);
    await t.app.costs.settled();
    const { body: seen } = await get<{ records: { serviceName: string; billedCost: number; tags: Record<string, string> }[] }>(TOKENS.search, `/api/v1/costs/records?since=${day}&until=${day + 86_400_000}&limit=1000`);
    const genai = seen.records.filter((r) => r.serviceName === 'Generative AI');
    // claude-sonnet-4: 1,000 input tokens at 3 USD/M + 200 output at 15 USD/M = 0.006 USD.
    expect(genai).toEqual([expect.objectContaining({ billedCost: 6_000, tags: expect.objectContaining({ user: 'u-42', team: 'search', model: 'claude-sonnet-4-20250514' }) })]);
    // The checkout team does not see the search team's token cost.
    const other = await get<{ records: { serviceName: string }[] }>(TOKENS.checkout, `/api/v1/costs/records?since=${day}&until=${day + 86_400_000}&limit=1000`);
    expect(other.body.records.filter((r) => r.serviceName === 'Generative AI')).toEqual([]);
  });

  it('prices token metrics: Claude Code counters per type (delta) and the GenAI histogram (cumulative, against its last value)', async () => {
    const day = Date.UTC(2026, 2, 10);
    const at = (minutes: number) => `${day + minutes * 60_000}000000`;
    const attrs = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value: { stringValue: value } }));
    const claude = (type: string, tokens: number) => ({ attributes: attrs({ type, model: 'claude-sonnet-4-20250514', 'user.email': 'ana@example.com', 'session.id': 's-1', 'sightline.team': 'search' }), timeUnixNano: at(5), asInt: String(tokens) });
    const histogram = (minutes: number, sum: number) => ({ attributes: attrs({ 'gen_ai.token.type': 'input', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'openai', 'sightline.team': 'search' }), timeUnixNano: at(minutes), count: '3', sum, bucketCounts: ['3'], explicitBounds: [] });
    const metrics = {
      resourceMetrics: [{
        resource: { attributes: attrs({ 'service.name': 'claude-code' }) },
        scopeMetrics: [{
          scope: { name: 't' },
          metrics: [
            { name: 'claude_code.token.usage', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [claude('input', 10_000), claude('output', 2_000), claude('cacheRead', 100_000)] } },
            { name: 'gen_ai.client.token.usage', histogram: { aggregationTemporality: 2, dataPoints: [histogram(1, 1_000), histogram(2, 5_000)] } },
          ],
        }],
      }],
    };
    expect((await fetch(`${t.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.collector}` }, body: JSON.stringify(metrics) })).status).toBe(200);
    await t.app.costs.settled();
    const { body } = await get<{ records: { serviceName: string; billedCost: number; tags: Record<string, string> }[] }>(TOKENS.search, `/api/v1/costs/records?since=${day}&until=${day + 86_400_000}&limit=1000`);
    const byModel = (model: string) => body.records.filter((r) => r.tags['model'] === model).map((r) => r.billedCost).sort((a, b) => a - b);
    // 10,000 input × 3 USD/M, 2,000 output × 15 USD/M, 100,000 cache reads × 0.30 USD/M: 0.03 USD each.
    expect(byModel('claude-sonnet-4-20250514')).toEqual([30_000, 30_000, 30_000]);
    // The first cumulative point is the baseline; the second adds 4,000 input tokens × 2.50 USD/M.
    expect(byModel('gpt-4o')).toEqual([10_000]);
    expect(body.records.find((r) => r.tags['model'] === 'claude-sonnet-4-20250514')?.tags).toMatchObject({ user: 'ana@example.com', session: 's-1', team: 'search' });
  });

  it('uploads and reads through `sightline cost`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-cost-'));
    const file = join(dir, 'small.csv');
    writeFileSync(file, [...generateFocusBill({ rows: 200, days: 5, seed: 3, spike: null })].join(''));
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    process.env.SIGHTLINE_TOKEN = TOKENS.finance;
    try {
      expect(await runCli(['cost', 'import', file, '--url', t.url], io)).toBe(0);
      expect(out.join('\n')).toMatch(/rejected 0/);
      out.length = 0;
      expect(await runCli(['cost', 'breakdown', '--by', 'tag:team', '--granularity', 'month', '--url', t.url], io)).toBe(0);
      expect(out.join('\n')).toMatch(/checkout/);
      out.length = 0;
      expect(await runCli(['cost', 'chargeback', '--url', t.url, '--format', 'json'], io)).toBe(0);
      expect((JSON.parse(out.join('')) as { teams: unknown[] }).teams.length).toBeGreaterThan(1);
      out.length = 0;
      expect(await runCli(['cost', 'import', join(dir, 'missing.csv'), '--url', t.url], io)).toBe(2);
    } finally {
      delete process.env.SIGHTLINE_TOKEN;
    }
  });
});
