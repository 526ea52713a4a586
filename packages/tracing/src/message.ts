import { randomUUID } from 'node:crypto';
import { context as otelContext, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { IssueCollector } from '@sightline/core';
import { W3CPropagator } from './w3c-propagator.js';

/** What a message asks or tells: a command (do this), an event (this happened), a query (tell me). */
export type MessageKind = 'command' | 'event' | 'query';

/** The kinds, in a stable order. */
export const MESSAGE_KINDS: readonly MessageKind[] = Object.freeze(['command', 'event', 'query']);

/**
 * A message as it travels between handlers, processes and brokers: plain JSON-serialisable data.
 * `headers` carries the W3C `traceparent`/`tracestate`/`baggage` of the span that created it.
 */
export interface MessageEnvelope<P = unknown> {
  readonly kind: MessageKind;
  /** Message type, e.g. `PlaceOrder`, `OrderPlaced`. */
  readonly type: string;
  /** Unique id of this message. */
  readonly id: string;
  /** Id shared by every message of one conversation: the id of the first message. */
  readonly correlationId: string;
  /** Id of the message whose handling produced this one; absent on the first message. */
  readonly causationId?: string;
  readonly payload: P;
  readonly headers: Readonly<Record<string, string>>;
}

/** The least a domain helper needs to know about a message. */
export interface MessageLike {
  readonly type: string;
  readonly id?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Ids of the message being handled, kept in the context so new messages can name their cause. */
export interface MessageIds {
  readonly id: string;
  readonly correlationId: string;
}

/** Options of {@link createMessage}. */
export interface CreateMessageOptions {
  /** The message that caused this one. Default: the message handled in the active context, if any. */
  readonly causedBy?: Pick<MessageEnvelope, 'id' | 'correlationId'>;
  /** The id to use. Default: a random UUID. */
  readonly id?: string;
  /** Context whose span and baggage go into `headers`. Default: the active context. */
  readonly context?: Context;
}

const CURRENT_MESSAGE_KEY = createContextKey('sightline.message');
const envelopePropagator = new W3CPropagator();

const recordSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const recordGetter: TextMapGetter<Readonly<Record<string, string>>> = {
  get(carrier, key) {
    return Object.prototype.hasOwnProperty.call(carrier, key) ? carrier[key] : undefined;
  },
  keys(carrier) {
    return Object.keys(carrier);
  },
};

/**
 * Creates a message envelope that carries its correlation id, its causation id and the trace
 * context of the active span, so the handler of this message can link back to the span that
 * caused it, in this process or another. Throws `TRACING_MESSAGE_INVALID` for an unknown kind or
 * an empty type or id.
 * @example
 * // inside traceCommand(placeOrder, ...): causation and correlation come from placeOrder
 * const placed = createMessage('event', 'OrderPlaced', { orderId: 'o-1' });
 */
export function createMessage<P>(kind: MessageKind, type: string, payload: P, options: CreateMessageOptions = {}): MessageEnvelope<P> {
  const issues = new IssueCollector();
  if (!MESSAGE_KINDS.includes(kind)) issues.add(['kind'], `must be one of ${MESSAGE_KINDS.join(', ')}, got ${JSON.stringify(kind)}`, 'MESSAGE_KIND');
  if (typeof type !== 'string' || type.trim() === '') issues.add(['type'], 'must be a non-empty string such as "PlaceOrder"', 'MESSAGE_TYPE');
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) issues.add(['id'], 'must be a non-empty string', 'MESSAGE_ID');
  issues.throwIfAny('TRACING_MESSAGE_INVALID', `createMessage(${JSON.stringify(kind)}, ${JSON.stringify(type)})`);

  const ctx = options.context ?? otelContext.active();
  const cause = options.causedBy ?? currentMessage(ctx);
  const id = options.id ?? randomUUID();
  const headers: Record<string, string> = {};
  envelopePropagator.inject(ctx, headers, recordSetter);
  const message: { -readonly [K in keyof MessageEnvelope<P>]: MessageEnvelope<P>[K] } = {
    kind,
    type,
    id,
    correlationId: cause?.correlationId ?? id,
    payload,
    headers: Object.freeze(headers),
  };
  if (cause !== undefined) message.causationId = cause.id;
  return Object.freeze(message);
}

/**
 * Validates a deserialized envelope (e.g. `JSON.parse` of a broker payload). Throws
 * `TRACING_MESSAGE_INVALID` listing every problem with its path. Unknown header values that are not
 * strings are rejected; invalid trace headers are kept and later ignored by extraction.
 */
export function parseMessage(input: unknown): MessageEnvelope {
  const issues = new IssueCollector();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    issues.add([], 'a message envelope must be an object', 'MESSAGE_NOT_OBJECT');
    issues.throwIfAny('TRACING_MESSAGE_INVALID', 'Invalid message envelope');
  }
  const value = input as Record<string, unknown>;
  if (!MESSAGE_KINDS.includes(value.kind as MessageKind)) issues.add(['kind'], `must be one of ${MESSAGE_KINDS.join(', ')}`, 'MESSAGE_KIND');
  for (const key of ['type', 'id', 'correlationId'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') issues.add([key], 'must be a non-empty string', 'MESSAGE_FIELD');
  }
  if (value.causationId !== undefined && (typeof value.causationId !== 'string' || value.causationId === '')) {
    issues.add(['causationId'], 'must be a non-empty string when present', 'MESSAGE_FIELD');
  }
  if (!('payload' in value)) issues.add(['payload'], 'is required (use null for none)', 'MESSAGE_PAYLOAD');
  const headers = value.headers;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    issues.add(['headers'], 'must be an object of string values', 'MESSAGE_HEADERS');
  } else {
    for (const [key, header] of Object.entries(headers)) {
      if (typeof header !== 'string') issues.add(['headers', key], 'must be a string', 'MESSAGE_HEADERS');
    }
  }
  issues.throwIfAny('TRACING_MESSAGE_INVALID', 'Invalid message envelope');
  const message: { -readonly [K in keyof MessageEnvelope]: MessageEnvelope[K] } = {
    kind: value.kind as MessageKind,
    type: value.type as string,
    id: value.id as string,
    correlationId: value.correlationId as string,
    payload: value.payload,
    headers: Object.freeze({ ...(headers as Record<string, string>) }),
  };
  if (typeof value.causationId === 'string') message.causationId = value.causationId;
  return Object.freeze(message);
}

/**
 * The context carried by a message's headers (remote span context and baggage) on top of `base`
 * (default: the root context). Invalid headers are ignored; this never throws.
 */
export function extractMessageContext(message: Pick<MessageLike, 'headers'>, base: Context = ROOT_CONTEXT): Context {
  if (message.headers === undefined) return base;
  return envelopePropagator.extract(base, message.headers, recordGetter);
}

/** The ids of the message handled in `ctx` (default: active context), if any. */
export function currentMessage(ctx: Context = otelContext.active()): MessageIds | undefined {
  return ctx.getValue(CURRENT_MESSAGE_KEY) as MessageIds | undefined;
}

/** Returns `ctx` with `ids` as the message being handled. */
export function setCurrentMessage(ctx: Context, ids: MessageIds): Context {
  return ctx.setValue(CURRENT_MESSAGE_KEY, ids);
}
