import { SightlineError } from '@sightline/core';

/** The toxic types toxiproxy defines, with the same names and attributes. */
export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'slicer', 'limit_data', 'reset_peer'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

/** `upstream` is client → server data, `downstream` is server → client (toxiproxy's meaning). */
export type ToxicStream = 'upstream' | 'downstream';

/**
 * A toxic, in toxiproxy's JSON shape. Attributes (all numbers):
 * latency `{latency ms, jitter ms}`, bandwidth `{rate KB/s}`, slow_close `{delay ms}`,
 * timeout `{timeout ms; 0 = never close}`, slicer `{average_size bytes, size_variation bytes, delay µs}`,
 * limit_data `{bytes}`, reset_peer `{timeout ms}`.
 */
export interface Toxic {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: ToxicStream;
  /** Probability 0..1 that the toxic applies to a given connection. */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

/** What a caller passes to create a toxic; name, stream, toxicity and attributes have defaults. */
export interface ToxicInput {
  readonly name?: string;
  readonly type: string;
  readonly stream?: string;
  readonly toxicity?: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

const ATTRIBUTES: Record<ToxicType, readonly string[]> = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  slicer: ['average_size', 'size_variation', 'delay'],
  limit_data: ['bytes'],
  reset_peer: ['timeout'],
};

/** Validates a toxic and fills toxiproxy's defaults (stream downstream, toxicity 1, name `<type>_<stream>`). */
export function normalizeToxic(input: unknown, existing?: Toxic): Toxic {
  const problems: string[] = [];
  const doc = (typeof input === 'object' && input !== null ? input : {}) as Partial<Record<keyof ToxicInput, unknown>>;
  const type = doc.type ?? existing?.type;
  if (typeof type !== 'string' || !(TOXIC_TYPES as readonly string[]).includes(type)) problems.push(`type must be one of ${TOXIC_TYPES.join(', ')}`);
  const stream = doc.stream ?? existing?.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') problems.push('stream must be "upstream" or "downstream"');
  const toxicity = doc.toxicity ?? existing?.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) problems.push('toxicity must be a number 0..1');
  const name = doc.name ?? existing?.name ?? `${String(type)}_${String(stream)}`;
  if (typeof name !== 'string' || name === '') problems.push('name must be a non-empty string');
  const attributes: Record<string, number> = { ...(existing?.attributes ?? {}) };
  const given = doc.attributes ?? {};
  if (typeof given !== 'object' || given === null) problems.push('attributes must be an object');
  else if (typeof type === 'string' && type in ATTRIBUTES) {
    for (const key of ATTRIBUTES[type as ToxicType]) {
      const v = (given as Record<string, unknown>)[key] ?? attributes[key] ?? 0;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`attributes.${key} must be a number >= 0`);
      else attributes[key] = v;
    }
    for (const key of Object.keys(given)) if (!ATTRIBUTES[type as ToxicType].includes(key)) problems.push(`attributes.${key} is not an attribute of ${type}`);
  }
  if (problems.length > 0) {
    throw new SightlineError('CHAOS_TOXIC_INVALID', `toxic is invalid: ${problems.join('; ')}`, { problems });
  }
  return { name: name as string, type: type as ToxicType, stream: stream as ToxicStream, toxicity: toxicity as number, attributes };
}
