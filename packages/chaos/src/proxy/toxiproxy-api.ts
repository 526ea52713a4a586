import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SightlineError } from '@sightline/core';
import { TcpProxy } from './tcp-proxy.js';

/** The toxiproxy version this API mirrors (reported by GET /version). */
export const TOXIPROXY_API_VERSION = '2.12.0';

const STATUS: Record<string, number> = {
  CHAOS_PROXY_NOT_FOUND: 404,
  CHAOS_TOXIC_NOT_FOUND: 404,
  CHAOS_PROXY_EXISTS: 409,
  CHAOS_TOXIC_EXISTS: 409,
  CHAOS_TOXIC_INVALID: 400,
  CHAOS_PROXY_INVALID: 400,
  CHAOS_PROXY_LISTEN: 500,
  CHAOS_API_BAD_REQUEST: 400,
};

/** A proxy as toxiproxy's API receives it. */
export interface ProxyInput {
  readonly name: string;
  readonly listen?: string;
  readonly upstream: string;
  readonly enabled?: boolean;
}

/**
 * A set of {@link TcpProxy}s controlled through toxiproxy's HTTP API, so existing toxiproxy
 * clients (toxiproxy-go, toxiproxy-node-client, ruby, ...) drive it unchanged.
 * @example
 * const server = new ToxiproxyServer();
 * const url = await server.listen(8474);
 */
export class ToxiproxyServer {
  readonly #proxies = new Map<string, TcpProxy>();
  #http: http.Server | undefined;

  /** Creates and (unless `enabled: false`) starts a proxy. */
  async createProxy(input: ProxyInput): Promise<TcpProxy> {
    if (typeof input.name !== 'string' || input.name === '') throw new SightlineError('CHAOS_PROXY_INVALID', 'proxy name must be a non-empty string', {});
    if (this.#proxies.has(input.name)) throw new SightlineError('CHAOS_PROXY_EXISTS', `proxy ${input.name} already exists`, { proxy: input.name });
    const proxy = new TcpProxy({ name: input.name, upstream: input.upstream, ...(input.listen !== undefined ? { listen: input.listen } : {}) });
    if (input.enabled !== false) await proxy.enable();
    this.#proxies.set(input.name, proxy);
    return proxy;
  }

  /** Creates or replaces each proxy (toxiproxy's POST /populate); a proxy whose listen/upstream is unchanged is kept. */
  async populate(inputs: readonly ProxyInput[]): Promise<TcpProxy[]> {
    const out: TcpProxy[] = [];
    for (const input of inputs) {
      const existing = this.#proxies.get(input.name);
      if (existing && existing.upstream === input.upstream && (input.listen === undefined || input.listen === existing.listen)) {
        out.push(existing);
        continue;
      }
      if (existing) await this.deleteProxy(input.name);
      out.push(await this.createProxy(input));
    }
    return out;
  }

  getProxy(name: string): TcpProxy {
    const proxy = this.#proxies.get(name);
    if (!proxy) throw new SightlineError('CHAOS_PROXY_NOT_FOUND', `proxy ${name} not found`, { proxy: name });
    return proxy;
  }

  proxies(): readonly TcpProxy[] {
    return [...this.#proxies.values()];
  }

  async deleteProxy(name: string): Promise<void> {
    await this.getProxy(name).close();
    this.#proxies.delete(name);
  }

  /** Enables every proxy and removes every toxic (toxiproxy's POST /reset). */
  async reset(): Promise<void> {
    for (const proxy of this.#proxies.values()) {
      await proxy.enable();
      proxy.resetToxics();
    }
  }

  /** Starts the HTTP API; returns its base URL. Port 0 picks a free port. */
  async listen(port = 8474, host = '127.0.0.1'): Promise<string> {
    const server = http.createServer((req, res) => void this.#handle(req, res));
    server.listen(port, host);
    await once(server, 'listening');
    this.#http = server;
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  /** Stops the API and every proxy; idempotent. */
  async close(): Promise<void> {
    const server = this.#http;
    this.#http = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    for (const proxy of this.#proxies.values()) await proxy.close();
    this.#proxies.clear();
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const method = req.method ?? 'GET';
      const body = method === 'POST' || method === 'PATCH' ? await readJson(req) : undefined;
      const [root, name, sub, toxicName] = parts;
      if (root === 'version' && parts.length === 1 && method === 'GET') return send(res, 200, { version: TOXIPROXY_API_VERSION });
      if (root === 'populate' && parts.length === 1 && method === 'POST') {
        if (!Array.isArray(body)) throw new SightlineError('CHAOS_API_BAD_REQUEST', 'populate expects a JSON array of proxies', {});
        return send(res, 201, { proxies: (await this.populate(body as ProxyInput[])).map((p) => p.toJSON()) });
      }
      if (root === 'reset' && parts.length === 1 && method === 'POST') {
        await this.reset();
        return send(res, 204);
      }
      if (root === 'proxies') {
        if (name === undefined) {
          if (method === 'GET') return send(res, 200, Object.fromEntries(this.proxies().map((p) => [p.name, p.toJSON()])));
          if (method === 'POST') {
            return send(res, 201, (await this.createProxy(body as ProxyInput)).toJSON());
          }
        } else if (sub === undefined) {
          const proxy = this.getProxy(name);
          if (method === 'GET') return send(res, 200, proxy.toJSON());
          if (method === 'DELETE') {
            await this.deleteProxy(name);
            return send(res, 204);
          }
          if (method === 'POST' || method === 'PATCH') {
            const b = body as { listen?: string; upstream?: string; enabled?: boolean };
            if (b.upstream !== undefined) proxy.setUpstream(b.upstream);
            if (b.listen !== undefined && b.listen !== proxy.listen) await proxy.setListen(b.listen);
            if (b.enabled === true) await proxy.enable();
            if (b.enabled === false) await proxy.disable();
            return send(res, 200, proxy.toJSON());
          }
        } else if (sub === 'toxics') {
          const proxy = this.getProxy(name);
          if (toxicName === undefined) {
            if (method === 'GET') return send(res, 200, proxy.toxics());
            if (method === 'POST') return send(res, 200, proxy.addToxic(body as { type: string }));
          } else if (parts.length === 4) {
            if (method === 'GET') return send(res, 200, proxy.getToxic(toxicName));
            if (method === 'POST' || method === 'PATCH') return send(res, 200, proxy.updateToxic(toxicName, body as object));
            if (method === 'DELETE') {
              proxy.removeToxic(toxicName);
              return send(res, 204);
            }
          }
        }
      }
      send(res, 404, { error: `no route for ${method} ${req.url ?? ''}`, status: 404 });
    } catch (error) {
      const code = error instanceof SightlineError ? error.code : 'CHAOS_API_INTERNAL';
      const status = STATUS[code] ?? 500;
      send(res, status, { error: (error as Error).message, status, code });
    }
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SightlineError('CHAOS_API_BAD_REQUEST', 'request body is not valid JSON', {});
  }
}

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
