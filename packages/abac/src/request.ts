/** One access question: may `subject` do `action` on `resource` in `context`? */
export interface AccessRequest {
  /** Who asks: a `Principal` from @sightline/core, or any object with an `id` and attributes. */
  readonly subject: Readonly<Record<string, unknown>>;
  readonly action: string;
  /** What is acted on: `type` is required, every other property is an attribute. */
  readonly resource: Readonly<{ type: string } & Record<string, unknown>>;
  /** Circumstances: ip, mfa, network zone, time... */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** What {@link lookup} returns when a path leads nowhere: a unique marker, never a request value. */
export const MISSING: unique symbol = Symbol('missing');

/**
 * Reads a compiled attribute path (e.g. `['subject', 'team']`) from a request; {@link MISSING}
 * when absent (or `undefined`). Only own properties are read: `__proto__`, `constructor` and
 * other inherited names are simply missing, so a request can never reach `Object.prototype`.
 * Allocates nothing: it runs several times per decision.
 */
export function lookup(request: AccessRequest, path: readonly string[]): unknown {
  let current: unknown = request;
  for (let i = 0; i < path.length; i++) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return MISSING;
    const key = path[i]!;
    if (!Object.hasOwn(current, key)) return MISSING;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined ? MISSING : current;
}

/** A short name for the JSON type of a value, for explanations ("number", "array", "null"...). */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
