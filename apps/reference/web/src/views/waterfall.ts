import type { Span } from '../api.js';

/** One row of the waterfall: a span, its depth in the tree, and its offset from the trace start. */
export interface WaterfallRow {
  span: Span;
  depth: number;
  offsetMs: number;
}

/**
 * Orders spans as a tree (parents before children, siblings by start time) with their depth.
 * A span whose parent is not in the trace (not received, or from another trace) is a root.
 */
export function layoutWaterfall(spans: readonly Span[]): { rows: WaterfallRow[]; startMs: number; totalMs: number } {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | null, Span[]>();
  for (const span of spans) {
    const parent = span.parent_span_id !== null && ids.has(span.parent_span_id) && span.parent_span_id !== span.span_id ? span.parent_span_id : null;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.start_ms - b.start_ms || a.span_id.localeCompare(b.span_id));
  const startMs = Math.min(...spans.map((s) => s.start_ms));
  const endMs = Math.max(...spans.map((s) => s.start_ms + s.duration_ms));
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const visit = (span: Span, depth: number) => {
    if (seen.has(span.span_id)) return; // a parent cycle in bad data must not loop
    seen.add(span.span_id);
    rows.push({ span, depth, offsetMs: span.start_ms - startMs });
    for (const child of children.get(span.span_id) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  // Spans only reachable through a cycle still get a row.
  for (const span of spans) if (!seen.has(span.span_id)) visit(span, 0);
  return { rows, startMs, totalMs: Math.max(endMs - startMs, 0.001) };
}
