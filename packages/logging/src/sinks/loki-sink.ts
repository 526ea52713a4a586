import { HttpBatchSink, type HttpBatchSinkOptions, type QueuedRecord } from './http-batch-sink.js';

/** Options of {@link LokiSink}: the batch options plus the stream labels. */
export interface LokiSinkOptions extends Omit<HttpBatchSinkOptions, 'url'> {
  /** Loki base URL, e.g. `http://localhost:3100`; the sink posts to `/loki/api/v1/push`. */
  url: string;
  /** Labels on every stream, besides `service` and `level` (keep them few: each combination is a stream). */
  labels?: Readonly<Record<string, string>>;
}

/**
 * Ships lines to Grafana Loki with the JSON push API: one stream per (service, level, labels),
 * each value `["<unix epoch ns>", "<JSON line>"]`.
 */
export class LokiSink extends HttpBatchSink {
  readonly sinkName = 'loki';
  readonly #labels: Readonly<Record<string, string>>;

  constructor(options: LokiSinkOptions) {
    super({ ...options, url: pushUrl(options?.url) }, 'LokiSink');
    this.#labels = options.labels ?? {};
  }

  protected encode(batch: readonly QueuedRecord[]): { body: string; contentType: string } {
    const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
    for (const { record, line } of batch) {
      const key = `${record.service}\u0000${record.level}`;
      let entry = streams.get(key);
      if (entry === undefined) {
        entry = { stream: { ...this.#labels, service: record.service, level: record.level }, values: [] };
        streams.set(key, entry);
      }
      // Nanoseconds exceed Number's exact range: append the digits instead of multiplying.
      entry.values.push([`${Date.parse(record.timestamp)}000000`, line]);
    }
    return { body: JSON.stringify({ streams: [...streams.values()] }), contentType: 'application/json' };
  }
}

function pushUrl(base: unknown): string {
  if (typeof base !== 'string') return String(base);
  return base.endsWith('/loki/api/v1/push') ? base : `${base.replace(/\/+$/, '')}/loki/api/v1/push`;
}
