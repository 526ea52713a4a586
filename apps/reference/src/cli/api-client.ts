/** Why a CLI command failed; each maps to a documented exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** GETs `path` from the server and returns the JSON; API errors and connection failures become CliErrors. */
export async function getJson<T>(baseUrl: string, path: string, query: Record<string, string | undefined> = {}): Promise<{ status: number; body: T }> {
  const response = await get(baseUrl, path, query);
  const body = (await response.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (response.status >= 400 && body.error !== undefined) throw new CliError(`${body.error.code}: ${body.error.message}`, EXIT.failed);
  return { status: response.status, body };
}

/** GETs a text document (YAML rules); errors as {@link getJson}. */
export async function getText(baseUrl: string, path: string): Promise<string> {
  const response = await get(baseUrl, path, {});
  const text = await response.text();
  if (response.status >= 400) throw new CliError(`the server answered ${response.status}: ${text}`, EXIT.failed);
  return text;
}

/** POSTs a text document (an experiment in YAML/JSON) and returns the JSON answer; errors as {@link getJson}. */
export async function postText<T>(baseUrl: string, path: string, text: string): Promise<{ status: number; body: T }> {
  const token = process.env.SIGHTLINE_TOKEN;
  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl), { method: 'POST', body: text, headers: { 'content-type': 'text/plain', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new CliError(`cannot reach the Sightline server at ${baseUrl} (${(error as Error).message})`, EXIT.unreachable);
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (response.status >= 400 && body.error !== undefined) throw new CliError(`${body.error.code}: ${body.error.message}`, EXIT.failed);
  return { status: response.status, body };
}

async function get(baseUrl: string, path: string, query: Record<string, string | undefined>): Promise<Response> {
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  let response: Response;
  try {
    // In token mode the server wants a bearer token: SIGHTLINE_TOKEN supplies it.
    const token = process.env.SIGHTLINE_TOKEN;
    response = await fetch(url, { signal: AbortSignal.timeout(10_000), ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  } catch (error) {
    throw new CliError(`cannot reach the Sightline server at ${baseUrl} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}); start it with \`sightline serve\` or pass --url`, EXIT.unreachable);
  }
  return response;
}
