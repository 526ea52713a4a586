import { context as otelContext, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span, Tracer } from '@opentelemetry/api';
import { IssueCollector } from '@sightline/core';
import { SemanticAttributes, SightlineAttributes } from './attributes.js';
import { addAttribution, defaultTracer, runInSpan } from './internal/run-in-span.js';
import { extractMessageContext, setCurrentMessage } from './message.js';
import type { MessageKind, MessageLike } from './message.js';

/** Options shared by every domain helper. */
export interface DomainSpanOptions {
  /** Tracer to use. Default: `@sightline/tracing` from the global tracer provider. */
  readonly tracer?: Tracer;
  /** Override the helper's span kind. */
  readonly kind?: SpanKind;
  /** Extra attributes, set at span start (so samplers see them). */
  readonly attributes?: Attributes;
}

/** Options of the message helpers ({@link traceCommand}, {@link traceEvent}, {@link traceQuery}). */
export interface MessageSpanOptions extends DomainSpanOptions {
  /** `messaging.system` (e.g. `kafka`, `rabbitmq`); omitted when not given. */
  readonly system?: string;
  /**
   * Where the span's parent comes from: `active` (default) keeps the active context as parent
   * and links to the message's causing span; `message` makes the causing span the parent too.
   */
  readonly parent?: 'active' | 'message';
}

/** The aggregate a step runs on. */
export interface AggregateStep {
  /** Aggregate type, e.g. `Order`. */
  readonly type: string;
  readonly id: string;
  /** Operation on the aggregate, e.g. `place`. */
  readonly operation: string;
  /** Aggregate version (a non-negative integer), when known. */
  readonly version?: number;
}

/** A saga (process manager) step. */
export interface SagaStep {
  /** Saga name, e.g. `Checkout`. */
  readonly name: string;
  /** Saga instance id. */
  readonly id: string;
  /** Step name, e.g. `reserveStock`. */
  readonly step: string;
}

/**
 * Handles a command in a span named `command <type>`, kind CONSUMER (the command was delivered to
 * its handler), with `messaging.message.id`, `messaging.message.conversation_id` (the correlation
 * id), `sightline.message.*` and the attribution in context. When the message carries a
 * `traceparent`, the span links to the span that sent it. A throw or rejection is recorded
 * (exception event, `error.type`, ERROR status) and rethrown unchanged. Returns what the handler
 * returns (a promise for an async handler).
 * @example
 * await traceCommand(placeOrder, async () => orders.place(placeOrder.payload));
 */
export function traceCommand<R>(command: MessageLike, handler: (span: Span) => R, options?: MessageSpanOptions): R {
  return traceMessage('command', SpanKind.CONSUMER, command, handler, options);
}

/** Handles an event in a span named `event <type>`, kind CONSUMER; otherwise as {@link traceCommand}. */
export function traceEvent<R>(event: MessageLike, handler: (span: Span) => R, options?: MessageSpanOptions): R {
  return traceMessage('event', SpanKind.CONSUMER, event, handler, options);
}

/**
 * Answers a query in a span named `query <type>`, kind INTERNAL (an in-process read; pass
 * `kind: SpanKind.SERVER` when no transport span exists); otherwise as {@link traceCommand}.
 */
export function traceQuery<R>(query: MessageLike, handler: (span: Span) => R, options?: MessageSpanOptions): R {
  return traceMessage('query', SpanKind.INTERNAL, query, handler, options);
}

/**
 * Sends a message in a span named `send <type>`, kind PRODUCER. Create the envelope inside the
 * handler (`createMessage`) so its headers point at this span.
 */
export function tracePublish<R>(message: MessageLike & { readonly kind: MessageKind }, handler: (span: Span) => R, options?: MessageSpanOptions): R {
  validateMessage(message, 'tracePublish');
  const ctx = otelContext.active();
  const attributes = messageAttributes(message.kind, message, options);
  attributes[SemanticAttributes.MESSAGING_OPERATION_TYPE] = 'send';
  addAttribution(attributes, ctx);
  return runInSpan(options?.tracer ?? defaultTracer(), `send ${message.type}`, options?.kind ?? SpanKind.PRODUCER, attributes, undefined, ctx, undefined, handler);
}

/**
 * Runs one aggregate operation in a span named `aggregate <type>.<operation>`, kind INTERNAL, with
 * `sightline.aggregate.type`, `.id` and `.version`. Throws `TRACING_STEP_INVALID` for empty names
 * or a version that is not a non-negative integer.
 */
