/**
 * Chaos Mesh's admission checks for NetworkChaos (its validating webhook, v2.x), restated for
 * tests: a manifest can pass the CRD schema and still be refused when it is created.
 * - netem actions (every action but `partition`) with direction `from` or `both` need a `target`,
 *   and cannot be combined with `externalTargets`;
 * - delay `latency`/`jitter` parse as Go durations, `correlation`, `loss` as floats;
 * - bandwidth `rate` is a number with a bps/kbps/mbps/gbps/tbps unit;
 * - `value` fits `mode` (fixed: integer > 0; fixed-percent, random-max-percent: integer 1..100),
 *   for the selected pods and for the target side alike.
 */
export function networkChaosAdmissionErrors(manifest: Record<string, unknown>): string[] {
  if (manifest.kind !== 'NetworkChaos') return [];
  const spec = (manifest.spec ?? {}) as Record<string, unknown>;
  const errors: string[] = [];
  const action = spec.action as string;
  const direction = (spec.direction as string | undefined) ?? 'to'; // the webhook defaults it to `to`
  if (action !== 'partition' && (direction === 'from' || direction === 'both')) {
    if (spec.target === undefined) errors.push(`spec.direction: "${direction}" cannot be used without a target in a netem action`);
    if (spec.externalTargets !== undefined) errors.push(`spec.direction: "${direction}" cannot be used with externalTargets in a netem action`);
  }
  if (spec.duration !== undefined && !isGoDuration(spec.duration)) errors.push('spec.duration: not a Go duration');
  const delay = spec.delay as Record<string, unknown> | undefined;
  if (delay) {
    if (!isGoDuration(delay.latency)) errors.push('spec.delay.latency: not a Go duration');
    if (delay.jitter !== undefined && !isGoDuration(delay.jitter)) errors.push('spec.delay.jitter: not a Go duration');
    if (delay.correlation !== undefined && !isFloat(delay.correlation)) errors.push('spec.delay.correlation: not a float');
  }
  const loss = spec.loss as Record<string, unknown> | undefined;
  if (loss) {
    if (!isFloat(loss.loss)) errors.push('spec.loss.loss: not a float');
    if (loss.correlation !== undefined && !isFloat(loss.correlation)) errors.push('spec.loss.correlation: not a float');
  }
  const bandwidth = spec.bandwidth as Record<string, unknown> | undefined;
  if (bandwidth && !(typeof bandwidth.rate === 'string' && /^\s*\d+\s*(bps|kbps|mbps|gbps|tbps)\s*$/i.test(bandwidth.rate))) errors.push('spec.bandwidth.rate: not a rate such as "1mbps"');
  errors.push(...modeErrors(spec.mode, spec.value, 'spec.value'));
  const target = spec.target as Record<string, unknown> | undefined;
  if (target) errors.push(...modeErrors(target.mode, target.value, 'spec.target.value'));
  return errors;
}

function modeErrors(mode: unknown, value: unknown, where: string): string[] {
  if (mode === 'one' || mode === 'all') return [];
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (mode === 'fixed') return n > 0 ? [] : [`${where}: must be an integer > 0 for mode fixed`];
  if (mode === 'fixed-percent' || mode === 'random-max-percent') return n >= 1 && n <= 100 ? [] : [`${where}: must be an integer in 1..100 for mode ${String(mode)}`];
  return [`${where}: mode ${String(mode)} not supported`];
}

function isGoDuration(value: unknown): boolean {
  return typeof value === 'string' && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value);
}

function isFloat(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}
