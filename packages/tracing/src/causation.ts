import type { Attributes, Link, SpanContext, SpanKind } from '@opentelemetry/api';
import { SemanticAttributes, SightlineAttributes } from './attributes.js';

/** The part of a finished span causation needs (an SDK `ReadableSpan` fits). */
export interface FinishedSpanLike {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  readonly links: readonly Link[];
  spanContext(): SpanContext;
}

/** One message in a causation chain, with the span that handled it (or sent it, if unhandled). */
export interface CausationStep<S extends FinishedSpanLike = FinishedSpanLike> {
  readonly messageId: string;
  readonly messageType: string | undefined;
  readonly span: S;
}

/**
 * Reconstructs the chain of messages that led to `messageId`, from the first cause to `messageId`
 * itself, using the spans the domain helpers wrote (`messaging.message.id` and
 * `sightline.message.causation_id`). When a span has no causation id, its first span link to a
 * known span is followed instead. Returns `[]` when no span handled `messageId`; stops at cycles.
 * @example
 * causationChain(exporter.getFinishedSpans(), shipped.id).map((s) => s.messageType);
 * // ['PlaceOrder', 'OrderPlaced', 'ShipOrder']
 */
export function causationChain<S extends FinishedSpanLike>(spans: readonly S[], messageId: string): CausationStep<S>[] {
  const byMessage = new Map<string, S>();
  const bySpanId = new Map<string, S>();
  for (const span of spans) {
    bySpanId.set(span.spanContext().spanId, span);
    const id = span.attributes[SemanticAttributes.MESSAGING_MESSAGE_ID];
    if (typeof id !== 'string') continue;
    const known = byMessage.get(id);
    // Prefer the span that handled the message over the one that sent it.
    if (known === undefined || (isSend(known) && !isSend(span))) byMessage.set(id, span);
  }
  const chain: CausationStep<S>[] = [];
  const visited = new Set<string>();
  let span = byMessage.get(messageId);
  let id: string | undefined = messageId;
  while (span !== undefined && id !== undefined && !visited.has(id)) {
    visited.add(id);
    const type = span.attributes[SightlineAttributes.MESSAGE_TYPE];
    chain.push({ messageId: id, messageType: typeof type === 'string' ? type : undefined, span });
    const causationId = span.attributes[SightlineAttributes.MESSAGE_CAUSATION_ID];
    if (typeof causationId === 'string') {
      id = causationId;
      span = byMessage.get(causationId);
      continue;
    }
    const linked = findLinkedMessageSpan(span, bySpanId);
    span = linked;
    const linkedId = linked?.attributes[SemanticAttributes.MESSAGING_MESSAGE_ID];
    id = typeof linkedId === 'string' ? linkedId : undefined;
  }
  return chain.reverse();
}

function isSend(span: FinishedSpanLike): boolean {
  return span.attributes[SemanticAttributes.MESSAGING_OPERATION_TYPE] === 'send';
}

function findLinkedMessageSpan<S extends FinishedSpanLike>(span: S, bySpanId: ReadonlyMap<string, S>): S | undefined {
  for (const link of span.links) {
    let candidate = bySpanId.get(link.context.spanId);
    // The linked span may be an undecorated span inside a handler: climb to its message span.
    while (candidate !== undefined && typeof candidate.attributes[SemanticAttributes.MESSAGING_MESSAGE_ID] !== 'string') {
      const parentId = (candidate as { parentSpanContext?: SpanContext }).parentSpanContext?.spanId;
      candidate = parentId === undefined ? undefined : bySpanId.get(parentId);
    }
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}
