// Events recorded per second into one SLO (all four alert window pairs) against prom-client's
// counter — what a service does per request when Prometheus evaluates its SLOs — then the time to
// evaluate 1,000 SLOs, and the heap across 100M events.
import { compare, formatBytes, heapUsed, median } from '@sightline/bench';
import { Counter, Registry } from 'prom-client';
import { SloEngine, SloTracker, parseSloSpec } from '../src/index.js';

const spec = parseSloSpec({ name: 'checkout', service: 'checkout', objective: 0.999, window: '30d', sli: { kind: 'latency', thresholdMs: 300 } });
const T0 = Date.parse('2026-03-01T00:00:00Z');
const tracker = new SloTracker(spec);
const counter = new Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['code'], registers: [new Registry()] });
let t = T0;
let sink = 0;

await compare(
  'events recorded into one SLO (30d, four burn-window pairs; timestamps advance 1 ms per event)',
  [
    { name: 'prom-client Counter.inc({ code })', run: (n) => { for (let i = 0; i < n; i++) counter.inc({ code: (i & 1023) === 0 ? '500' : '200' }); } },
    { name: 'SloTracker.recordOutcome(ok, at)', run: (n) => { for (let i = 0; i < n; i++) tracker.recordOutcome((i & 1023) !== 0, t++); } },
    { name: 'SloTracker.recordDuration(ms, at)', run: (n) => { for (let i = 0; i < n; i++) tracker.recordDuration(i & 511, t++); } },
  ],
  { operations: 5_000_000, runs: 7 },
);

// 1,000 SLOs with a day of per-minute traffic each, evaluated together (alerts included).
const engine = new SloEngine();
for (let s = 0; s < 1_000; s++) {
  const one = engine.upsert(parseSloSpec({ name: `slo-${s}`, service: `svc-${s % 50}`, objective: 0.999, window: '30d', sli: { kind: 'availability' } }));
  for (let m = 0; m < 1_440; m++) one.record(990 + (m % 10), 1_000, T0 + m * 60_000);
}
const evaluations: number[] = [];
for (let r = 0; r < 7; r++) {
  const start = performance.now();
  sink += engine.evaluate(T0 + 1_440 * 60_000).raised.length;
  evaluations.push(performance.now() - start);
}
console.log(`\nevaluate() of 1,000 SLOs (budget, 7 burn windows, alerts): median ${median(evaluations).toFixed(1)} ms over 7 runs`);

// Heap across 100M events into one tracker: the buckets are fixed, so it must not grow.
globalThis.gc?.();
const before = heapUsed();
const big = new SloTracker(spec);
const started = performance.now();
for (let i = 0; i < 100_000_000; i++) big.recordOutcome((i & 1023) !== 0, T0 + i * 30);
const seconds = (performance.now() - started) / 1_000;
globalThis.gc?.();
const after = heapUsed();
console.log(`100M events in ${seconds.toFixed(1)} s (${(100 / seconds).toFixed(1)}M/s, spanning ${((100_000_000 * 30) / 86_400_000).toFixed(0)} days); heap ${formatBytes(before)} → ${formatBytes(after)}`);
if (sink < 0) console.log(sink);
