import { SightlineError } from '@sightline/core';
import type { ActiveFault, FaultStats } from './fault.js';
import { FaultPlan } from './fault-plan.js';
import type { FaultPlanOptions } from './fault-plan.js';

type AsyncFn = (...args: never[]) => Promise<unknown>;

/** A wrapped function plus the fault handle that controls it. */
export interface FaultyFunction<F extends AsyncFn> extends ActiveFault {
  /** Call this instead of the original; after `revert()` it calls straight through. */
  readonly call: F;
}

/**
 * Wraps an async function with latency, errors, hangs, timeouts or a rate limit.
 * @example
 * const faulty = wrapFunction(loadUser, { latency: { distribution: 'fixed', ms: 200 }, errorRate: 0.1, seed: 1 });
 * await faulty.call('u1');
 */
export function wrapFunction<F extends AsyncFn>(fn: F, options: FaultPlanOptions, description = `fault on ${fn.name || 'function'}`): FaultyFunction<F> {
  const plan = new FaultPlan(options);
  let active = true;
  const call = (async (...args: Parameters<F>) => {
    if (active) await plan.before();
    return fn(...args);
  }) as unknown as F;
  return {
    call,
    description,
    get active() {
      return active;
    },
    stats: (): FaultStats => plan.stats(),
    revert: async () => {
      active = false;
      plan.release();
    },
  };
}

/**
 * Replaces `target[method]` with a faulty version until `revert()` puts the original back.
 * @example
 * const fault = injectMethodFault(db, 'query', { errorRate: 1 });
 * try { ... } finally { await fault.revert(); }
 */
export function injectMethodFault<T extends object, K extends keyof T & string>(target: T, method: K, options: FaultPlanOptions): ActiveFault {
  const original = target[method];
  if (typeof original !== 'function') {
    throw new SightlineError('CHAOS_TARGET_INVALID', `injectMethodFault: ${method} is not a function on the target`, { method });
  }
  const bound = (original as unknown as (...a: unknown[]) => Promise<unknown>).bind(target);
  const wrapped = wrapFunction(bound, options, `fault on method ${method}`);
  const hadOwn = Object.prototype.hasOwnProperty.call(target, method);
  (target as Record<string, unknown>)[method] = wrapped.call;
  return {
    description: wrapped.description,
    get active() {
      return wrapped.active;
    },
    stats: () => wrapped.stats(),
    revert: async () => {
      if (!wrapped.active) return;
      await wrapped.revert();
      // Restore exactly: an inherited method is un-shadowed rather than copied onto the instance.
      if (hadOwn) (target as Record<string, unknown>)[method] = original;
      else delete (target as Record<string, unknown>)[method];
    },
  };
}
