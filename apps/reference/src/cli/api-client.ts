import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

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
export function postText<T>(baseUrl: string, path: string, text: string): Promise<{ status: number; body: T }> {
  return post<T>(baseUrl, new URL(path, baseUrl), { body: text, contentType: 'text/plain', timeoutMs: 10_000 });
}

/**
 * POSTs a file as it is read (a bill of any size is never loaded whole) and returns the JSON
 * answer; errors as {@link getJson}. A missing or unreadable file is a usage error.
 */
export async function postFile<T>(baseUrl: string, path: string, file: string, contentType: string, query: Record<string, string | undefined> = {}): Promise<{ status: number; body: T }> {
  const handle = await open(file).catch((error: Error) => {
    throw new CliError(`cannot read ${file}: ${error.message}`, EXIT.usage);
  });
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  try {
    return await post<T>(baseUrl, url, { body: Readable.toWeb(handle.createReadStream()) as ReadableStream, contentType, timeoutMs: 600_000 });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function post<T>(baseUrl: string, url: URL, request: { body: string | ReadableStream; contentType: string; timeoutMs: number }): Promise<{ status: number; body: T }> {
  const token = process.env.SIGHTLINE_TOKEN;
  let response: Response;
  try {
    // A stream body needs duplex 'half' (Node's fetch sends it chunked).
    response = await fetch(url, { method: 'POST', body: request.body, duplex: 'half', headers: { 'content-type': request.contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(request.timeoutMs) } as RequestInit);
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
