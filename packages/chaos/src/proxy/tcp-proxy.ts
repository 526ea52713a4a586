import net from 'node:net';
import { once } from 'node:events';
import { SightlineError } from '@sightline/core';
import { emptyStats } from '../faults/fault.js';
import type { ActiveFault, FaultStats } from '../faults/fault.js';
import { createRandom } from '../internal/random.js';
import type { Random } from '../internal/random.js';
import { ProxyConnection } from './connection.js';
import { normalizeToxic } from './toxic.js';
import type { Toxic, ToxicInput } from './toxic.js';

/** A proxy in toxiproxy's JSON shape. `listen` and `upstream` are `host:port`. */
export interface ProxyJson {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly Toxic[];
}

/** Options for {@link TcpProxy}. */
export interface TcpProxyOptions {
  readonly name: string;
  /** `host:port` to listen on; port 0 picks a free one (default `127.0.0.1:0`). */
  readonly listen?: string;
  /** `host:port` of the real service. */
  readonly upstream: string;
  /** Seed for toxicity rolls and jitter. */
  readonly seed?: number;
}

/**
 * A loopback TCP proxy with toxiproxy's toxics. Toxics apply per direction and per connection
 * (by toxicity) and take effect on open connections too.
 * @example
 * const proxy = await TcpProxy.start({ name: 'db', upstream: '127.0.0.1:5432' });
 * const fault = proxy.injectToxic({ type: 'latency', attributes: { latency: 200 } });
 */
export class TcpProxy {
  readonly name: string;
  #listen: string;
  #upstream: string;
  #server: net.Server | undefined;
  readonly #toxics = new Map<string, Toxic>();
  readonly #connections = new Set<ProxyConnection>();
  readonly #stats = new Map<string, FaultStats>();
  readonly #random: Random;

  constructor(options: TcpProxyOptions) {
    this.name = options.name;
    this.#listen = options.listen ?? '127.0.0.1:0';
    this.#upstream = options.upstream;
    parseHostPort(this.#listen, 'listen');
    parseHostPort(this.#upstream, 'upstream');
    this.#random = createRandom(options.seed);
  }

  /** Creates and starts a proxy. */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    await proxy.enable();
    return proxy;
  }

  get enabled(): boolean {
    return this.#server !== undefined;
  }

  /** `host:port` actually listened on (the real port once started). */
  get listen(): string {
    return this.#listen;
  }

  get upstream(): string {
    return this.#upstream;
  }

  /** Port the proxy listens on. */
  get port(): number {
    return parseHostPort(this.#listen, 'listen').port;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Starts listening (idempotent). */
  async enable(): Promise<void> {
    if (this.#server) return;
    const { host, port } = parseHostPort(this.#listen, 'listen');
    const server = net.createServer((client) => this.#accept(client));
    server.listen(port, host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(new SightlineError('CHAOS_PROXY_LISTEN', `proxy ${this.name} cannot listen on ${this.#listen}: ${(e as Error).message}`, { listen: this.#listen })))]);
    const address = server.address() as net.AddressInfo;
    this.#listen = `${host}:${address.port}`;
    this.#server = server;
  }

  /** Stops listening and closes every connection, like toxiproxy's `enabled: false`. */
  async disable(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const c of this.#connections) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Changes the upstream for new connections. */
  setUpstream(upstream: string): void {
    parseHostPort(upstream, 'upstream');
    this.#upstream = upstream;
  }

  /** Changes the listen address (restarts the listener if enabled). */
  async setListen(listen: string): Promise<void> {
    parseHostPort(listen, 'listen');
    const wasEnabled = this.enabled;
    await this.disable();
    this.#listen = listen;
    if (wasEnabled) await this.enable();
  }

  toxics(): readonly Toxic[] {
    return [...this.#toxics.values()];
  }

  getToxic(name: string): Toxic {
    const toxic = this.#toxics.get(name);
    if (!toxic) throw new SightlineError('CHAOS_TOXIC_NOT_FOUND', `toxic ${name} not found on proxy ${this.name}`, { proxy: this.name, toxic: name });
    return toxic;
  }

  /** Adds a toxic (toxiproxy defaults apply); code `CHAOS_TOXIC_EXISTS` if the name is taken. */
  addToxic(input: ToxicInput): Toxic {
    const toxic = normalizeToxic(input);
    if (this.#toxics.has(toxic.name)) throw new SightlineError('CHAOS_TOXIC_EXISTS', `toxic ${toxic.name} already exists on proxy ${this.name}`, { proxy: this.name, toxic: toxic.name });
    this.#toxics.set(toxic.name, toxic);
    this.#stats.set(toxic.name, emptyStats());
    this.#refresh();
    return toxic;
  }

  /** Updates a toxic's stream, toxicity or attributes. */
  updateToxic(name: string, input: Partial<ToxicInput>): Toxic {
    const existing = this.getToxic(name);
    const toxic = normalizeToxic({ ...input, name, type: existing.type }, existing);
    this.#toxics.set(name, toxic);
    this.#refresh();
    return toxic;
  }

  removeToxic(name: string): void {
    this.getToxic(name);
    this.#toxics.delete(name);
    this.#refresh();
  }

  /** Removes every toxic. */
  resetToxics(): void {
    this.#toxics.clear();
    this.#refresh();
  }

  /** Adds a toxic as an {@link ActiveFault}: `revert()` removes it. */
  injectToxic(input: ToxicInput): ActiveFault {
    const toxic = this.addToxic(input);
    const stats = this.#stats.get(toxic.name) ?? emptyStats();
    const toxics = this.#toxics;
    return {
      description: `${toxic.type} toxic ${toxic.name} on proxy ${this.name} (${toxic.stream})`,
      get active() {
        return toxics.has(toxic.name);
      },
      stats: () => ({ ...stats }),
      revert: async () => {
        // Idempotent: a toxic already removed (by reset or the API) is not an error here.
        if (toxics.delete(toxic.name)) this.#refresh();
      },
    };
  }

  toJSON(): ProxyJson {
    return { name: this.name, listen: this.#listen, upstream: this.#upstream, enabled: this.enabled, toxics: this.toxics() };
  }

  /** Disables the proxy; idempotent. */
  async close(): Promise<void> {
    await this.disable();
  }

  #refresh(): void {
    for (const c of this.#connections) c.refresh();
  }

  #accept(client: net.Socket): void {
    const { host, port } = parseHostPort(this.#upstream, 'upstream');
    const upstream = net.connect(port, host);
    const source = {
      toxics: () => [...this.#toxics.values()],
      record: (toxic: Toxic, kind: 'affected' | 'error') => {
        const s = this.#stats.get(toxic.name);
        if (!s) return;
        if (kind === 'affected') {
          s.matched += 1;
          if (toxic.type === 'latency' || toxic.type === 'bandwidth' || toxic.type === 'slicer') {
            s.injectedDelays += 1;
            s.maxInjectedDelayMs = Math.max(s.maxInjectedDelayMs, (toxic.attributes.latency ?? 0) + (toxic.attributes.jitter ?? 0));
          }
        } else s.injectedErrors += 1;
      },
    };
    const connection = new ProxyConnection(client, upstream, source, this.#random);
    this.#connections.add(connection);
    void connection.closed.then(() => this.#connections.delete(connection));
  }
}

/** Parses `host:port` (IPv6 in brackets) or throws `CHAOS_PROXY_INVALID`. */
export function parseHostPort(value: string, field: string): { host: string; port: number } {
  const match = typeof value === 'string' ? /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || match[1] === '' || port > 65535) {
    throw new SightlineError('CHAOS_PROXY_INVALID', `${field} must be "host:port", got ${JSON.stringify(value)}`, { field, value });
  }
  return { host: match[1] ?? '', port };
}
