// The app's own request spans (real self-telemetry, not seeded) stay out of the trace list and its
// histogram by default, and are one parameter away.
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../src/cli/main.js';
import { useTestApp } from './test-app.js';

interface TraceList {
  traces: { trace_id: string; root_service: string; root_name: string }[];
}

describe("the app's own traces in the trace list", () => {
  const t = useTestApp({ selfTelemetry: true });
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${t.url}${path}`)).json()) as T;

  it('are hidden unless includeSelf=true or service=sightline', async () => {
    await fetch(`${t.url}/api/v1/logs?level=error`);
    await fetch(`${t.url}/api/v1/services`);
    await t.app.telemetry?.flush();
    // The list requests below are traced too and may be exported meanwhile: compare up to now.
    const until = Date.now();

    expect((await get<TraceList>('/api/v1/traces?since=1h')).traces).toEqual([]);
    expect(await get('/api/v1/traces/histogram?since=1h')).toEqual({ total: 0, buckets: [] });

    const shown = await get<TraceList>(`/api/v1/traces?since=1h&until=${until}&includeSelf=true`);
    expect(shown.traces.map((tr) => tr.root_name)).toEqual(expect.arrayContaining(['GET /api/v1/logs', 'GET /api/v1/services']));
    expect(new Set(shown.traces.map((tr) => tr.root_service))).toEqual(new Set(['sightline']));
    const named = await get<TraceList>(`/api/v1/traces?since=1h&until=${until}&service=sightline`);
    expect(named.traces.map((tr) => tr.trace_id)).toEqual(shown.traces.map((tr) => tr.trace_id));
    expect((await get<{ total: number }>(`/api/v1/traces/histogram?since=1h&until=${until}&includeSelf=true`)).total).toBe(shown.traces.length);

    // The CLI's trace search hides them too, and --include-self shows them.
    const cliTraces = async (...flags: string[]) => {
      let out = '';
      expect(await runCli(['traces', '--since', '1h', '--format', 'json', '--url', t.url, ...flags], { out: (s) => (out += s), err: () => undefined })).toBe(0);
      return (JSON.parse(out) as { root_service: string }[]).map((tr) => tr.root_service);
    };
    expect(await cliTraces()).toEqual([]);
    expect(new Set(await cliTraces('--include-self'))).toEqual(new Set(['sightline']));
  });
});
