// Where the service map draws its boxes, arrows and arrow labels: a layered layout computed here,
// no layout library, for the tens of services the page is for.

/** The map as the layout needs it (a subset of `GET /api/v1/service-map`). */
export interface MapGraph {
  nodes: readonly { service: string }[];
  edges: readonly { from: string; to: string }[];
}

export interface Point {
  x: number;
  y: number;
}

/** A rectangle in the SVG's user units. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One call arrow: its route through the gaps between layers, and its label's box and lines. */
export interface EdgeLayout {
  from: string;
  to: string;
  points: Point[];
  label: Box & { lines: string[] };
}

export interface MapLayout {
  /** The SVG's viewBox size; the SVG itself scales to its container's width. */
  width: number;
  height: number;
  /** Layer of each connected service: 0 for services nobody calls, then by longest call path. */
  layers: Map<string, number>;
  nodes: Map<string, Box>;
  edges: EdgeLayout[];
}

/** Sizes in SVG user units; the font-size numbers match style.css's `.service-map` rules. */
export const MAP = {
  node: { w: 150, h: 44 },
  row: 96,
  margin: 20,
  /** Narrowest viewBox: a small map spreads over it instead of hugging the left edge. */
  minWidth: 1100,
  labelFontPx: 11,
  /** Generous average glyph width for the label font, so an estimated box holds the real text. */
  charPx: 6.6,
  labelLinePx: 14,
  labelPad: 4,
} as const;

/**
 * Longest-path layers: a service is one layer right of its furthest caller, so every call of an
 * acyclic map points right. A call cycle is cut by bounding the passes by the service count.
 */
