import type { RoleDefinition } from './policy.js';

/**
 * Computes, for every role, the set of roles it holds: itself plus everything it inherits,
 * transitively. Cycles are reported by the validator; here they simply terminate.
 */
export function roleClosure(roles: Readonly<Record<string, RoleDefinition>>): Map<string, ReadonlySet<string>> {
  const closure = new Map<string, ReadonlySet<string>>();
  for (const role of Object.keys(roles)) {
    const held = new Set<string>();
    const stack = [role];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (held.has(next)) continue;
      held.add(next);
      const definition = Object.hasOwn(roles, next) ? roles[next] : undefined;
      // The validator reports an `inherits` that is not a list; here it is simply ignored.
      const parents = Array.isArray(definition?.inherits) ? definition.inherits : [];
      for (const parent of parents) stack.push(parent);
    }
    closure.set(role, held);
  }
  return closure;
}

/** Finds inheritance cycles, each as the list of roles around it. */
export function roleCycles(roles: Readonly<Record<string, RoleDefinition>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (role: string) => {
    if (state.get(role) === 'done') return;
    if (state.get(role) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(role)), role]);
      return;
    }
    state.set(role, 'visiting');
    path.push(role);
    const definition = Object.hasOwn(roles, role) ? roles[role] : undefined;
    const parents = Array.isArray(definition?.inherits) ? definition.inherits : [];
    for (const parent of parents) visit(parent);
    path.pop();
    state.set(role, 'done');
  };
  for (const role of Object.keys(roles)) visit(role);
  return cycles;
}
