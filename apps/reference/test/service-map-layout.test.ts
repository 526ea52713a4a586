// The service map's layered layout (web/src/components/service-map-layout.ts) as plain data:
// layers by longest call path, callers left of callees, the columns spread over the width, and
// arrow labels that never cover a box, on maps seeded at random.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { assignLayers, layoutServiceMap, MAP, overlaps } from '../web/src/components/service-map-layout.js';

const label = () => ['0.123/s · 12.50% err', 'p95 123.4 ms'];

describe('service map layout', () => {
  it('puts each service one layer right of its furthest caller', () => {
    const edges = [{ from: 'web', to: 'api' }, { from: 'api', to: 'db' }, { from: 'web', to: 'db' }, { from: 'web', to: 'cdn' }];
    expect(Object.fromEntries(assignLayers(['api', 'cdn', 'db', 'web'], edges))).toEqual({ web: 0, api: 1, cdn: 1, db: 2 });
  });

  it('ends on a call cycle with every layer below the service count', () => {
    const layers = assignLayers(['a', 'b', 'c'], [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }]);
    expect([...layers.values()].every((l) => l >= 0 && l < 3)).toBe(true);
  });

  it('spreads two layers from margin to margin of the minimum width, callers left', () => {
    const layout = layoutServiceMap({ nodes: [{ service: 'a' }, { service: 'b' }], edges: [{ from: 'a', to: 'b' }] }, label);
    expect(layout.width).toBe(MAP.minWidth);
    expect(layout.nodes.get('a')!.x).toBe(MAP.margin);
    // 1,100 − 20 margin − 150 box = 930.
    expect(layout.nodes.get('b')!.x).toBe(MAP.minWidth - MAP.margin - MAP.node.w);
  });

  it('puts services with no calls in a row below the layers', () => {
    const layout = layoutServiceMap({ nodes: [{ service: 'a' }, { service: 'b' }, { service: 'lonely' }], edges: [{ from: 'a', to: 'b' }] }, label);
    const lonely = layout.nodes.get('lonely')!;
    expect(lonely.y).toBeGreaterThanOrEqual(layout.nodes.get('a')!.y + MAP.node.h);
    expect(layout.layers.has('lonely')).toBe(false);
    expect(lonely.y + lonely.h).toBeLessThanOrEqual(layout.height);
  });

  it('never lets an arrow label cover a box on maps with call cycles either', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }).chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 20, selector: ([a, b]) => `${a}>${b}` }))),
        ([n, pairs]) => {
          const edges = pairs.filter(([a, b]) => a !== b).map(([a, b]) => ({ from: `s${a}`, to: `s${b}` }));
          const layout = layoutServiceMap({ nodes: Array.from({ length: n }, (_, i) => ({ service: `s${i}` })), edges }, label);
          // Layers are numbered without holes.
          expect(new Set(layout.layers.values()).size).toBe(Math.max(-1, ...layout.layers.values()) + 1);
          for (const e of layout.edges) for (const box of layout.nodes.values()) expect(overlaps(e.label, box)).toBe(false);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('never lets an arrow label cover a box, and keeps callers left of callees, on random acyclic maps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 24, selector: ([a, b]) => `${a}>${b}` }))),
        ([n, pairs]) => {
          // Edges from a lower to a higher index only: acyclic.
          const edges = pairs.filter(([a, b]) => a < b).map(([a, b]) => ({ from: `s${a}`, to: `s${b}` }));
          const layout = layoutServiceMap({ nodes: Array.from({ length: n }, (_, i) => ({ service: `s${i}` })), edges }, label);
          for (const e of layout.edges) {
            for (const box of layout.nodes.values()) expect(overlaps(e.label, box)).toBe(false);
            expect(layout.nodes.get(e.from)!.x).toBeLessThan(layout.nodes.get(e.to)!.x);
            expect(e.label.x).toBeGreaterThanOrEqual(0);
            expect(e.label.x + e.label.w).toBeLessThanOrEqual(layout.width);
          }
          for (const [a, b] of [...layout.nodes.values()].flatMap((x, i, all) => all.slice(i + 1).map((y) => [x, y] as const))) expect(overlaps(a, b)).toBe(false);
        },
      ),
      { seed: 20261203, numRuns: 200 },
    );
  });
});