export function traceAggregateStep<R>(step: AggregateStep, handler: (span: Span) => R, options?: DomainSpanOptions): R {
  const issues = new IssueCollector();
  requireName(issues, step?.type, 'type');
  requireName(issues, step?.id, 'id');
  requireName(issues, step?.operation, 'operation');
  if (step?.version !== undefined && (!Number.isInteger(step.version) || step.version < 0)) {
    issues.add(['version'], `must be a non-negative integer, got ${String(step.version)}`, 'STEP_VERSION');
  }
  issues.throwIfAny('TRACING_STEP_INVALID', 'traceAggregateStep');
  const ctx = otelContext.active();
  const attributes: Attributes = { ...options?.attributes };
  attributes[SightlineAttributes.AGGREGATE_TYPE] = step.type;
  attributes[SightlineAttributes.AGGREGATE_ID] = step.id;
  if (step.version !== undefined) attributes[SightlineAttributes.AGGREGATE_VERSION] = step.version;
  addAttribution(attributes, ctx);
  return runInSpan(options?.tracer ?? defaultTracer(), `aggregate ${step.type}.${step.operation}`, options?.kind ?? SpanKind.INTERNAL, attributes, undefined, ctx, undefined, handler);
}

/**
 * Runs one saga step in a span named `saga <name>.<step>`, kind INTERNAL, with
 * `sightline.saga.name`, `.id` and `.step`. Throws `TRACING_STEP_INVALID` for empty names.
 */
export function traceSagaStep<R>(step: SagaStep, handler: (span: Span) => R, options?: DomainSpanOptions): R {
  const issues = new IssueCollector();
  requireName(issues, step?.name, 'name');
  requireName(issues, step?.id, 'id');
  requireName(issues, step?.step, 'step');
  issues.throwIfAny('TRACING_STEP_INVALID', 'traceSagaStep');
  const ctx = otelContext.active();
  const attributes: Attributes = { ...options?.attributes };
  attributes[SightlineAttributes.SAGA_NAME] = step.name;
  attributes[SightlineAttributes.SAGA_ID] = step.id;
  attributes[SightlineAttributes.SAGA_STEP] = step.step;
  addAttribution(attributes, ctx);
  return runInSpan(options?.tracer ?? defaultTracer(), `saga ${step.name}.${step.step}`, options?.kind ?? SpanKind.INTERNAL, attributes, undefined, ctx, undefined, handler);
}

function traceMessage<R>(kind: MessageKind, defaultKind: SpanKind, message: MessageLike, handler: (span: Span) => R, options: MessageSpanOptions | undefined): R {
  validateMessage(message, `trace${kind[0]?.toUpperCase() ?? ''}${kind.slice(1)}`);
  const active = otelContext.active();
  const attributes = messageAttributes(kind, message, options);
  if (kind !== 'query') attributes[SemanticAttributes.MESSAGING_OPERATION_TYPE] = 'process';
  addAttribution(attributes, active);

  let links: Link[] | undefined;
  let parent = active;
  if (message.headers !== undefined && message.headers.traceparent !== undefined) {
    const remote = trace.getSpanContext(extractMessageContext(message));
    if (remote !== undefined) {
      links = [{ context: remote }];
      if (options?.parent === 'message') parent = trace.setSpanContext(active, remote);
    }
  }
  const id = message.id;
  const extra = id === undefined ? undefined : (ctx: Context): Context => setCurrentMessage(ctx, { id, correlationId: message.correlationId ?? id });
  return runInSpan(options?.tracer ?? defaultTracer(), `${kind} ${message.type}`, options?.kind ?? defaultKind, attributes, links, parent, extra, handler);
}

function messageAttributes(kind: MessageKind, message: MessageLike, options: MessageSpanOptions | undefined): Attributes {
  const attributes: Attributes = options?.attributes === undefined ? {} : { ...options.attributes };
  attributes[SightlineAttributes.MESSAGE_KIND] = kind;
  attributes[SightlineAttributes.MESSAGE_TYPE] = message.type;
  if (options?.system !== undefined) attributes[SemanticAttributes.MESSAGING_SYSTEM] = options.system;
  if (message.id !== undefined) attributes[SemanticAttributes.MESSAGING_MESSAGE_ID] = message.id;
  const correlationId = message.correlationId ?? message.id;
  if (correlationId !== undefined) attributes[SemanticAttributes.MESSAGING_MESSAGE_CONVERSATION_ID] = correlationId;
  if (message.causationId !== undefined) attributes[SightlineAttributes.MESSAGE_CAUSATION_ID] = message.causationId;
  return attributes;
}

function validateMessage(message: MessageLike, where: string): void {
  if (typeof message === 'object' && message !== null && typeof message.type === 'string' && message.type !== '') return;
  const issues = new IssueCollector();
  if (typeof message !== 'object' || message === null) issues.add([], 'the message must be an object with a "type"', 'MESSAGE_NOT_OBJECT');
  else issues.add(['type'], 'must be a non-empty string such as "PlaceOrder"', 'MESSAGE_TYPE');
  issues.throwIfAny('TRACING_MESSAGE_INVALID', where);
}

function requireName(issues: IssueCollector, value: unknown, key: string): void {
  if (typeof value !== 'string' || value === '') issues.add([key], 'must be a non-empty string', 'STEP_NAME');
}
