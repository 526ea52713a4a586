import { Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import type { ActiveFault } from './fault.js';
import { FaultPlan } from './fault-plan.js';
import type { FaultPlanOptions } from './fault-plan.js';
import { describeMatch, matchesRequest } from './request-match.js';
import type { RequestMatch } from './request-match.js';

/** Options for {@link injectFetchFault}. */
export interface FetchFaultOptions extends FaultPlanOptions {
  /** Requests the fault applies to; the rest pass untouched. */
  readonly match?: RequestMatch;
  /** Wrap this dispatcher instead of installing globally (then pass `fault.dispatcher` to fetch yourself). */
  readonly dispatcher?: Dispatcher;
}

/** A fetch fault; `dispatcher` is the faulty undici dispatcher. */
export interface FetchFault extends ActiveFault {
  readonly dispatcher: Dispatcher;
}

/**
 * An undici dispatcher that applies a {@link FaultPlan} to matching requests before handing
 * them to the wrapped dispatcher, or fails them through the handler's `onError`.
 */
class FaultDispatcher extends Dispatcher {
  readonly #inner: Dispatcher;
  readonly #plan: FaultPlan;
  readonly #match: RequestMatch;

  constructor(inner: Dispatcher, plan: FaultPlan, match: RequestMatch) {
    super();
    this.#inner = inner;
    this.#plan = plan;
    this.#match = match;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    const origin = typeof options.origin === 'string' ? new URL(options.origin) : options.origin;
    const host = origin?.hostname ?? '';
    if (!matchesRequest(this.#match, host, options.path)) return this.#inner.dispatch(options, handler);
    this.#plan.before().then(
      () => this.#inner.dispatch(options, handler),
      (error: Error) => handler.onError?.(error),
    );
    return true;
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Makes outgoing `fetch` calls (Node's global fetch and undici's) slow or failing, by installing
 * a fault dispatcher as undici's global dispatcher until `revert()` restores the previous one.
 * @example
 * const fault = injectFetchFault({ match: { host: 'api.internal' }, latency: { distribution: 'fixed', ms: 300 } });
 */
export function injectFetchFault(options: FetchFaultOptions): FetchFault {
  const plan = new FaultPlan(options);
  const global = options.dispatcher === undefined;
  const inner = options.dispatcher ?? getGlobalDispatcher();
  const dispatcher = new FaultDispatcher(inner, plan, options.match ?? {});
  if (global) setGlobalDispatcher(dispatcher);
  let active = true;
  return {
    dispatcher,
    description: `fetch fault${describeMatch(options.match)}`,
    get active() {
      return active;
    },
    stats: () => plan.stats(),
    revert: async () => {
      if (!active) return;
      active = false;
      plan.release();
      // Only restore if nobody replaced the dispatcher after us; otherwise we would undo their change.
      if (global && getGlobalDispatcher() === dispatcher) setGlobalDispatcher(inner);
    },
  };
}
