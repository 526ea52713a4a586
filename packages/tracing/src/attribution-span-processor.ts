import type { Attributes, Context } from '@opentelemetry/api';
import { attributionAttributes } from './attribution.js';

/** The part of an SDK span the attribution processor touches (structural, so no SDK import). */
export interface AttributableSpan {
  setAttributes(attributes: Attributes): unknown;
}

/**
 * An SDK `SpanProcessor` that stamps the attribution carried in the parent context (principal and
 * business context) on every span started below it, including spans from auto-instrumentation
 * that never went through the domain helpers. Register it on the tracer provider:
 * `new BasicTracerProvider({ spanProcessors: [new AttributionSpanProcessor(), ...] })`.
 */
export class AttributionSpanProcessor {
  onStart(span: AttributableSpan, parentContext: Context): void {
    const attributes = attributionAttributes(parentContext);
    for (const _key in attributes) {
      span.setAttributes(attributes);
      return;
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
