/** The JSON shape of an error in a log line. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string | number;
  cause?: SerializedError | unknown;
  /** The inner errors of an `AggregateError`. */
  errors?: (SerializedError | unknown)[];
  [key: string]: unknown;
}

/** Causes nested deeper than this are cut: a cause cycle or a runaway chain must not hang the logger. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Turns an `Error` into plain JSON data: name, message, stack, `code`, own enumerable fields,
 * the whole `cause` chain and the `errors` of an `AggregateError`. Cycles end in `'[Circular]'`.
 */
export function serializeError(error: Error): SerializedError {
  return serializeAt(error, 0, []);
}

function serializeAt(error: Error, depth: number, ancestors: Error[]): SerializedError {
  const out: SerializedError = { name: error.name, message: error.message };
  if (typeof error.stack === 'string') out.stack = error.stack;
  // Own enumerable fields (code, statusCode, details...) carry the facts; keep them, except the ones handled below.
  for (const key of Object.keys(error)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message' || key === 'name') continue;
    out[key] = (error as unknown as Record<string, unknown>)[key];
  }
  ancestors.push(error);
  if ('cause' in error && error.cause !== undefined) out.cause = serializeLinked(error.cause, depth, ancestors);
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    out.errors = error.errors.map((inner: unknown) => serializeLinked(inner, depth, ancestors));
  }
  ancestors.pop();
  return out;
}

function serializeLinked(value: unknown, depth: number, ancestors: Error[]): unknown {
  if (!(value instanceof Error)) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (depth + 1 >= MAX_CAUSE_DEPTH) return '[Cause chain too deep]';
  return serializeAt(value, depth + 1, ancestors);
}
