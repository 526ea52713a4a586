export { SemanticAttributes, SightlineAttributes } from './attributes.js';
export {
  setPrincipal,
  setBusinessContext,
  getPrincipal,
  getBusinessContext,
  attributionAttributes,
  withAttribution,
} from './attribution.js';
export type { BusinessContext } from './attribution.js';
export { AttributionSpanProcessor } from './attribution-span-processor.js';
export type { AttributableSpan } from './attribution-span-processor.js';
export { traceCommand, traceEvent, traceQuery, tracePublish, traceAggregateStep, traceSagaStep } from './domain-spans.js';
export type { DomainSpanOptions, MessageSpanOptions, AggregateStep, SagaStep } from './domain-spans.js';
export { traceGenAi, recordGenAiUsage } from './gen-ai.js';
export type { GenAiRequest, GenAiUsage } from './gen-ai.js';
export { MESSAGE_KINDS, createMessage, parseMessage, extractMessageContext, currentMessage, setCurrentMessage } from './message.js';
export type { MessageKind, MessageEnvelope, MessageLike, MessageIds, CreateMessageOptions } from './message.js';
export { causationChain } from './causation.js';
export type { FinishedSpanLike, CausationStep } from './causation.js';
export {
  W3CPropagator,
  parseTraceparent,
  formatTraceparent,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  BAGGAGE_HEADER,
} from './w3c-propagator.js';
export type { Traceparent, W3CPropagatorOptions } from './w3c-propagator.js';
export {
  W3CTraceState,
  isValidTraceStateKey,
  isValidTraceStateValue,
  TRACESTATE_MAX_MEMBERS,
  TRACESTATE_MAX_LENGTH,
} from './trace-state.js';
export { parseBaggage, serializeBaggage, BAGGAGE_MAX_MEMBERS, BAGGAGE_MAX_BYTES } from './baggage-codec.js';
export { ConsistentRatioSampler } from './samplers/consistent-ratio-sampler.js';
export { ParentBasedSampler, parentBasedRatioSampler } from './samplers/parent-based-sampler.js';
export { RateLimitedSampler } from './samplers/rate-limited-sampler.js';
export type { RateLimitedSamplerOptions } from './samplers/rate-limited-sampler.js';
export { AdaptiveSampler } from './samplers/adaptive-sampler.js';
export type { AdaptiveSamplerOptions } from './samplers/adaptive-sampler.js';
export { ErrorBiasedSampler } from './samplers/error-biased-sampler.js';
export type { ErrorBiasedSamplerOptions } from './samplers/error-biased-sampler.js';
export { TailKeepSpanProcessor } from './samplers/tail-keep-span-processor.js';
export type { TailSpan, TailSpanExporter, TailKeepSpanProcessorOptions } from './samplers/tail-keep-span-processor.js';
