import { IssueCollector, type Labels } from '@sightline/core';
import type { Silence } from '../http/api-types.js';

// A silence as stored is what the API answers and the page reads: declared once, in the shared API types.
export type { Silence } from '../http/api-types.js';

/** Whether `silence` is in force at `nowMs` and matches `labels`. */
export function silences(silence: Silence, labels: Labels, nowMs: number): boolean {
  if (nowMs < silence.startsAt || nowMs >= silence.endsAt) return false;
  for (const [name, value] of Object.entries(silence.matchers)) if (labels[name] !== value) return false;
  return true;
}

/** What a caller sends to create a silence. */
export interface SilenceInput {
  matchers: Record<string, string>;
  comment: string;
  createdBy: string;
  endsAt: number;
  startsAt?: number;
}

/** Validates untrusted input; throws `SILENCE_INVALID` listing every problem. */
export function parseSilenceInput(input: unknown, nowMs: number): SilenceInput {
  const issues = new IssueCollector();
  const value = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const known = new Set(['matchers', 'comment', 'createdBy', 'endsAt', 'startsAt']);
  for (const key of Object.keys(value)) if (!known.has(key)) issues.add([key], `unknown field; expected ${[...known].join(', ')}`, 'UNKNOWN_FIELD');
  const matchers = value.matchers;
  if (typeof matchers !== 'object' || matchers === null || Array.isArray(matchers) || Object.keys(matchers).length === 0) {
    issues.add(['matchers'], 'must be a non-empty object of label → value', 'SILENCE_MATCHERS');
  } else {
    for (const [k, v] of Object.entries(matchers)) if (typeof v !== 'string') issues.add(['matchers', k], 'must be a string', 'SILENCE_MATCHERS');
  }
  if (typeof value.comment !== 'string' || value.comment.trim() === '') issues.add(['comment'], 'must say why (non-empty string)', 'SILENCE_COMMENT');
  if (typeof value.createdBy !== 'string' || value.createdBy.trim() === '') issues.add(['createdBy'], 'must be a non-empty string', 'SILENCE_CREATED_BY');
  const startsAt = value.startsAt === undefined ? nowMs : value.startsAt;
  if (typeof startsAt !== 'number' || !Number.isFinite(startsAt)) issues.add(['startsAt'], 'must be epoch ms', 'SILENCE_TIME');
  if (typeof value.endsAt !== 'number' || !Number.isFinite(value.endsAt) || value.endsAt <= nowMs || (typeof startsAt === 'number' && value.endsAt <= startsAt)) {
    issues.add(['endsAt'], 'must be epoch ms in the future and after startsAt', 'SILENCE_TIME');
  }
  issues.throwIfAny('SILENCE_INVALID', 'Invalid silence');
  return { matchers: matchers as Record<string, string>, comment: value.comment as string, createdBy: value.createdBy as string, endsAt: value.endsAt as number, startsAt: startsAt as number };
}
