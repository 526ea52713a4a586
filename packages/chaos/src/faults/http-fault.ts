import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { syncBuiltinESMExports } from 'node:module';
import type { ActiveFault } from './fault.js';
import { FaultPlan } from './fault-plan.js';
import type { FaultPlanOptions } from './fault-plan.js';
import { describeMatch, matchesRequest } from './request-match.js';
import type { RequestMatch } from './request-match.js';

/** Options for {@link injectHttpFault}. */
export interface HttpFaultOptions extends FaultPlanOptions {
  readonly match?: RequestMatch;
}

type RequestFn = typeof http.request;

/**
 * Makes outgoing `http.request`/`http.get` (and https) calls matching host/path slow or failing:
 * matching requests get an agent whose connection is delayed or fails with the injected error,
 * so the caller sees it the way it would see a real network problem (an `error` event).
 */
export function injectHttpFault(options: HttpFaultOptions): ActiveFault {
  const plan = new FaultPlan(options);
  const match = options.match ?? {};
  const originals = { httpRequest: http.request, httpGet: http.get, httpsRequest: https.request, httpsGet: https.get };
  const agents = [new FaultAgent(plan, false), new FaultAgent(plan, true)] as const;

  const patch = (original: RequestFn, secure: boolean, isGet: boolean): RequestFn =>
    ((...args: unknown[]) => {
      const options = requestOptions(args);
      if (options && matchesRequest(match, options.host, options.path)) {
        // Keep the caller's arguments, only swap the agent so keep-alive pools are not shared.
        const agent = agents[secure ? 1 : 0];
        args = injectAgent(args, agent);
      }
      const req = (original as (...a: unknown[]) => http.ClientRequest)(...args);
      if (isGet) req.end();
      return req;
    }) as unknown as RequestFn;

  http.request = patch(originals.httpRequest, false, false);
  http.get = patch(originals.httpRequest, false, true) as typeof http.get;
  https.request = patch(originals.httpsRequest as RequestFn, true, false) as typeof https.request;
  https.get = patch(originals.httpsRequest as RequestFn, true, true) as typeof https.get;
  syncBuiltinESMExports();
  let active = true;
  return {
    description: `http fault${describeMatch(match)}`,
    get active() {
      return active;
    },
    stats: () => plan.stats(),
    revert: async () => {
      if (!active) return;
      active = false;
      plan.release();
      http.request = originals.httpRequest;
      http.get = originals.httpGet;
      https.request = originals.httpsRequest;
      https.get = originals.httpsGet;
      syncBuiltinESMExports();
      for (const agent of agents) agent.destroy();
    },
  };
}

class FaultAgent extends http.Agent {
  readonly #plan: FaultPlan;
  readonly #secure: boolean;

  constructor(plan: FaultPlan, secure: boolean) {
    super({ keepAlive: false });
    this.#plan = plan;
    this.#secure = secure;
  }

  // Node's Agent accepts a callback-style createConnection, which lets the fault be asynchronous.
  override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.#plan.before().then(
      () => {
        const socket = this.#secure ? tls.connect(options as tls.ConnectionOptions) : net.createConnection(options as net.NetConnectOpts);
        callback?.(null, socket);
      },
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function requestOptions(args: unknown[]): { host: string; path: string } | undefined {
  const first = args[0];
  if (typeof first === 'string' || first instanceof URL) {
    const url = new URL(String(first));
    return { host: url.hostname, path: `${url.pathname}${url.search}` };
  }
  if (typeof first === 'object' && first !== null) {
    const o = first as { hostname?: string; host?: string; path?: string };
    return { host: o.hostname ?? (o.host ?? 'localhost').split(':')[0] ?? 'localhost', path: o.path ?? '/' };
  }
  return undefined;
}

function injectAgent(args: unknown[], agent: http.Agent): unknown[] {
  const [first, second, ...rest] = args;
  if (typeof first === 'string' || first instanceof URL) {
    if (typeof second === 'object' && second !== null) return [first, { ...second, agent }, ...rest];
    return second === undefined ? [first, { agent }] : [first, { agent }, second, ...rest];
  }
  return [{ ...(first as object), agent }, second, ...rest].filter((a, i) => i === 0 || a !== undefined);
}
