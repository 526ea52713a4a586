export interface BenchCase {
  name: string;
  /** Performs `operations` operations. */
  run(operations: number): void | Promise<void>;
}
export interface BenchResult {
  name: string;
  medianMs: number;
  opsPerSecond: number;
  nsPerOp: number;
  /** ns/op relative to the first case of the same run. */
  costRatio: number;
}
export function compare(
  title: string,
  cases: readonly BenchCase[],
  options: { operations: number; runs?: number },
): Promise<BenchResult[]>;
export function median(values: readonly number[]): number;
export function percentile(values: readonly number[], p: number): number;
export function heapUsed(): number;
export function formatRate(opsPerSecond: number): string;
export function formatBytes(bytes: number): string;
