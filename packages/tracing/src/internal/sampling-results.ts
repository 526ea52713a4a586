import { SamplingDecision } from '@opentelemetry/api';
import type { SamplingResult } from '@opentelemetry/api';

// Shared, frozen results: a decision allocates nothing.
export const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
export const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
export const RECORD_ONLY: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });
