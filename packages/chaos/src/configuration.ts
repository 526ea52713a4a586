import { IssueCollector } from '@sightline/core';
import type { Experiment, Provider } from './experiment.js';

/** Configuration and secrets of an experiment once read from the environment. */
export interface ResolvedConfiguration {
  readonly configuration: Readonly<Record<string, unknown>>;
  /** scope → name → value. */
  readonly secrets: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Reads an experiment's `configuration` and `secrets` (Chaos Toolkit): literals as they are,
 * `{ type: env, key, default?, env_var_type? }` from `env`. Every missing variable (without a
 * default) and every value that does not convert is reported, then one `ValidationError` with
 * code `CHAOS_CONFIGURATION_INVALID` is thrown (issue codes `CHAOS_ENV_MISSING`,
 * `CHAOS_ENV_TYPE`).
 */
export function resolveConfiguration(experiment: Experiment, env: Readonly<Record<string, string | undefined>>): ResolvedConfiguration {
  const issues = new IssueCollector();
  const configuration: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(experiment.configuration ?? {})) configuration[key] = resolveValue(value, ['configuration', key], env, issues);
  const secrets: Record<string, Record<string, unknown>> = {};
  for (const [scope, entries] of Object.entries(experiment.secrets ?? {})) {
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entries)) resolved[key] = resolveValue(value, ['secrets', scope, key], env, issues);
    secrets[scope] = resolved;
  }
  issues.throwIfAny('CHAOS_CONFIGURATION_INVALID', `configuration of experiment "${experiment.title}"`);
  return { configuration, secrets };
}

function resolveValue(value: unknown, path: (string | number)[], env: Readonly<Record<string, string | undefined>>, issues: IssueCollector): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { type?: unknown }).type !== 'env') return value;
  const ref = value as { key: string; default?: unknown; env_var_type?: string };
  const raw = env[ref.key];
  if (raw === undefined) {
    if (ref.default !== undefined) return ref.default;
    issues.add(path, `environment variable ${ref.key} is not set (and no "default" is given); set it before running`, 'CHAOS_ENV_MISSING');
    return undefined;
  }
  switch (ref.env_var_type) {
    case 'int':
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (ref.env_var_type === 'int' && !Number.isInteger(n))) issues.add(path, `environment variable ${ref.key}="${raw}" is not ${ref.env_var_type === 'int' ? 'an integer' : 'a number'}`, 'CHAOS_ENV_TYPE');
      return n;
    }
    case 'bool':
      return ['true', '1', 'yes', 'on'].includes(raw.trim().toLowerCase());
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        issues.add(path, `environment variable ${ref.key} is not valid JSON`, 'CHAOS_ENV_TYPE');
        return undefined;
      }
    default:
      return raw;
  }
}

/**
 * Fills `${name}` placeholders in every string of `value` from `values` (Chaos Toolkit
 * substitution). A string that is exactly one placeholder takes the value with its type; an
 * unknown name is left as written.
 */
export function substitute<T>(value: T, values: Readonly<Record<string, unknown>>): T {
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    if (whole && Object.hasOwn(values, whole[1] ?? '')) return values[whole[1] ?? ''] as T;
    return value.replace(/\$\{([^}]+)\}/g, (text, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : text)) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => substitute(v, values)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)])) as T;
  return value;
}

/** The names a provider's strings may use: the configuration, then the secrets of the scopes it lists. */
export function valuesFor(provider: Provider, resolved: ResolvedConfiguration): Record<string, unknown> {
  const values: Record<string, unknown> = { ...resolved.configuration };
  for (const scope of provider.secrets ?? []) Object.assign(values, resolved.secrets[scope] ?? {});
  return values;
}
