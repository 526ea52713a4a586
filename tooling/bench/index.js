import { performance } from 'node:perf_hooks';

/**
 * Times each case `runs` times (after one warm-up run) and reports the median.
 * Cases run interleaved (A B C, A B C, ...) so machine noise hits them alike, and every ratio
 * is against the first case of the same run.
 */
export async function compare(title, cases, options = {}) {
  const runs = options.runs ?? 7;
  const operations = options.operations;
  if (!Number.isInteger(operations) || operations <= 0) {
    throw new Error(`compare(${title}): options.operations must be a positive integer`);
  }
  for (const c of cases) await c.run(Math.max(1, Math.floor(operations / 10)));
  const samples = cases.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < cases.length; i++) {
      const start = performance.now();
      await cases[i].run(operations);
      samples[i].push(performance.now() - start);
    }
  }
  const results = cases.map((c, i) => {
    const ms = median(samples[i]);
    return { name: c.name, medianMs: ms, opsPerSecond: (operations / ms) * 1000, nsPerOp: (ms * 1e6) / operations };
  });
  const base = results[0];
  for (const r of results) r.costRatio = r.nsPerOp / base.nsPerOp;
  printTable(title, results, runs, operations);
  return results;
}

/** Median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Heap used (bytes) after a forced GC when node runs with --expose-gc, else as it stands. */
export function heapUsed() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
  return process.memoryUsage().heapUsed;
}

export function formatRate(opsPerSecond) {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)}M/s`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)}k/s`;
  return `${opsPerSecond.toFixed(1)}/s`;
}

export function formatBytes(bytes) {
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  if (abs >= 1 << 20) return `${sign}${(abs / (1 << 20)).toFixed(2)} MiB`;
  if (abs >= 1 << 10) return `${sign}${(abs / (1 << 10)).toFixed(1)} KiB`;
  return `${sign}${abs} B`;
}

function printTable(title, results, runs, operations) {
  console.log(`\n## ${title}  (${operations.toLocaleString('en')} ops, median of ${runs} runs)`);
  console.log('| case | rate | ns/op | cost vs first |');
  console.log('|---|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.name} | ${formatRate(r.opsPerSecond)} | ${r.nsPerOp.toFixed(1)} | ${r.costRatio.toFixed(2)}x |`);
  }
}
