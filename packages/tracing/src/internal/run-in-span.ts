import { context as otelContext, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Exception, Link, Span, SpanKind, Tracer, TracerProvider } from '@opentelemetry/api';
import { SemanticAttributes } from '../attributes.js';
import { attributionAttributes } from '../attribution.js';

const TRACER_NAME = '@sightline/tracing';
const TRACER_VERSION = '0.1.0';

let cachedProvider: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;

/** The package's tracer from the global provider, re-resolved when the global provider changes. */
export function defaultTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (provider !== cachedProvider || cachedTracer === undefined) {
    cachedProvider = provider;
    cachedTracer = provider.getTracer(TRACER_NAME, TRACER_VERSION);
  }
  return cachedTracer;
}

/** Copies the attribution carried by `ctx` into `attributes` (which the caller owns). */
export function addAttribution(attributes: Attributes, ctx: Context): void {
  const attribution = attributionAttributes(ctx);
  for (const key in attribution) attributes[key] = attribution[key];
}

/**
 * The value of `error.type` for a thrown value: a string `code` (e.g. a SightlineError code) when
 * present, else the error's name, else `_OTHER` as the semantic conventions prescribe.
 */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return '_OTHER';
}

/** Records `error` on `span`: exception event, `error.type`, ERROR status with the message. */
export function recordFailure(span: Span, error: unknown): void {
  const exception: Exception = error instanceof Error ? error : String(error);
  span.recordException(exception);
  span.setAttribute(SemanticAttributes.ERROR_TYPE, errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Starts a span, runs `handler` with the span active in `spanContext(parent + span)`, and ends it
 * when the handler returns or its promise settles. Failures are recorded and rethrown unchanged.
 */
export function runInSpan<R>(
  tracer: Tracer,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  links: Link[] | undefined,
  parent: Context,
  activeExtra: ((ctx: Context) => Context) | undefined,
  handler: (span: Span) => R,
): R {
  const span = links === undefined ? tracer.startSpan(name, { kind, attributes }, parent) : tracer.startSpan(name, { kind, attributes, links }, parent);
  let active = trace.setSpan(parent, span);
  if (activeExtra !== undefined) active = activeExtra(active);
  let result: R;
  try {
    result = otelContext.with(active, handler, undefined, span);
  } catch (error) {
    recordFailure(span, error);
    span.end();
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordFailure(span, error);
        span.end();
        throw error;
      },
    ) as R;
  }
  span.end();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
