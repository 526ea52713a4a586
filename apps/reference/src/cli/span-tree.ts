/** The fields of a stored span the tree needs (`/api/v1/traces/:id` rows). */
export interface TreeSpan {
  span_id: string;
  parent_span_id: string | null;
  /** Epoch ms. */
  start_ms: number;
}

/**
 * Orders a trace's spans as a tree: each span followed by its children (by `parent_span_id`),
 * siblings by start time, with its depth (0 for a root). A span whose parent is not in the trace
 * is a root; spans caught in a parent cycle are listed as roots too, so every span is printed once.
 */
export function spanTree<T extends TreeSpan>(spans: readonly T[]): { span: T; depth: number }[] {
  const byStart = [...spans].sort((a, b) => a.start_ms - b.start_ms);
  const ids = new Set(byStart.map((s) => s.span_id));
  const children = new Map<string, T[]>();
  for (const span of byStart) {
    const parent = span.parent_span_id;
    if (parent !== null && ids.has(parent)) children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: { span: T; depth: number }[] = [];
  const seen = new Set<T>();
  const visit = (span: T, depth: number): void => {
    if (seen.has(span)) return;
    seen.add(span);
    ordered.push({ span, depth });
    for (const child of children.get(span.span_id) ?? []) visit(child, depth + 1);
  };
  for (const span of byStart) if (span.parent_span_id === null || !ids.has(span.parent_span_id)) visit(span, 0);
  for (const span of byStart) visit(span, 0);
  return ordered;
}