export function assignLayers(services: readonly string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const layer = new Map<string, number>(services.map((s) => [s, 0]));
  for (let pass = 0; pass < layer.size; pass++) {
    let changed = false;
    for (const e of edges) {
      const next = (layer.get(e.from) ?? 0) + 1;
      if (e.from !== e.to && next > (layer.get(e.to) ?? 0) && next < layer.size) {
        layer.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // The bound can leave a cycle's services with a layer index no service below them reaches:
  // number the layers in use 0, 1, 2... so no column is empty.
  const used = [...new Set(layer.values())].sort((x, y) => x - y);
  for (const [s, l] of layer) layer.set(s, used.indexOf(l));
  return layer;
}

/**
 * Lays the map out in layers across the width: callers left, callees right, each layer a column
 * of boxes ordered by where their callers sit (fewer crossings), the columns spread over at least
 * `minWidth`. Arrows leave a box on its right and enter on the left; an arrow that spans several
 * layers passes each one through a free gap between boxes. Each label sits on its arrow inside
 * the first gap between columns, which is made wide enough for the widest label, and slides
 * along the arrow to keep clear of labels placed before it, so no label covers a box.
 * Services with no calls at all sit in a row below.
 */
export function layoutServiceMap(graph: MapGraph, labelOf: (edge: number) => string[], options: { minWidth?: number } = {}): MapLayout {
  const { node, margin } = MAP;
  const connected = [...new Set(graph.edges.flatMap((e) => [e.from, e.to]))].sort();
  const isolated = [...new Set(graph.nodes.map((n) => n.service))].filter((s) => !connected.includes(s)).sort();
  const layers = assignLayers(connected, graph.edges);
  const layerCount = connected.length === 0 ? 0 : Math.max(...layers.values()) + 1;

  // Columns: services by layer, the first in name order, later ones by their callers' mean row.
  const columns: string[][] = Array.from({ length: layerCount }, () => []);
  for (const s of connected) columns[layers.get(s)!]!.push(s);
  const rowOf = new Map<string, number>();
  columns.forEach((column, l) => {
    const key = (s: string) => {
      const callers = graph.edges.filter((e) => e.to === s && rowOf.has(e.from)).map((e) => rowOf.get(e.from)!);
      return callers.length === 0 ? Number.POSITIVE_INFINITY : callers.reduce((a, b) => a + b, 0) / callers.length;
    };
    if (l > 0) column.sort((a, b) => key(a) - key(b) || a.localeCompare(b));
    column.forEach((s, i) => rowOf.set(s, i));
  });

  const labels = graph.edges.map((_, i) => labelOf(i));
  const labelW = (lines: readonly string[]) => Math.ceil(Math.max(0, ...lines.map((l) => l.length)) * MAP.charPx) + 2 * MAP.labelPad;
  const widestLabel = Math.max(0, ...labels.map(labelW));
  // A gap holds the widest label with room either side to slide it along its arrow (labels of
  // crossing arrows part after about 45 units at the slopes rows give).
  const minGap = Math.max(widestLabel + 100, 140);
  const needed = 2 * margin + layerCount * node.w + Math.max(layerCount - 1, 0) * minGap;
  const width = Math.max(options.minWidth ?? MAP.minWidth, needed, 2 * margin + Math.min(isolated.length, 6) * (node.w + 24));
  const gap = layerCount > 1 ? (width - 2 * margin - layerCount * node.w) / (layerCount - 1) : 0;
  // One column alone is centred; several spread from the left margin to the right one.
  const columnX = (l: number) => (layerCount === 1 ? (width - node.w) / 2 : margin + l * (node.w + gap));

  const tallest = Math.max(0, ...columns.map((c) => c.length));
  // Rows grow when a gap has more labels than its column of rows can stack (each label sits in
  // the gap before its callee's column).
  const perGap = new Map<number, number>();
  for (const e of graph.edges) {
    const [la, lb] = [layers.get(e.from)!, layers.get(e.to)!];
    const g = lb > la ? lb - 1 : lb;
    perGap.set(g, (perGap.get(g) ?? 0) + 1);
  }
  const labelH = Math.max(1, ...labels.map((l) => l.length)) * MAP.labelLinePx + 2 * MAP.labelPad;
  const row = Math.max(MAP.row, Math.ceil((Math.max(0, ...perGap.values()) * (labelH + 6)) / Math.max(tallest, 1)));
  const bandHeight = tallest * row;
  const nodes = new Map<string, Box>();
  columns.forEach((column, l) => {
    const top = margin + (bandHeight - column.length * row) / 2 + (row - node.h) / 2;
    column.forEach((s, i) => nodes.set(s, { x: columnX(l), y: top + i * row, w: node.w, h: node.h }));
  });
  const perRow = Math.max(1, Math.floor((width - 2 * margin + 24) / (node.w + 24)));
  const isolatedTop = margin + bandHeight + (bandHeight > 0 ? 10 : 0);
  isolated.forEach((s, i) => nodes.set(s, { x: margin + (i % perRow) * (node.w + 24), y: isolatedTop + Math.floor(i / perRow) * row + (row - node.h) / 2, w: node.w, h: node.h }));
  const height = Math.max(isolatedTop + Math.ceil(isolated.length / perRow) * row, margin + bandHeight) + margin;

  /**
   * A y in layer `l` where an arrow can cross without touching a box, nearest to `wanted`: the
   * middle of a space between boxes (or above or below them). Arrows sharing a space are spread
   * 10 units apart so they stay distinct lines.
   */
  const corridorUse = new Map<string, number>();
  const freeY = (l: number, wanted: number): number => {
    const boxes = columns[l]!.map((s) => nodes.get(s)!);
    if (boxes.length === 0) return wanted;
    const candidates = [boxes[0]!.y - (row - node.h) / 2, ...boxes.map((b) => b.y + b.h + (row - node.h) / 2)];
    const y = candidates.reduce((best, c) => (Math.abs(c - wanted) < Math.abs(best - wanted) ? c : best));
    const used = corridorUse.get(`${l}:${y}`) ?? 0;
    corridorUse.set(`${l}:${y}`, used + 1);
    return y + Math.ceil(used / 2) * 10 * (used % 2 === 0 ? 1 : -1);
  };

  const routes = graph.edges.map((e): { from: string; to: string; points: Point[]; gaps: [Point, Point][] } => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const la = layers.get(e.from)!;
    const lb = layers.get(e.to)!;
    const ya = a.y + a.h / 2;
    const yb = b.y + b.h / 2;
    if (la === lb) {
      // Same layer (in a call cycle): out into the gap beside the column (right of it when there
      // is one), along it, and back; the label sits on the stretch along the gap.
      const right = la < layerCount - 1;
      const x0 = right ? a.x + a.w : a.x;
      const x1 = right ? b.x + b.w : b.x;
      const ox = x0 + (right ? 1 : -1) * (gap > 0 ? gap / 2 : margin / 2);
      const along: [Point, Point] = [{ x: ox, y: ya }, { x: ox, y: yb }];
      return { from: e.from, to: e.to, points: [{ x: x0, y: ya }, ...along, { x: x1, y: yb }], gaps: [along] };
    }
    const dir = lb > la ? 1 : -1;
    const start = { x: dir > 0 ? a.x + a.w : a.x, y: ya };
    const end = { x: dir > 0 ? b.x : b.x + b.w, y: yb };
    const points = [start];
    for (let l = la + dir; l !== lb; l += dir) {
      const left = columnX(l);
      const progress = (left - start.x) / (end.x - start.x);
      const y = freeY(l, start.y + progress * (end.y - start.y));
      points.push(dir > 0 ? { x: left, y } : { x: left + node.w, y }, dir > 0 ? { x: left + node.w, y } : { x: left, y });
    }
    points.push(end);
    // Segments 0-1, 2-3, ... cross the gaps between columns; the others pass a column between boxes.
    const gaps: [Point, Point][] = [];
    for (let k = 0; k + 1 < points.length; k += 2) gaps.push([points[k]!, points[k + 1]!]);
    return { from: e.from, to: e.to, points, gaps };
  });

  // Labels: direct calls first (they have one gap to sit in), then the longer arrows, each in
  // the first free place: on its arrow in the gap next to the callee, then in its other gaps
  // (callee side first); only when the line has no free place, nudged up to half a label off it
  // (still touching its arrow). Labels stay inside gaps, so none covers a box.
  const placed: Box[] = [];
  const labelBoxes = new Map<number, Box>();
  const order = routes.map((r, i) => ({ i, n: r.gaps.length })).sort((x, y) => x.n - y.n || x.i - y.i);
  for (const { i } of order) {
    const lines = labels[i]!;
    const w = labelW(lines);
    const h = lines.length * MAP.labelLinePx + 2 * MAP.labelPad;
    const segments = [...routes[i]!.gaps].reverse();
    let label: Box | undefined;
    let leastCovered: { box: Box; area: number } | undefined;
    for (const nudge of [0, -h / 4, h / 4, -h / 2, h / 2]) {
      for (const [p, q] of segments) {
        // Positions along the segment, as t in 0..1: across a gap, those keeping the label inside
        // it (6 units clear of the columns); along a gap (a same-layer arrow), all of it.
        const across = Math.abs(q.x - p.x) > 1;
        const length = across ? Math.abs(q.x - p.x) : Math.max(Math.abs(q.y - p.y), 1);
        const slack = across ? (length - 12 - w) / 2 / length : 0.5;
        const at = (t: number): Box => ({ x: p.x + t * (q.x - p.x) - w / 2, y: p.y + t * (q.y - p.y) - h / 2 + nudge, w, h });
        const stepT = 6 / length;
        const steps = slack >= 0 ? Math.ceil(slack / stepT) * 2 : 0;
        for (let k = 0; k <= steps && label === undefined; k++) {
          // Midpoint first, then alternately nearer the callee and nearer the caller.
          const t = 0.5 + Math.min(Math.ceil(k / 2) * stepT, Math.max(slack, 0)) * (k % 2 === 0 ? 1 : -1);
          const candidate = at(t);
          // 3 units apart at least, so neighbouring labels never touch.
          const area = placed.reduce((sum, o) => sum + overlapArea({ x: o.x - 3, y: o.y - 3, w: o.w + 6, h: o.h + 6 }, candidate), 0);
          if (area === 0) label = candidate;
          else if (leastCovered === undefined || area < leastCovered.area) leastCovered = { box: candidate, area };
        }
        if (label !== undefined) break;
      }
      if (label !== undefined) break;
    }
    // Nowhere free (a crowded gap): where it covers the least of the labels already placed.
    label ??= leastCovered!.box;
    placed.push(label);
    labelBoxes.set(i, label);
  }
  const edges = routes.map((r, i): EdgeLayout => ({ from: r.from, to: r.to, points: r.points, label: { ...labelBoxes.get(i)!, lines: labels[i]! } }));

  return { width, height, layers, nodes, edges };
}

/** The area two boxes share (0 when apart). */
function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Whether two boxes share any area. */
export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
